import { createDataSource, type DataSource } from '@parley/db';
import { CredentialEntity } from './credentials/credential.entity.js';
import { CreateAuthTables1732200000000 } from './migrations/1732200000000-create-auth-tables.js';
import { AddSessionDetails1765000000000 } from './migrations/1765000000000-add-session-details.js';
import { EmailVersion1797100000000 } from './migrations/1797100000000-email-version.js';
import { OutboxMessageEntity } from './outbox/outbox-message.entity.js';
import { RefreshTokenEntity } from './sessions/refresh-token.entity.js';

/** The auth service owns this PostgreSQL schema; no other service reads it. */
export const AUTH_SCHEMA = 'auth';

export const AUTH_ENTITIES = [CredentialEntity, RefreshTokenEntity, OutboxMessageEntity];
export const AUTH_MIGRATIONS = [CreateAuthTables1732200000000, AddSessionDetails1765000000000, EmailVersion1797100000000];

export interface AuthDatabaseSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

export function createAuthDataSource(settings: AuthDatabaseSettings): DataSource {
  return createDataSource({
    url: settings.url,
    schema: AUTH_SCHEMA,
    entities: AUTH_ENTITIES,
    migrations: AUTH_MIGRATIONS,
    poolSize: settings.poolSize,
    applicationName: settings.applicationName ?? 'parley-auth',
  });
}
