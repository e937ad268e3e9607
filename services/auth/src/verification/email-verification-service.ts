import type { DataSource } from 'typeorm';
import type { AuthUser } from '@parley/contracts';
import { ConflictError, UnauthorizedError } from '@parley/errors';
import type { Producer } from '@parley/queues';
import { toAuthUser } from '../credentials/auth-user.js';
import type { CredentialEntity } from '../credentials/credential.entity.js';
import type { CredentialRepository } from '../credentials/credential-repository.js';
import { PROFILE_EMAIL } from '../outbox/outbox-message.entity.js';
import type { OutboxRelay } from '../outbox/outbox-relay.js';
import type { OutboxRepository } from '../outbox/outbox-repository.js';
import { codeCheckError } from './code-check-error.js';
import type { CodeRequestLimits } from './code-request-limits.js';
import type { OneTimeCodes } from './one-time-codes.js';
import { emailVerificationMail } from './verification-mail.js';

export interface EmailVerificationDeps {
  dataSource: DataSource;
  credentials: CredentialRepository;
  outbox: OutboxRepository;
  relay: OutboxRelay;
  codes: OneTimeCodes;
  limits: CodeRequestLimits;
  mail: Producer<'mail'>;
}

/** Proves a signed-in user owns their email address with a mailed one-time code. */
export class EmailVerificationService {
  constructor(private readonly deps: EmailVerificationDeps) {}

  async request(userId: string, ip: string): Promise<void> {
    const credential = await this.unverifiedAccount(userId);
    await this.deps.limits.consume(`user:${credential.id}`, ip);
    const code = await this.deps.codes.issue('email-verification', credential.id);
    const mail = emailVerificationMail(credential.email, credential.username, code);
    await this.deps.mail.add({ name: mail.kind, data: mail });
  }

  async confirm(userId: string, code: string): Promise<AuthUser> {
    const credential = await this.unverifiedAccount(userId);
    const check = await this.deps.codes.check('email-verification', credential.id, code);
    if (check.status !== 'ok') throw codeCheckError(check);
    // Same transaction: the profile learns of every confirmation (mention digests mail only confirmed addresses).
    const outboxId = await this.deps.dataSource.transaction(async (manager) => {
      const state = await this.deps.credentials.markEmailVerified(credential.id, manager);
      return state && this.deps.outbox.add(manager, PROFILE_EMAIL, { userId: credential.id, ...state });
    });
    if (outboxId) await this.deps.relay.deliverNow(outboxId);
    return toAuthUser({ ...credential, emailVerified: true });
  }

  private async unverifiedAccount(userId: string): Promise<CredentialEntity> {
    const credential = await this.deps.credentials.findById(userId);
    if (!credential) throw new UnauthorizedError('The account no longer exists');
    if (credential.emailVerified) throw new ConflictError('The email address is already verified');
    return credential;
  }
}
