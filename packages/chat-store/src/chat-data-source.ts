import { createDataSource, type DataSource } from '@parley/db';
import { CHAT_ENTITIES } from './chat-entities.js';
import { CreateChatSchema1763700000000 } from './migrations/1763700000000-create-chat-schema.js';
import { AddMessageSeq1764000000000 } from './migrations/1764000000000-add-message-seq.js';
import { CreateMessageDeadLetters1796500000000 } from './migrations/1796500000000-create-message-dead-letters.js';
import { RoomSettingsAndEvents1796600000000 } from './migrations/1796600000000-room-settings-and-events.js';
import { TimelineEvents1796700000000 } from './migrations/1796700000000-timeline-events.js';
import { RepliesAndMentions1796750000000 } from './migrations/1796750000000-replies-and-mentions.js';
import { Attachments1796850000000 } from './migrations/1796850000000-attachments.js';
import { MessageSearchIndex1796900000000 } from './migrations/1796900000000-message-search-index.js';
import { PartitionedMessages1797000000000 } from './migrations/1797000000000-partitioned-messages.js';
import { MentionDigestItems1797050000000 } from './migrations/1797050000000-mention-digest-items.js';

export const CHAT_SCHEMA = 'chat';
export const CHAT_MIGRATIONS = [CreateChatSchema1763700000000, AddMessageSeq1764000000000, CreateMessageDeadLetters1796500000000, RoomSettingsAndEvents1796600000000, TimelineEvents1796700000000, RepliesAndMentions1796750000000, Attachments1796850000000, MessageSearchIndex1796900000000, PartitionedMessages1797000000000, MentionDigestItems1797050000000];

/** The chat schema is shared by chat-socket (rooms, history) and the persistence worker (writes). */
export function createChatDataSource(settings: { url: string; poolSize?: number; applicationName: string }): DataSource {
  return createDataSource({
    url: settings.url,
    schema: CHAT_SCHEMA,
    entities: CHAT_ENTITIES,
    migrations: CHAT_MIGRATIONS,
    poolSize: settings.poolSize,
    applicationName: settings.applicationName,
  });
}
