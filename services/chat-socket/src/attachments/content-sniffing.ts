/**
 * What a file is, from its first bytes (magic numbers) only: the client's Content-Type and file
 * name are never trusted. Images on the list are re-encoded and shown inline; the other listed
 * types keep their type for the download; anything else (SVG, HTML, scripts, unknown) is stored
 * as `application/octet-stream` and only ever downloaded.
 */
export type SniffedType =
  | { kind: 'image'; contentType: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif' }
  | { kind: 'file'; contentType: string };

interface Signature {
  offset: number;
  bytes: number[];
}

const ascii = (text: string) => [...text].map((character) => character.charCodeAt(0));

const IMAGES: Array<{ contentType: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif'; all: Signature[] }> = [
  { contentType: 'image/jpeg', all: [{ offset: 0, bytes: [0xff, 0xd8, 0xff] }] },
  { contentType: 'image/png', all: [{ offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] }] },
  { contentType: 'image/gif', all: [{ offset: 0, bytes: ascii('GIF87a') }] },
  { contentType: 'image/gif', all: [{ offset: 0, bytes: ascii('GIF89a') }] },
  { contentType: 'image/webp', all: [{ offset: 0, bytes: ascii('RIFF') }, { offset: 8, bytes: ascii('WEBP') }] },
];

/** Non-image types kept as such (downloaded, never rendered by the service). */
const FILES: Array<{ contentType: string; all: Signature[] }> = [
  { contentType: 'application/pdf', all: [{ offset: 0, bytes: ascii('%PDF-') }] },
  { contentType: 'application/zip', all: [{ offset: 0, bytes: [0x50, 0x4b, 0x03, 0x04] }] },
  { contentType: 'video/mp4', all: [{ offset: 4, bytes: ascii('ftyp') }] },
  { contentType: 'audio/mpeg', all: [{ offset: 0, bytes: ascii('ID3') }] },
  { contentType: 'audio/ogg', all: [{ offset: 0, bytes: ascii('OggS') }] },
];

export const GENERIC_CONTENT_TYPE = 'application/octet-stream';

function matches(bytes: Buffer, all: Signature[]): boolean {
  return all.every(({ offset, bytes: expected }) => bytes.length >= offset + expected.length && expected.every((byte, index) => bytes[offset + index] === byte));
}

export function sniffContentType(bytes: Buffer): SniffedType {
  for (const image of IMAGES) if (matches(bytes, image.all)) return { kind: 'image', contentType: image.contentType };
  for (const file of FILES) if (matches(bytes, file.all)) return { kind: 'file', contentType: file.contentType };
  return { kind: 'file', contentType: GENERIC_CONTENT_TYPE };
}
