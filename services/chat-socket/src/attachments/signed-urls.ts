import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AttachmentVariant } from '@parley/contracts';

export interface SignedDownload {
  attachmentId: string;
  variant: AttachmentVariant;
  /** Who the URL was made for: the download checks they are still a member. */
  userId: string;
  /** Epoch seconds. */
  expires: number;
}

/**
 * Short-lived download URLs: an HMAC over everything the URL grants (the attachment, the
 * variant, the user, the expiry), so changing any of them, or the signature, is refused.
 */
export class DownloadSigner {
  private readonly key: Buffer;

  constructor(secret: string | undefined) {
    // Without a configured secret only this process can verify its URLs (documented in config).
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  sign(download: SignedDownload): string {
    return createHmac('sha256', this.key).update(payloadOf(download)).digest('base64url');
  }

  /** True when the signature is the one for exactly these fields (expiry is checked by the caller). */
  verify(download: SignedDownload, signature: string): boolean {
    // Compared as text, not decoded: the last base64url character carries unused bits, so other
    // spellings would decode to the same bytes.
    const expected = Buffer.from(this.sign(download), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function payloadOf(download: SignedDownload): string {
  return ['parley-attachment-v1', download.attachmentId, download.variant, download.userId, String(download.expires)].join('\n');
}
