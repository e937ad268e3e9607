export { createSigningKeyJwk, signingKeySecretData } from './signing-key-jwk.js';
export type { SigningKeyJwk } from './signing-key-jwk.js';
export { ensureSigningKeySecret } from './signing-key-secret.js';
export type { EnsureOutcome, SecretApi, SigningKeySecretTarget } from './signing-key-secret.js';
export { readBootstrapSettings, BootstrapSettingsError } from './bootstrap-settings.js';
export { configSchema } from './config.js';
export type { KeyBootstrapConfig } from './config.js';
