import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuthSession, AuthUser, LoginRequest, RegisterRequest } from '@parley/contracts';
import { isUniqueViolation } from '@parley/db';
import { ConflictError, RateLimitedError, UnauthorizedError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import type { RateLimit } from '@parley/rate-limit';
import type { SessionRevocationWriter } from '@parley/auth-middleware';
import type { AuthMetrics } from '../auth-metrics.js';
import { toAuthUser } from '../credentials/auth-user.js';
import type { CredentialEntity } from '../credentials/credential.entity.js';
import type { CredentialRepository, TakenFields } from '../credentials/credential-repository.js';
import type { PasswordHasher } from '../credentials/password-hasher.js';
import { PROFILE_PROVISION } from '../outbox/outbox-message.entity.js';
import type { OutboxRelay } from '../outbox/outbox-relay.js';
import type { OutboxRepository } from '../outbox/outbox-repository.js';
import type { AccessTokenSigner } from '../sessions/access-token-signer.js';
import type { RefreshTokenService, SessionClient } from '../sessions/refresh-token-service.js';
import type { LoginThrottle } from './login-throttle.js';

/** A session whose refresh token is known (the route decides body or cookie). */
export type IssuedSession = AuthSession & { refreshToken: string };

export interface AccountServiceDeps {
  dataSource: DataSource;
  credentials: CredentialRepository;
  hasher: PasswordHasher;
  refreshTokens: RefreshTokenService;
  signer: AccessTokenSigner;
  outbox: OutboxRepository;
  relay: OutboxRelay;
  throttle: LoginThrottle;
  registerLimit: RateLimit;
  /** Where ended sessions are recorded for every verifier (and announced to live sockets). */
  sessions: SessionRevocationWriter;
  metrics: AuthMetrics;
  logger: Logger;
}

/** One message for every wrong login, so responses never tell which accounts exist. */
const INVALID_LOGIN = 'The login or password is incorrect';
const INVALID_REFRESH = 'The refresh token is invalid, expired or revoked';

/** Registration, login, refresh and logout (of one session or of all). */
export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  /** Counts a registration attempt of this client IP (429 once over the hourly limit). */
  async consumeRegisterAttempt(ip: string): Promise<void> {
    try {
      await this.deps.registerLimit.consume(ip);
    } catch (error) {
      if (error instanceof RateLimitedError) this.deps.metrics.rateLimitRejections.inc({ limiter: 'register_ip' });
      throw error;
    }
  }

  async register(input: RegisterRequest, client: SessionClient = {}): Promise<IssuedSession> {
    const taken = await this.deps.credentials.takenFields(input.email, input.username);
    if (taken.email || taken.username) throw conflictFor(taken);

    const id = randomUUID();
    const sessionId = randomUUID();
    // Signed first: without a usable signing key this fails (503) before any account exists.
    const accessToken = await this.deps.signer.sign({ id, username: input.username, roles: ['user'], sessionId });
    const passwordHash = await this.deps.hasher.hash(input.password);
    let created: { credential: CredentialEntity; outboxId: string; refreshToken: string };
    try {
      created = await this.deps.dataSource.transaction(async (manager) => {
        const credential = await this.deps.credentials.insert(manager, {
          id,
          email: input.email,
          username: input.username,
          passwordHash,
        });
        // Same transaction: the profile message exists if and only if the account does.
        const outboxId = await this.deps.outbox.add(manager, PROFILE_PROVISION, {
          userId: id,
          username: input.username,
          email: input.email,
        });
        const { refreshToken } = await this.deps.refreshTokens.issue(id, manager, sessionId, client);
        return { credential, outboxId, refreshToken };
      });
    } catch (error) {
      // Lost a race with a concurrent registration of the same email or username.
      if (isUniqueViolation(error, 'credentials_email_lower_key')) throw conflictFor({ email: true, username: false });
      if (isUniqueViolation(error, 'credentials_username_lower_key')) throw conflictFor({ email: false, username: true });
      throw error;
    }
    this.deps.metrics.registrations.inc();
    this.deps.logger.info({ userId: id }, 'account registered');
    await this.deps.relay.deliverNow(created.outboxId);
    return {
      user: toAuthUser(created.credential),
      accessToken,
      refreshToken: created.refreshToken,
      expiresIn: this.deps.signer.ttlSeconds,
    };
  }

  async login(input: LoginRequest, ip: string, userAgent?: string): Promise<IssuedSession> {
    const credential = await this.deps.credentials.findByLogin(input.login);
    const accountKey = credential ? `user:${credential.id}` : `login:${input.login.trim().toLowerCase()}`;
    try {
      await this.deps.throttle.acquire(accountKey, ip);
    } catch (error) {
      if (error instanceof RateLimitedError) this.deps.metrics.logins.inc({ outcome: 'rate_limited' });
      throw error;
    }

    // Unknown accounts cost the same argon2 time as known ones: no timing oracle.
    this.deps.metrics.passwordVerifications.inc();
    const valid = credential
      ? await this.deps.hasher.verify(credential.passwordHash, input.password)
      : await this.deps.hasher.verifyNothing(input.password);
    if (!credential || !valid) {
      this.deps.metrics.logins.inc({ outcome: 'failure' });
      throw new UnauthorizedError(INVALID_LOGIN);
    }

    await this.deps.throttle.succeeded(accountKey, ip);
    if (this.deps.hasher.needsRehash(credential.passwordHash)) {
      // Cost parameters were raised since this hash was made: upgrade it while we know the password.
      await this.deps.credentials.rehash(credential.id, await this.deps.hasher.hash(input.password));
    }
    this.deps.metrics.logins.inc({ outcome: 'success' });
    const issued = await this.deps.refreshTokens.issue(credential.id, undefined, undefined, { userAgent, ip });
    return this.session(credential, issued.refreshToken, issued.familyId);
  }

  async refresh(refreshToken: string | undefined): Promise<IssuedSession> {
    if (!refreshToken) {
      this.deps.metrics.refreshes.inc({ outcome: 'invalid' });
      throw new UnauthorizedError('A refresh token is required');
    }
    const result = await this.deps.refreshTokens.rotate(refreshToken);
    if (result.outcome === 'reuse_detected') {
      this.deps.metrics.refreshes.inc({ outcome: 'reuse_detected' });
      this.deps.metrics.refreshReuseDetections.inc();
      this.deps.logger.warn({ userId: result.userId }, 'refresh token reused after rotation; its family was revoked');
      throw new UnauthorizedError(INVALID_REFRESH);
    }
    const credential = result.outcome === 'invalid' ? null : await this.deps.credentials.findById(result.userId);
    if (result.outcome === 'invalid' || !credential) {
      this.deps.metrics.refreshes.inc({ outcome: 'invalid' });
      throw new UnauthorizedError(INVALID_REFRESH);
    }
    this.deps.metrics.refreshes.inc({ outcome: 'success' });
    return this.session(credential, result.refreshToken, result.familyId);
  }

  /**
   * Ends the session (family) of `refreshToken`: its refresh tokens in PostgreSQL, its access
   * tokens (and sockets) through the revocation in Redis. Unknown tokens are ignored.
   */
  async logout(refreshToken: string | undefined): Promise<void> {
    if (!refreshToken) return;
    const ended = await this.deps.refreshTokens.revokeFamilyOf(refreshToken);
    if (!ended) return;
    await this.deps.sessions.revokeSession(ended.userId, ended.familyId, 'logout');
    this.deps.logger.info({ userId: ended.userId, sessionId: ended.familyId }, 'signed out');
  }

  /** Ends every session of the user: all refresh-token families, and every access token issued until now. */
  async logoutAll(userId: string): Promise<void> {
    const revoked = await this.deps.dataSource.transaction(async (manager) => {
      const count = await this.deps.refreshTokens.revokeAllOfUser(userId, manager);
      // Inside the transaction: if Redis cannot record it, nothing is revoked and the caller
      // gets 503 (a refresh racing this waits on the row locks and then finds its family revoked).
      await this.deps.sessions.revokeUserSessions(userId, 'logout-all');
      return count;
    });
    this.deps.logger.info({ userId, revokedRefreshTokens: revoked }, 'signed out everywhere');
  }

  async me(userId: string): Promise<AuthUser> {
    const credential = await this.deps.credentials.findById(userId);
    if (!credential) throw new UnauthorizedError('The account no longer exists');
    return toAuthUser(credential);
  }

  private async session(credential: CredentialEntity, refreshToken: string, sessionId: string): Promise<IssuedSession> {
    const accessToken = await this.deps.signer.sign({
      id: credential.id,
      username: credential.username,
      roles: credential.roles,
      sessionId,
    });
    return { user: toAuthUser(credential), accessToken, refreshToken, expiresIn: this.deps.signer.ttlSeconds };
  }
}

function conflictFor(taken: TakenFields): ConflictError {
  const details = [
    ...(taken.email ? [{ path: 'email', message: 'is already registered' }] : []),
    ...(taken.username ? [{ path: 'username', message: 'is already taken' }] : []),
  ];
  const message =
    taken.email && taken.username
      ? 'The email address and the username are already taken'
      : taken.email
        ? 'The email address is already registered'
        : 'The username is already taken';
  return new ConflictError(message, details);
}
