export { RoomEntity, RoomMemberEntity, MessageEntity, NotificationEntity, RoomEventEntity, RoomInviteEntity, CHAT_ENTITIES } from './chat-entities.js';
export { createChatDataSource, CHAT_SCHEMA, CHAT_MIGRATIONS } from './chat-data-source.js';
export { insertMessageBatch, storeMessageBatch, highestStoredSeq, toMessage, attachReactions } from './message-store.js';
export type { RoomMembership, StoredBatch } from './message-store.js';
export { fetchMessagePage, historyFloors, historyStatement } from './message-history.js';
export type { HistoryPage, HistoryReadOptions, HistoryStatement } from './message-history.js';
export { fetchMessagesByIds } from './message-lookup.js';
export { recordFriendRequestNotification, recordMessageNotifications } from './notification-store.js';
export type { FriendRequestNotification } from './notification-store.js';
export { onlineRange } from './presence-lease.js';
export { FINISH_BATCH_LUA } from './unpersisted-ledger.js';
export { insertDeadLetters, listDeadLetters, findDeadLetter, DEAD_LETTER_REASONS } from './message-dead-letters.js';
export type { DeadLetter, DeadLetterInput, DeadLetterReason } from './message-dead-letters.js';
export { foldTimelineEvents, fetchMessageRevisions, findStoredTarget } from './timeline-store.js';
export { SEARCH_LANGUAGES, searchVectorSql, searchIndexName, createSearchIndexSql, ensureSearchIndex } from './message-search-sql.js';
export type { SearchLanguage } from './message-search-sql.js';
export { searchMessages, chooseSearchStrategy, explainMessageSearch, storedMessageSeq, MATCH_START, MATCH_STOP, LESS_THAN } from './message-search.js';
export type { MessageSearchRequest, MessageSearchRow, SearchPosition, SearchStrategy } from './message-search.js';
export { attachReplyQuotes, fetchReplyQuotes, findReplyParent } from './reply-quotes.js';
export { foldReplies, fetchReplyPage, fetchStoredMessage, type ReplyPageRequest } from './thread-store.js';
export { recordMentionNotifications } from './mention-notifications.js';
export {
  ensureMessagePartitions,
  dropExpiredMessagePartitions,
  listMessagePartitions,
  ensureMessagePartitionsFor,
  PARTITIONS_FOR_IDS_LOCK_TIMEOUT_MS,
  MESSAGE_PARTITIONS_LOCK_KEY,
  messageIdAt,
  partitionStart,
  partitionName,
  MESSAGE_ID_EPOCH_MS,
  MESSAGE_ID_TIME_SHIFT,
  PARTITION_MS,
  DEFAULT_WEEKS_AHEAD,
} from './message-partitions.js';
export type { MessagePartition } from './message-partitions.js';
export { recordMentionDigestItems, claimMentionDigest, settleMentionDigest } from './mention-digest-store.js';
export type { MentionDigestItem, OpenMentionDigestWindow, ClaimedMentionDigest } from './mention-digest-store.js';
