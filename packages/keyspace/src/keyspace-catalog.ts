import { blocksChangedChannel, notificationsChannel, sessionsRevokedChannel, socketIoAdapterChannelPrefix } from './channels.js';
import {
  acceptedHashKey,
  idempotencyKey,
  messageKeyLayoutKey,
  messageQueuesKey,
  messageShardKeyPrefix,
  openMessageJobKey,
  recentWindowKey,
  roomSequenceKey,
  sendRateKey,
  unpersistedBatchesKey,
  unpersistedMessagesKey,
} from './message-keys.js';
import { presenceIndexKey, presenceKey, presenceLastSeenKey, presenceSweepLockKey } from './presence-keys.js';
import { revokedSessionKey, sessionsNotBeforeKey } from './session-keys.js';
import { authRateLimitPrefix, bullPrefix, oneTimeCodeKey, userRateLimitPrefix, workerIdLeaseKey } from './service-keys.js';

/** What the generated table (docs/keyspace.md) says about one name. */
export interface KeyspaceEntry {
  /** The function exported by @parley/keyspace. */
  name: string;
  /** The name for the install prefix `<prefix>`, with placeholders for the other arguments. */
  pattern: string;
  /** Redis type, or `channel` for pub/sub. */
  type: string;
  writers: string;
  readers: string;
  expiry: string;
}

const P = '<prefix>';

/** Every name of the keyspace, in table order. A unit test checks it lists every export. */
export const KEYSPACE_CATALOG: readonly KeyspaceEntry[] = [
  { name: 'sendRateKey', pattern: sendRateKey(P, '<senderId>'), type: 'hash (token bucket)', writers: 'chat-socket (the accept script; with MESSAGE_SHARD_KEYS=shard the sender rate gate, always under the install prefix)', readers: 'chat-socket', expiry: 'refill time' },
  { name: 'idempotencyKey', pattern: idempotencyKey(P, '<senderId>', '<clientMsgId>'), type: 'string (message JSON)', writers: 'chat-socket', readers: 'chat-socket', expiry: 'IDEMPOTENCY_TTL_SECONDS' },
  { name: 'acceptedHashKey', pattern: acceptedHashKey(P, '<firstMessageId>'), type: 'hash id → seq', writers: 'chat-socket', readers: 'persistence-worker (deletes)', expiry: 'none (deleted when the job is done)' },
  { name: 'openMessageJobKey', pattern: openMessageJobKey(P, '<queue>'), type: 'string (`<jobId>|<accepted hash key>`)', writers: 'chat-socket (the accept script, on each new job)', readers: 'chat-socket (the accept script: may this batch join that job)', expiry: '1 hour (rewritten by every new job)' },
  { name: 'recentWindowKey', pattern: recentWindowKey(P, '<roomId>'), type: 'sorted set', writers: 'chat-socket', readers: 'chat-socket', expiry: 'window TTL' },
  { name: 'roomSequenceKey', pattern: roomSequenceKey(P, '<roomId>'), type: 'string (integer)', writers: 'chat-socket', readers: 'chat-socket', expiry: 'none' },
  { name: 'unpersistedBatchesKey', pattern: unpersistedBatchesKey(P), type: 'sorted set', writers: 'chat-socket (adds), persistence-worker (removes)', readers: 'chat-socket (backlog metrics)', expiry: 'none' },
  { name: 'unpersistedMessagesKey', pattern: unpersistedMessagesKey(P), type: 'string (integer)', writers: 'chat-socket (adds), persistence-worker (subtracts)', readers: 'chat-socket (backlog metrics)', expiry: 'none' },
  { name: 'messageQueuesKey', pattern: messageQueuesKey(P), type: 'set of BullMQ queue names', writers: 'chat-socket (its shards at start)', readers: 'persistence-worker (drains queues of other shard counts)', expiry: 'none' },
  { name: 'messageKeyLayoutKey', pattern: messageKeyLayoutKey(P), type: 'string (`<MESSAGE_SHARD_KEYS>:<shards>`)', writers: 'chat-socket (at start, when absent or the layout is compatible)', readers: 'chat-socket (refuses to start on another `shard` layout), persistence-worker (logs an error when its own differs)', expiry: 'none' },
  { name: 'messageShardKeyPrefix', pattern: `${messageShardKeyPrefix('{<tag>}:', 3, 'shard')}… or ${messageShardKeyPrefix(P, 3, 'shard')}… (shard 3, MESSAGE_SHARD_KEYS=shard)`, type: 'prefix of the message-path names above (all but sendRateKey) and of the shard\'s BullMQ queue (shard 0 and `install`: the install prefix)', writers: 'chat-socket', readers: 'persistence-worker, chat-socket', expiry: '—' },
  { name: 'presenceKey', pattern: presenceKey(P, '<userId>'), type: 'sorted set', writers: 'chat-socket', readers: 'chat-socket, persistence-worker', expiry: 'presence lease' },
  { name: 'presenceIndexKey', pattern: presenceIndexKey(P), type: 'sorted set', writers: 'chat-socket', readers: 'chat-socket', expiry: 'none' },
  { name: 'presenceLastSeenKey', pattern: presenceLastSeenKey(P), type: 'hash', writers: 'chat-socket', readers: 'chat-socket', expiry: 'none' },
  { name: 'presenceSweepLockKey', pattern: presenceSweepLockKey(P), type: 'string (lock)', writers: 'chat-socket', readers: 'chat-socket', expiry: 'lock TTL' },
  { name: 'revokedSessionKey', pattern: revokedSessionKey(P, '<userId>', '<sessionId>'), type: 'string (reason)', writers: 'auth', readers: 'every token verifier', expiry: 'access token lifetime' },
  { name: 'sessionsNotBeforeKey', pattern: sessionsNotBeforeKey(P, '<userId>'), type: 'string (epoch s:reason)', writers: 'auth', readers: 'every token verifier', expiry: 'access token lifetime' },
  { name: 'oneTimeCodeKey', pattern: oneTimeCodeKey(P, '<purpose>', '<subject>'), type: 'hash', writers: 'auth', readers: 'auth', expiry: 'code lifetime' },
  { name: 'authRateLimitPrefix', pattern: `${authRateLimitPrefix(P, '<limit>')}:<key>`, type: 'string (rate-limiter-flexible)', writers: 'auth', readers: 'auth', expiry: 'limit window' },
  { name: 'userRateLimitPrefix', pattern: `${userRateLimitPrefix(P, '<limit>')}:<key>`, type: 'string (rate-limiter-flexible)', writers: 'user', readers: 'user', expiry: 'limit window' },
  { name: 'workerIdLeaseKey', pattern: workerIdLeaseKey(P, 0).replace(/0$/, '<workerId>'), type: 'string (owner)', writers: 'chat-socket', readers: 'chat-socket', expiry: 'lease TTL (renewed)' },
  { name: 'bullPrefix', pattern: `${bullPrefix(P)}:<queue>:…`, type: 'BullMQ keys (@parley/queues)', writers: 'auth, user, chat-socket, persistence-worker', readers: 'persistence-worker, chat-socket (backlog metrics, the attachments queue)', expiry: 'per-queue retention (@parley/queues)' },
  { name: 'notificationsChannel', pattern: notificationsChannel(P), type: 'channel', writers: 'persistence-worker', readers: 'chat-socket', expiry: '—' },
  { name: 'blocksChangedChannel', pattern: blocksChangedChannel(P), type: 'channel', writers: 'user', readers: 'chat-socket', expiry: '—' },
  { name: 'sessionsRevokedChannel', pattern: sessionsRevokedChannel(P), type: 'channel', writers: 'auth', readers: 'every token verifier', expiry: '—' },
  { name: 'socketIoAdapterChannelPrefix', pattern: `${socketIoAdapterChannelPrefix(P)}…`, type: 'sharded channels (socket.io adapter); the prefix without its hash tag', writers: 'chat-socket', readers: 'chat-socket', expiry: '—' },
];

/** The Markdown table of the catalog (what docs/keyspace.md holds between its markers). */
export function renderKeyspaceTable(entries: readonly KeyspaceEntry[] = KEYSPACE_CATALOG): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = entries.map((entry) =>
    `| \`${cell(entry.pattern)}\` | \`${entry.name}\` | ${cell(entry.type)} | ${cell(entry.writers)} | ${cell(entry.readers)} | ${cell(entry.expiry)} |`,
  );
  return ['| Name | Function | Type | Written by | Read by | Expiry |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
