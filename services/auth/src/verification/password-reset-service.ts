import type { DataSource } from 'typeorm';
import type { PasswordResetConfirm } from '@parley/contracts';
import { ValidationError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import type { Producer } from '@parley/queues';
import type { SessionRevocationWriter } from '@parley/auth-middleware';
import type { CredentialRepository } from '../credentials/credential-repository.js';
import type { PasswordHasher } from '../credentials/password-hasher.js';
import { passwordProblems } from '../credentials/password-policy.js';
import { PROFILE_EMAIL } from '../outbox/outbox-message.entity.js';
import type { OutboxRelay } from '../outbox/outbox-relay.js';
import type { OutboxRepository } from '../outbox/outbox-repository.js';
import type { RefreshTokenService } from '../sessions/refresh-token-service.js';
import { codeCheckError } from './code-check-error.js';
import type { CodeRequestLimits } from './code-request-limits.js';
import type { OneTimeCodes } from './one-time-codes.js';
import { passwordResetMail } from './verification-mail.js';

export interface PasswordResetDeps {
  dataSource: DataSource;
  credentials: CredentialRepository;
  hasher: PasswordHasher;
  refreshTokens: RefreshTokenService;
  codes: OneTimeCodes;
  limits: CodeRequestLimits;
  mail: Producer<'mail'>;
  sessions: SessionRevocationWriter;
  outbox: OutboxRepository;
  relay: OutboxRelay;
  logger: Logger;
}

/**
 * Password reset by a mailed one-time code. Requests never reveal whether an account exists;
 * a completed reset replaces the hash and ends every session of the account.
 */
export class PasswordResetService {
  constructor(private readonly deps: PasswordResetDeps) {}

  /** Sends a code if the address belongs to an account; the caller always answers the same. */
  async request(email: string, ip: string): Promise<void> {
    // Limited by address, not account, so a 429 says nothing about existence either.
    await this.deps.limits.consume(`email:${email.toLowerCase()}`, ip);
    const credential = await this.deps.credentials.findByEmail(email);
    if (!credential) return;
    const code = await this.deps.codes.issue('password-reset', credential.id);
    const mail = passwordResetMail(credential.email, credential.username, code);
    await this.deps.mail.add({ name: mail.kind, data: mail });
  }

  async confirm(input: PasswordResetConfirm): Promise<void> {
    const problems = passwordProblems(input.newPassword, 'newPassword');
    if (problems.length > 0) throw new ValidationError('The request body is invalid', problems);

    const credential = await this.deps.credentials.findByEmail(input.email);
    // An unknown address fails exactly like an expired code.
    if (!credential) throw codeCheckError({ status: 'missing' });
    const check = await this.deps.codes.check('password-reset', credential.id, input.code);
    if (check.status !== 'ok') throw codeCheckError(check);

    const passwordHash = await this.deps.hasher.hash(input.newPassword);
    const { revoked, outboxId } = await this.deps.dataSource.transaction(async (manager) => {
      await this.deps.credentials.updatePasswordHash(credential.id, passwordHash, manager);
      // The code arrived by mail, so the address is proven too (and the profile learns it).
      const state = await this.deps.credentials.markEmailVerified(credential.id, manager);
      const emailMessage = state && (await this.deps.outbox.add(manager, PROFILE_EMAIL, { userId: credential.id, ...state }));
      const count = await this.deps.refreshTokens.revokeAllOfUser(credential.id, manager);
      // Every access token issued until now is refused and live sockets are closed. Inside the
      // transaction: if Redis cannot record it, the password stays unchanged (503).
      await this.deps.sessions.revokeUserSessions(credential.id, 'password-reset');
      return { revoked: count, outboxId: emailMessage };
    });
    this.deps.logger.info({ userId: credential.id, revokedRefreshTokens: revoked }, 'password reset');
    if (outboxId) await this.deps.relay.deliverNow(outboxId);
  }
}
