import type { DataSource } from 'typeorm';
import type { AccountSession, ChangePasswordRequest } from '@parley/contracts';
import type { Principal, SessionRevocationWriter } from '@parley/auth-middleware';
import { NotFoundError, UnauthorizedError, ValidationError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import type { AuthMetrics } from '../auth-metrics.js';
import type { CredentialEntity } from '../credentials/credential.entity.js';
import type { CredentialRepository } from '../credentials/credential-repository.js';
import type { PasswordHasher } from '../credentials/password-hasher.js';
import { passwordProblems } from '../credentials/password-policy.js';
import { CHAT_MEMBERSHIPS_DELETE, PROFILE_DELETE, PROFILE_EMAIL, PROFILE_PROVISION } from '../outbox/outbox-message.entity.js';
import type { OutboxRelay } from '../outbox/outbox-relay.js';
import type { OutboxRepository } from '../outbox/outbox-repository.js';
import type { RefreshTokenService } from '../sessions/refresh-token-service.js';
import type { LoginThrottle } from './login-throttle.js';

export interface AccountSettingsDeps {
  dataSource: DataSource;
  credentials: CredentialRepository;
  hasher: PasswordHasher;
  refreshTokens: RefreshTokenService;
  outbox: OutboxRepository;
  relay: OutboxRelay;
  throttle: LoginThrottle;
  sessions: SessionRevocationWriter;
  metrics: AuthMetrics;
  logger: Logger;
}

/**
 * What a signed-in person does to their own account: change the password, see and end their
 * sessions, delete the account. Each acts only on the caller's account (from the access token);
 * the ones that need the password count against the login limits, so they are no way around them.
 */
export class AccountSettingsService {
  constructor(private readonly deps: AccountSettingsDeps) {}

  /** Replaces the password and ends every other session at once; the caller's stays. */
  async changePassword(principal: Principal, input: ChangePasswordRequest, ip: string): Promise<void> {
    const problems = passwordProblems(input.newPassword, 'newPassword');
    if (problems.length > 0) throw new ValidationError('The request body is invalid', problems);
    const credential = await this.confirmPassword(principal.userId, input.currentPassword, ip, 'currentPassword');

    const passwordHash = await this.deps.hasher.hash(input.newPassword);
    const ended = await this.deps.dataSource.transaction(async (manager) => {
      await this.deps.credentials.updatePasswordHash(credential.id, passwordHash, manager);
      const families = await this.deps.refreshTokens.revokeOthersOfUser(credential.id, principal.sessionId, manager);
      // Session by session, not a not-before time: that would end the caller's session too.
      // Inside the transaction: if Redis cannot record it, the password stays unchanged (503).
      for (const familyId of families) await this.deps.sessions.revokeSession(credential.id, familyId, 'password-change');
      return families.length;
    });
    this.deps.logger.info({ userId: credential.id, endedSessions: ended }, 'password changed');
  }

  async listSessions(principal: Principal): Promise<AccountSession[]> {
    const rows = await this.deps.refreshTokens.listSessions(principal.userId);
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: row.lastUsedAt.toISOString(),
      userAgent: row.userAgent,
      ip: row.ip,
      current: row.id === principal.sessionId,
    }));
  }

  /** Ends one session of the caller; someone else's (or an ended) session is "not found". */
  async endSession(principal: Principal, sessionId: string): Promise<void> {
    if (!(await this.deps.refreshTokens.revokeSessionOf(principal.userId, sessionId))) throw new NotFoundError('No such session');
    await this.deps.sessions.revokeSession(principal.userId, sessionId, 'session-revoked');
    this.deps.logger.info({ userId: principal.userId, sessionId }, 'session ended from the sessions list');
  }

  /**
   * Deletes the credential and every session at once; the user service (profile, friends,
   * blocks) and chat-socket (room memberships) learn it through the outbox, durably. See
   * docs/decisions/0014-account-deletion.md.
   */
  async deleteAccount(principal: Principal, password: string, ip: string): Promise<void> {
    const credential = await this.confirmPassword(principal.userId, password, ip, 'password');
    const outboxIds = await this.deps.dataSource.transaction(async (manager) => {
      const families: Array<{ family_id: string }> = await manager.query(
        `SELECT DISTINCT family_id FROM auth.refresh_tokens WHERE user_id = $1`,
        [credential.id],
      );
      // Refresh tokens go with the credential (ON DELETE CASCADE).
      await manager.query(`DELETE FROM auth.credentials WHERE id = $1`, [credential.id]);
      // Each session by its id as well as by the not-before time: a token issued in the very
      // second of an earlier not-before carries that second and would outlive a second one.
      for (const { family_id: familyId } of families) await this.deps.sessions.revokeSession(credential.id, familyId, 'account-deleted');
      // A provisioning still pending would bring the profile back after its removal; an address
      // state still pending would wait for a profile that is gone.
      await this.deps.outbox.cancelPending(manager, PROFILE_PROVISION, credential.id);
      await this.deps.outbox.cancelPending(manager, PROFILE_EMAIL, credential.id);
      const ids = [
        await this.deps.outbox.add(manager, PROFILE_DELETE, { userId: credential.id }),
        await this.deps.outbox.add(manager, CHAT_MEMBERSHIPS_DELETE, { userId: credential.id }),
      ];
      await this.deps.sessions.revokeUserSessions(credential.id, 'account-deleted');
      return ids;
    });
    this.deps.logger.info({ userId: credential.id }, 'account deleted');
    for (const id of outboxIds) await this.deps.relay.deliverNow(id);
  }

  /** The caller's password, checked under the login limits; a wrong one is a 400 on `path` (not a 401: the session is fine). */
  private async confirmPassword(userId: string, password: string, ip: string, path: string): Promise<CredentialEntity> {
    const credential = await this.deps.credentials.findById(userId);
    if (!credential) throw new UnauthorizedError('The account no longer exists');
    const accountKey = `user:${credential.id}`;
    // Counted like a login attempt (the throttle records its own rejections).
    await this.deps.throttle.acquire(accountKey, ip);
    this.deps.metrics.passwordVerifications.inc();
    if (!(await this.deps.hasher.verify(credential.passwordHash, password))) {
      throw new ValidationError('The password is incorrect', [{ path, message: 'is incorrect' }]);
    }
    await this.deps.throttle.succeeded(accountKey, ip);
    return credential;
  }
}
