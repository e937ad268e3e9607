import { z } from 'zod';
import { userIdSchema } from './common.js';
import { text } from './text.js';

export const emailSchema = text()
  .max(254)
  .pipe(z.email({ message: 'must be a valid email address' }));

export const usernameSchema = text()
  .min(3, 'must be at least 3 characters')
  .max(32, 'must be at most 32 characters')
  .regex(/^[a-z0-9_.]+$/, 'may contain only a-z, 0-9, "_" and "."');

/** A new password: length and text rules; the auth service also refuses common passwords. */
export const passwordSchema = text()
  .min(8, 'must be at least 8 characters')
  .max(128, 'must be at most 128 characters');

export const roleSchema = z.enum(['user', 'admin']);
export type Role = z.infer<typeof roleSchema>;

export const registerRequestSchema = z.strictObject({
  email: emailSchema,
  username: usernameSchema,
  password: passwordSchema,
});
export type RegisterRequest = z.infer<typeof registerRequestSchema>;

export const loginRequestSchema = z.strictObject({
  login: text().min(1).max(254),
  /**
   * Any string: it only ever reaches the password hash, and passwords chosen before the text
   * rules existed must keep working (docs/decisions/0004-text-input-rules.md).
   */
  password: z.string().min(1).max(128),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** The refresh token may come in the body or in the HttpOnly cookie instead. */
export const refreshRequestSchema = z.strictObject({
  refreshToken: text().min(20).max(200).optional(),
});
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const logoutRequestSchema = refreshRequestSchema;
export type LogoutRequest = RefreshRequest;

export const authUserSchema = z.object({
  id: userIdSchema,
  email: z.string(),
  username: z.string(),
  roles: z.array(roleSchema),
  emailVerified: z.boolean(),
});
export type AuthUser = z.infer<typeof authUserSchema>;

export const authSessionSchema = z.object({
  user: authUserSchema,
  accessToken: z.string(),
  /** Absent when the client asked for the refresh token as a cookie. */
  refreshToken: z.string().optional(),
  /** Access-token lifetime in seconds. */
  expiresIn: z.number().int().positive(),
});
export type AuthSession = z.infer<typeof authSessionSchema>;

export const verificationCodeSchema = text().regex(/^\d{6}$/, 'must be 6 digits');

export const emailVerifyConfirmSchema = z.strictObject({ code: verificationCodeSchema });
export type EmailVerifyConfirm = z.infer<typeof emailVerifyConfirmSchema>;

export const passwordResetRequestSchema = z.strictObject({ email: emailSchema });
export type PasswordResetRequest = z.infer<typeof passwordResetRequestSchema>;

export const passwordResetConfirmSchema = z.strictObject({
  email: emailSchema,
  code: verificationCodeSchema,
  newPassword: passwordSchema,
});
export type PasswordResetConfirm = z.infer<typeof passwordResetConfirmSchema>;

/** A session: one login and its refresh-token family. Access tokens name it in `sid`. */
export const sessionIdSchema = z.uuid();

/** Claims of a Parley access token (ES256 JWT). */
export const accessTokenClaimsSchema = z.object({
  sub: userIdSchema,
  /** The session (refresh-token family) the token belongs to; logout ends exactly this one. */
  sid: sessionIdSchema,
  username: z.string(),
  roles: z.array(roleSchema),
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  iat: z.number(),
  jti: z.string().optional(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;

/** Header the browser client sends to get the refresh token as an HttpOnly cookie. */
export const TOKEN_TRANSPORT_HEADER = 'x-parley-token-transport';
export const REFRESH_COOKIE_NAME = 'parley_refresh';

/** Email verification requests carry no body (the account comes from the access token). */
export const emailVerifyRequestSchema = z.strictObject({});

/** 202 answer of the code request endpoints; identical whether or not the account exists. */
export const codeRequestAcceptedSchema = z.object({ message: z.string() });
export type CodeRequestAccepted = z.infer<typeof codeRequestAcceptedSchema>;

/** The account as seen by its owner (`GET /api/v1/auth/me`, email verification). */
export const authUserResponseSchema = z.object({ user: authUserSchema });
export type AuthUserResponse = z.infer<typeof authUserResponseSchema>;

/** One public signing key as published in the JWKS (never any private member). */
export const publicJwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string(),
  y: z.string(),
  kid: z.string(),
  alg: z.literal('ES256'),
  use: z.literal('sig'),
});
export type PublicJwk = z.infer<typeof publicJwkSchema>;

export const jwksSchema = z.object({ keys: z.array(publicJwkSchema) });
export type Jwks = z.infer<typeof jwksSchema>;

/** `POST /api/v1/auth/logout-all` carries no body (the account comes from the access token). */
export const logoutAllRequestSchema = z.strictObject({});

/** Why a session ended: what `session:ended` tells a socket before it is closed. */
export const sessionEndReasonSchema = z.enum([
  'logout',
  'logout-all',
  'password-reset',
  'role-change',
  'expired',
  /** The password was changed in another session (that one stays signed in). */
  'password-change',
  /** Ended from the sessions list of another session of the same account. */
  'session-revoked',
  'account-deleted',
]);
export type SessionEndReason = z.infer<typeof sessionEndReasonSchema>;

/** The reasons the auth service revokes sessions for (expiry needs no announcement). */
export const sessionRevocationReasonSchema = sessionEndReasonSchema.exclude(['expired']);
export type SessionRevocationReason = z.infer<typeof sessionRevocationReasonSchema>;

/**
 * One revocation, published on `sessionsRevokedChannel` (@parley/keyspace): either one session
 * (`sessionId`: logout) or every access token of the user
 * issued before `notBefore` (epoch seconds: logout-all, password reset, role change).
 * `expiresAt` (epoch seconds) is when it stops mattering: every token it refuses has expired.
 */
export const userSessionsRevokedEventSchema = z
  .object({
    userId: userIdSchema,
    reason: sessionRevocationReasonSchema,
    sessionId: sessionIdSchema.optional(),
    notBefore: z.number().int().nonnegative().optional(),
    expiresAt: z.number().int().nonnegative(),
  })
  .refine((event) => event.sessionId !== undefined || event.notBefore !== undefined, 'names a session or a not-before time');
export type UserSessionsRevokedEvent = z.infer<typeof userSessionsRevokedEventSchema>;

/** The current password, as at login: any string, it only reaches the hash (see loginRequestSchema). */
const currentPasswordSchema = z.string().min(1).max(128);

/** `POST /api/v1/auth/password/change`: the other sessions end, the caller's stays. */
export const changePasswordRequestSchema = z.strictObject({
  currentPassword: currentPasswordSchema,
  newPassword: passwordSchema,
});
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

/** `POST /api/v1/auth/account/delete`: the password confirms it is the owner. */
export const deleteAccountRequestSchema = z.strictObject({ password: currentPasswordSchema });
export type DeleteAccountRequest = z.infer<typeof deleteAccountRequestSchema>;

/** `DELETE /api/v1/auth/sessions/:sessionId`. */
export const sessionParamsSchema = z.strictObject({ sessionId: sessionIdSchema });

/**
 * One signed-in session of the account (a refresh-token family): when it began, when it was
 * last renewed, and the browser and address it began from, where recorded.
 */
export const accountSessionSchema = z.object({
  id: sessionIdSchema,
  createdAt: z.iso.datetime({ offset: true }),
  lastUsedAt: z.iso.datetime({ offset: true }),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  /** The session of the access token that asked. */
  current: z.boolean(),
});
export type AccountSession = z.infer<typeof accountSessionSchema>;

export const accountSessionListSchema = z.object({ sessions: z.array(accountSessionSchema) });
export type AccountSessionList = z.infer<typeof accountSessionListSchema>;
