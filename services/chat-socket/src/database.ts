import { CHAT_MIGRATIONS, CHAT_SCHEMA, createChatDataSource } from '@parley/chat-store';
import type { DataSource } from '@parley/db';

/** chat-socket owns the `chat` schema's migrations (packages/chat-store holds them, shared with the persistence worker). */
export { CHAT_SCHEMA, CHAT_MIGRATIONS };

export interface ChatDataSourceSettings {
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
}

export function createChatSocketDataSource(settings: ChatDataSourceSettings): DataSource {
  return createChatDataSource({
    url: settings.DATABASE_URL,
    poolSize: settings.DATABASE_POOL_SIZE,
    applicationName: 'parley-chat-socket',
  });
}

/** The replica history reads go to (DATABASE_READ_URL); never migrated (it replays the primary). */
export function createChatSocketReadDataSource(settings: { DATABASE_READ_URL: string; DATABASE_POOL_SIZE: number }): DataSource {
  return createChatDataSource({
    url: settings.DATABASE_READ_URL,
    poolSize: settings.DATABASE_POOL_SIZE,
    applicationName: 'parley-chat-socket-reads',
  });
}
