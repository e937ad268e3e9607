export {
  encodeSigningKeyFile,
  isSigningKeyFileName,
  KID_PATTERN,
  MAX_KEY_FILE_BYTES,
  parseSigningKeyFile,
  SigningKeyFileError,
  signingKeyFileName,
  signingKeyJwkSchema,
} from './key-file.js';
export type { PrivateSigningKeyJwk, SigningKeyFile, SigningKeyJwk } from './key-file.js';
export { createSigningKeyJwk, writeSigningKeyFile } from './key-generator.js';
export type { NewSigningKeyOptions } from './key-generator.js';
export { activeSigningKey, importSigningKeyFile, loadSigningKey } from './signing-key.js';
export type { ActiveSigningKey, SigningKey } from './signing-key.js';
export { pickActiveKey, ranksAbove } from './active-key.js';
export type { RankedKey } from './active-key.js';
