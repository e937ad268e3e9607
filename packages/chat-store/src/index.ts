export { RoomEntity, RoomMemberEntity, MessageEntity, NotificationEntity, RoomEventEntity, RoomInviteEntity, CHAT_ENTITIES } from './chat-entities.js';
export { createChatDataSource, CHAT_SCHEMA, CHAT_MIGRATIONS } from './chat-data-source.js';
export { insertMessageBatch, storeMessageBatch, fetchMessagePage, highestStoredSeq, toMessage, attachReactions } from './message-store.js';
export type { HistoryPage, RoomMembership, StoredBatch } from './message-store.js';
export { presenceKey, onlineRange } from './presence-keys.js';
export { notificationChannel, userRoom } from './notification-channel.js';
export { insertDeadLetters, listDeadLetters, findDeadLetter, DEAD_LETTER_REASONS } from './message-dead-letters.js';
export type { DeadLetter, DeadLetterInput, DeadLetterReason } from './message-dead-letters.js';
export { foldTimelineEvents, fetchMessageRevisions, findStoredTarget } from './timeline-store.js';
