export { ensureSigningKeySecret, signingKeySecretData } from './signing-key-secret.js';
export type { EnsureOutcome, SecretApi, SigningKeySecretTarget } from './signing-key-secret.js';
export { readBootstrapSettings, BootstrapSettingsError } from './bootstrap-settings.js';
export { configSchema } from './config.js';
export type { KeyBootstrapConfig } from './config.js';
