import {
  encodeSigningKeyFile,
  isSigningKeyFileName,
  parseSigningKeyFile,
  SigningKeyFileError,
  type SigningKeyFile,
  type SigningKeyJwk,
} from '@parley/signing-keys';

/**
 * The key files of the signing-key Secret: its data keys are the file names of the auth
 * service's SIGNING_KEYS_DIR, read with the same format rules (@parley/signing-keys).
 */
export interface SigningKeyFiles {
  keys: SigningKeyFile[];
  /** Files the auth service skips too; left untouched, reported in the status. */
  invalid: { fileName: string; problem: string }[];
}

/** Reads a Secret's `data` (base64 values) as key files. */
export function readSigningKeyFiles(data: Record<string, string> | undefined): SigningKeyFiles {
  const keys: SigningKeyFile[] = [];
  const invalid: SigningKeyFiles['invalid'] = [];
  for (const [fileName, encoded] of Object.entries(data ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (!isSigningKeyFileName(fileName)) continue;
    try {
      keys.push(parseSigningKeyFile(Buffer.from(encoded, 'base64').toString('utf8'), fileName));
    } catch (error) {
      if (!(error instanceof SigningKeyFileError)) throw error;
      invalid.push({ fileName, problem: error.message });
    }
  }
  return { keys, invalid };
}

/** Secret `data` value of one key file. */
export function encodeKeyFile(jwk: SigningKeyJwk): string {
  return Buffer.from(encodeSigningKeyFile(jwk)).toString('base64');
}
