import { createChatDataSource } from '@parley/chat-store';
import type { DataSource } from '@parley/db';

export interface WorkerDataSourceSettings {
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
}

/**
 * The `chat` schema (entities and migrations from @parley/chat-store). chat-socket owns and
 * migrates it; this worker writes messages and notifications into it.
 */
export function createWorkerDataSource(settings: WorkerDataSourceSettings): DataSource {
  return createChatDataSource({
    url: settings.DATABASE_URL,
    poolSize: settings.DATABASE_POOL_SIZE,
    applicationName: 'parley-persistence-worker',
  });
}
