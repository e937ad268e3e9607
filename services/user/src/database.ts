import { createDataSource, type DataSource } from '@parley/db';
import { BlockEntity } from './blocks/block.entity.js';
import { FriendRequestEntity } from './friends/friend-request.entity.js';
import { FriendshipEntity } from './friends/friendship.entity.js';
import { CreateUserTables1732200000000 } from './migrations/1732200000000-create-user-tables.js';
import { MentionDigestPreference1797000000000 } from './migrations/1797000000000-mention-digest-preference.js';
import { ProfileEmailVerified1797100000000 } from './migrations/1797100000000-profile-email-verified.js';
import { ProfileEntity } from './profiles/profile.entity.js';

/** The PostgreSQL schema this service owns; migrations create their tables in it. */
export const USER_SCHEMA = 'users';

export const userEntities = [ProfileEntity, FriendRequestEntity, FriendshipEntity, BlockEntity];
export const userMigrations = [CreateUserTables1732200000000, MentionDigestPreference1797000000000, ProfileEmailVerified1797100000000];

export interface UserDataSourceSettings {
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
}

export function createUserDataSource(settings: UserDataSourceSettings): DataSource {
  return createDataSource({
    url: settings.DATABASE_URL,
    schema: USER_SCHEMA,
    entities: userEntities,
    migrations: userMigrations,
    poolSize: settings.DATABASE_POOL_SIZE,
    applicationName: 'parley-user',
  });
}
