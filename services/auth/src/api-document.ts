import {
  accountSessionListSchema,
  authSessionSchema,
  changePasswordRequestSchema,
  deleteAccountRequestSchema,
  authUserResponseSchema,
  codeRequestAcceptedSchema,
  emailVerifyConfirmSchema,
  jwksSchema,
  loginRequestSchema,
  logoutAllRequestSchema,
  logoutRequestSchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  refreshRequestSchema,
  registerRequestSchema,
  sessionParamsSchema,
} from '@parley/contracts';
import { buildOpenApiDocument, type ApiRoute } from '@parley/http';

const cookieNote =
  'With header `x-parley-token-transport: cookie` the refresh token is set as the HttpOnly cookie `parley_refresh` and left out of the body.';

/** Every public endpoint of the auth service. */
export const AUTH_API_ROUTES: ApiRoute[] = [
  {
    method: 'post',
    path: '/api/v1/auth/register',
    summary: `Create an account and sign in. ${cookieNote}`,
    body: registerRequestSchema,
    responses: { 201: { description: 'Account created; a new session', schema: authSessionSchema } },
    errors: [400, 409, 413, 429, 503],
  },
  {
    method: 'post',
    path: '/api/v1/auth/login',
    summary: `Sign in with email or username and password. ${cookieNote}`,
    body: loginRequestSchema,
    responses: { 200: { description: 'A new session', schema: authSessionSchema } },
    errors: [400, 401, 429, 503],
  },
  {
    method: 'post',
    path: '/api/v1/auth/refresh',
    summary:
      'Exchange a refresh token (body, or the cookie together with the transport header) for a new pair; each token works once.',
    body: refreshRequestSchema,
    responses: { 200: { description: 'A new token pair', schema: authSessionSchema } },
    errors: [400, 401, 503],
  },
  {
    method: 'post',
    path: '/api/v1/auth/logout',
    summary:
      'End the session of a refresh token (body, or the cookie with the transport header): its refresh tokens, its access tokens and its live sockets.',
    body: logoutRequestSchema,
    responses: { 204: { description: 'Signed out' } },
    errors: [400, 503],
  },
  {
    method: 'post',
    path: '/api/v1/auth/logout-all',
    summary:
      'End every session of the signed-in account: all refresh tokens, every access token issued until now, and every live socket.',
    authenticated: true,
    body: logoutAllRequestSchema,
    responses: { 204: { description: 'Signed out everywhere' } },
    errors: [400, 401, 503],
  },
  {
    method: 'get',
    path: '/api/v1/auth/me',
    summary: 'The signed-in account.',
    authenticated: true,
    responses: { 200: { description: 'The account', schema: authUserResponseSchema } },
    errors: [401],
  },
  {
    method: 'post',
    path: '/api/v1/auth/email/verify/request',
    summary: 'Mail a 6-digit code (valid 10 minutes) to the signed-in account’s address.',
    authenticated: true,
    responses: { 202: { description: 'Code sent', schema: codeRequestAcceptedSchema } },
    errors: [400, 401, 409, 429],
  },
  {
    method: 'post',
    path: '/api/v1/auth/email/verify/confirm',
    summary: 'Confirm the address with the mailed code (5 wrong attempts kill it).',
    authenticated: true,
    body: emailVerifyConfirmSchema,
    responses: { 200: { description: 'Verified', schema: authUserResponseSchema } },
    errors: [400, 401, 409],
  },
  {
    method: 'post',
    path: '/api/v1/auth/password/reset/request',
    summary: 'Mail a password reset code if an account uses this address (the answer is the same either way).',
    body: passwordResetRequestSchema,
    responses: { 202: { description: 'Accepted', schema: codeRequestAcceptedSchema } },
    errors: [400, 429],
  },
  {
    method: 'post',
    path: '/api/v1/auth/password/reset/confirm',
    summary: 'Set a new password with the mailed code; signs the account out everywhere (as logout-all does).',
    body: passwordResetConfirmSchema,
    responses: { 204: { description: 'Password changed' } },
    errors: [400, 503],
  },
  {
    method: 'post',
    path: '/api/v1/auth/password/change',
    summary: 'Change the password (the current one is required; counted against the login limits). Every other session ends at once; this one stays.',
    authenticated: true,
    body: changePasswordRequestSchema,
    responses: { 204: { description: 'Password changed' } },
    errors: [400, 401, 429, 503],
  },
  {
    method: 'get',
    path: '/api/v1/auth/sessions',
    summary: 'The live sessions of the signed-in account (when each began and was last used, browser, address); `current` marks the caller’s.',
    authenticated: true,
    responses: { 200: { description: 'Sessions', schema: accountSessionListSchema } },
    errors: [401],
  },
  {
    method: 'delete',
    path: '/api/v1/auth/sessions/{sessionId}',
    params: sessionParamsSchema,
    summary: 'End one session of the signed-in account at once (its tokens and sockets). Another account’s session is 404.',
    authenticated: true,
    responses: { 204: { description: 'Session ended' } },
    errors: [400, 401, 404, 503],
  },
  {
    method: 'delete',
    path: '/api/v1/auth/account',
    summary:
      'Delete the signed-in account (password required): the credential and every session end at once; the profile, friendships, blocks and room memberships are removed through the outbox; messages stay, shown as a deleted user.',
    authenticated: true,
    body: deleteAccountRequestSchema,
    responses: { 204: { description: 'Account deleted' } },
    errors: [400, 401, 429, 503],
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'Public keys that verify access tokens (also at /api/v1/auth/.well-known/jwks.json).',
    responses: { 200: { description: 'JSON Web Key Set', schema: jwksSchema } },
  },
  {
    method: 'get',
    path: '/api/v1/auth/.well-known/jwks.json',
    summary: 'Public keys that verify access tokens, under the public API prefix.',
    responses: { 200: { description: 'JSON Web Key Set', schema: jwksSchema } },
  },
];

export function buildAuthApiDocument() {
  return buildOpenApiDocument(
    {
      title: 'Parley auth service',
      version: '1.0.0',
      description: 'Accounts, sessions (ES256 access tokens + rotating refresh tokens), email verification and password reset.',
    },
    AUTH_API_ROUTES,
  );
}
