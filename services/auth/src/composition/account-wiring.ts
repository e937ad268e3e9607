import type { ResourceStack } from '@parley/lifecycle';
import type { Logger } from '@parley/logger';
import type { Producer } from '@parley/queues';
import { createRateLimit } from '@parley/rate-limit';
import { authRateLimitPrefix } from '@parley/keyspace';
import { AccountService } from '../accounts/account-service.js';
import { AccountSettingsService } from '../accounts/account-settings-service.js';
import { LoginThrottle } from '../accounts/login-throttle.js';
import type { AuthMetrics } from '../auth-metrics.js';
import type { AuthConfig } from '../config.js';
import { CredentialRepository } from '../credentials/credential-repository.js';
import { createPasswordHasher } from '../credentials/password-hasher.js';
import { createChatMembershipsClient } from '../outbox/chat-memberships-client.js';
import { createOutboxRelay, type OutboxRelay } from '../outbox/outbox-relay.js';
import { OutboxRepository } from '../outbox/outbox-repository.js';
import { createProfileProvisioningClient } from '../outbox/profile-provisioning-client.js';
import { CodeRequestLimits } from '../verification/code-request-limits.js';
import { EmailVerificationService } from '../verification/email-verification-service.js';
import { OneTimeCodes } from '../verification/one-time-codes.js';
import { PasswordResetService } from '../verification/password-reset-service.js';
import type { AuthStores } from './auth-stores.js';
import type { SessionWiring } from './session-wiring.js';

export interface AccountWiring {
  accounts: AccountService;
  settings: AccountSettingsService;
  emailVerification: EmailVerificationService;
  passwordReset: PasswordResetService;
}

export interface AccountWiringDeps {
  config: AuthConfig;
  logger: Logger;
  stores: AuthStores;
  sessions: SessionWiring;
  mail: Producer<'mail'>;
  metrics: AuthMetrics;
  resources: ResourceStack;
}

const REGISTER_WINDOW_SECONDS = 3_600;

/** The outbox relay to the user and chat services, started (and registered for closing). */
function startOutboxRelay(config: AuthConfig, logger: Logger, outbox: OutboxRepository, resources: ResourceStack): OutboxRelay {
  const relay = createOutboxRelay({
    repository: outbox,
    provisioning: config.USER_SERVICE_URL
      ? createProfileProvisioningClient({ userServiceUrl: config.USER_SERVICE_URL, internalToken: config.INTERNAL_API_TOKEN })
      : undefined,
    chat: config.CHAT_SERVICE_URL
      ? createChatMembershipsClient({ chatServiceUrl: config.CHAT_SERVICE_URL, internalToken: config.INTERNAL_API_TOKEN })
      : undefined,
    intervalMs: config.OUTBOX_RELAY_INTERVAL_MS,
    logger,
  });
  relay.start();
  resources.add('outbox-relay', () => relay.stop());
  return relay;
}

/** Accounts, their settings, e-mail verification and password reset, with their limits. */
export function wireAccounts(deps: AccountWiringDeps): AccountWiring {
  const { config, logger, metrics, mail } = deps;
  const { dataSource, redis } = deps.stores;
  const { refreshTokens, sessionWriter: sessions } = deps.sessions;
  const credentials = new CredentialRepository(dataSource);
  const hasher = createPasswordHasher({
    memoryCost: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_TIME_COST,
    parallelism: config.ARGON2_PARALLELISM,
  });
  const outbox = new OutboxRepository(dataSource);
  const relay = startOutboxRelay(config, logger, outbox, deps.resources);
  const throttle = new LoginThrottle({
    redis,
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
    perAccountIp: config.LOGIN_LIMIT_PER_ACCOUNT_IP,
    perIp: config.LOGIN_LIMIT_PER_IP,
    windowSeconds: config.LOGIN_LIMIT_WINDOW_SECONDS,
    metrics,
  });
  const registerLimit = createRateLimit({
    redis,
    keyPrefix: authRateLimitPrefix(config.REDIS_KEY_PREFIX, 'register-ip'),
    points: config.REGISTER_LIMIT_PER_IP,
    durationSeconds: REGISTER_WINDOW_SECONDS,
  });
  const signer = deps.sessions.signer;
  const accounts = new AccountService({ dataSource, credentials, hasher, refreshTokens, signer, outbox, relay, throttle, sessions, registerLimit, metrics, logger });
  const settings = new AccountSettingsService({ dataSource, credentials, hasher, refreshTokens, outbox, relay, throttle, sessions, metrics, logger });
  const codes = new OneTimeCodes(redis, config.REDIS_KEY_PREFIX);
  const limits = new CodeRequestLimits({
    redis,
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
    perAccount: config.CODE_REQUEST_LIMIT_PER_ACCOUNT,
    perIp: config.CODE_REQUEST_LIMIT_PER_IP,
    windowSeconds: config.CODE_REQUEST_LIMIT_WINDOW_SECONDS,
    metrics,
  });
  return {
    accounts,
    settings,
    emailVerification: new EmailVerificationService({ dataSource, credentials, outbox, relay, codes, limits, mail }),
    passwordReset: new PasswordResetService({ dataSource, credentials, hasher, refreshTokens, codes, limits, mail, sessions, outbox, relay, logger }),
  };
}
