export { createAccessTokenVerifier, SESSION_ENDED } from './access-token-verifier.js';
export type { AccessTokenVerifier, Principal, VerifierSettings } from './access-token-verifier.js';
export { requireAuth, principalOf, requireRole, bearerToken } from './require-auth.js';
export { startSessionRevocations } from './session-revocations.js';
export type { SessionClaims, SessionRevocations, SessionRevocationsSettings } from './session-revocations.js';
export { createSessionRevocationWriter } from './session-revocation-writer.js';
export type { SessionRevocationWriter, SessionRevocationWriterSettings } from './session-revocation-writer.js';
