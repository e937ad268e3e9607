export { sendRateKey, idempotencyKey, acceptedHashKey, openMessageJobKey, recentWindowKey, roomSequenceKey, unpersistedBatchesKey, unpersistedMessagesKey, messageQueuesKey, messageKeyLayoutKey, messageShardKeyPrefix } from './message-keys.js';
export type { MessageShardKeys } from './message-keys.js';
export { presenceKey, presenceIndexKey, presenceLastSeenKey, presenceSweepLockKey } from './presence-keys.js';
export { revokedSessionKey, sessionsNotBeforeKey } from './session-keys.js';
export { notificationsChannel, blocksChangedChannel, sessionsRevokedChannel, socketIoAdapterChannelPrefix } from './channels.js';
export { oneTimeCodeKey, authRateLimitPrefix, userRateLimitPrefix, workerIdLeaseKey, bullPrefix } from './service-keys.js';
export { KEYSPACE_CATALOG, renderKeyspaceTable } from './keyspace-catalog.js';
export type { KeyspaceEntry } from './keyspace-catalog.js';
