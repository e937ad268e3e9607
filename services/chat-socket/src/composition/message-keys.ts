import { createMessageKeyLayout, type MessageKeyLayout } from '@parley/queues';
import type { ChatSocketConfig } from '../config.js';

/** Where the message path's keys live for this configuration (MESSAGE_QUEUE_SHARDS, MESSAGE_SHARD_KEYS). */
export function messageKeysOf(config: Pick<ChatSocketConfig, 'REDIS_KEY_PREFIX' | 'MESSAGE_QUEUE_SHARDS' | 'MESSAGE_SHARD_KEYS'>): MessageKeyLayout {
  return createMessageKeyLayout(config.REDIS_KEY_PREFIX, config.MESSAGE_QUEUE_SHARDS, config.MESSAGE_SHARD_KEYS);
}
