export { createAccessTokenVerifier } from './access-token-verifier.js';
export type { AccessTokenVerifier, Principal, VerifierSettings } from './access-token-verifier.js';
export { requireAuth, principalOf, requireRole, bearerToken } from './require-auth.js';
