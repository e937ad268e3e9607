import { describe, expect, it } from 'vitest';
import * as keyspace from './index.js';
import { KEYSPACE_CATALOG, renderKeyspaceTable } from './keyspace-catalog.js';

/** The slot-deciding part of a key (Redis Cluster): the first `{…}` with content, else the key. */
function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

const nameFunctions = Object.entries(keyspace).filter(([name, value]) => typeof value === 'function' && name !== 'renderKeyspaceTable');

describe('the keyspace', () => {
  it('puts every name under the install prefix, so installs sharing a Redis stay apart', () => {
    // messageShardKeyPrefix takes a shard number; its own test below covers it.
    for (const [name, build] of nameFunctions.filter(([name]) => name !== 'messageShardKeyPrefix')) {
      const args = Array.from({ length: (build as (...args: unknown[]) => string).length - 1 }, (_, index) => `arg${index}`);
      const value = (build as (...args: unknown[]) => string)('install-a:', ...args);
      expect(value, name).toMatch(/^install-a:/);
      expect((build as (...args: unknown[]) => string)('install-b:', ...args), name).toBe(value.replace(/^install-a:/, 'install-b:'));
    }
  });

  it('keeps the names a running install already uses (an upgrade finds its data)', () => {
    const p = 'parley:';
    expect(keyspace.sendRateKey(p, 'u1')).toBe('parley:send-rate:u1');
    expect(keyspace.idempotencyKey(p, 'u1', 'c1')).toBe('parley:msg-idem:u1:c1');
    expect(keyspace.acceptedHashKey(p, 'm1')).toBe('parley:msg-accepted:m1');
    expect(keyspace.recentWindowKey(p, 'r1')).toBe('parley:room-recent:r1');
    expect(keyspace.roomSequenceKey(p, 'r1')).toBe('parley:room-seq:r1');
    expect(keyspace.unpersistedBatchesKey(p)).toBe('parley:msg-unpersisted:batches');
    expect(keyspace.unpersistedMessagesKey(p)).toBe('parley:msg-unpersisted:messages');
    expect(keyspace.messageQueuesKey(p)).toBe('parley:msg-queues');
    expect(keyspace.presenceKey(p, 'u1')).toBe('parley:presence:user:u1');
    expect(keyspace.presenceIndexKey(p)).toBe('parley:presence:index');
    expect(keyspace.presenceLastSeenKey(p)).toBe('parley:presence:last-seen');
    expect(keyspace.presenceSweepLockKey(p)).toBe('parley:presence:sweep-lock');
    expect(keyspace.revokedSessionKey(p, 'u1', 's1')).toBe('parley:session:{u1}:revoked:s1');
    expect(keyspace.sessionsNotBeforeKey(p, 'u1')).toBe('parley:session:{u1}:not-before');
    expect(keyspace.oneTimeCodeKey(p, 'email-verification', 'u1')).toBe('parley:otp:email-verification:u1');
    expect(keyspace.authRateLimitPrefix(p, 'login-ip')).toBe('parley:rl:login-ip');
    expect(keyspace.userRateLimitPrefix(p, 'friend-requests')).toBe('parley:user:rate:friend-requests');
    expect(keyspace.workerIdLeaseKey(p, 7)).toBe('parley:snowflake:worker:7');
    expect(keyspace.bullPrefix(p)).toBe('parley:bull');
    expect(keyspace.notificationsChannel(p)).toBe('parley:events:notifications');
    expect(keyspace.blocksChangedChannel(p)).toBe('parley:events:blocks-changed');
    expect(keyspace.sessionsRevokedChannel(p)).toBe('parley:events:user-sessions-revoked');
    expect(keyspace.socketIoAdapterChannelPrefix(p)).toBe('parley:socket.io');
  });

  it('keeps both session keys of a user in one hash slot (one MGET reads them, also on Redis Cluster)', () => {
    const revoked = keyspace.revokedSessionKey('parley:', 'user-1', 'session-9');
    const notBefore = keyspace.sessionsNotBeforeKey('parley:', 'user-1');
    expect(hashTagOf(revoked)).toBe('user-1');
    expect(hashTagOf(notBefore)).toBe(hashTagOf(revoked));
    expect(hashTagOf(keyspace.sessionsNotBeforeKey('parley:', 'user-2'))).not.toBe(hashTagOf(revoked));
  });

  it('gives the keys of one room no hash tag of their own: the accept script mixes rooms, senders and BullMQ keys, kept together on a cluster by the prefix\'s tag', () => {
    for (const key of [keyspace.recentWindowKey('parley:', 'room-1'), keyspace.roomSequenceKey('parley:', 'room-1')]) {
      expect(hashTagOf(key)).toBe(key);
    }
  });

  it('with a hash-tagged prefix (Redis Cluster) keeps every key of the install, BullMQ\'s included, in one slot', () => {
    const p = '{parley}:';
    const keys = [
      keyspace.sendRateKey(p, 'u1'),
      keyspace.idempotencyKey(p, 'u1', 'c1'),
      keyspace.recentWindowKey(p, 'r1'),
      keyspace.roomSequenceKey(p, 'r1'),
      keyspace.unpersistedBatchesKey(p),
      keyspace.messageQueuesKey(p),
      keyspace.presenceKey(p, 'u1'),
      keyspace.revokedSessionKey(p, 'u1', 's1'),
      keyspace.sessionsNotBeforeKey(p, 'u1'),
      keyspace.workerIdLeaseKey(p, 7),
      // BullMQ names a queue's keys `<bullPrefix>:<queue>:…`; the accept script adds jobs itself.
      `${keyspace.bullPrefix(p)}:messages:wait`,
      `${keyspace.bullPrefix(p)}:messages:42`,
      `${keyspace.bullPrefix(p)}:messages-3:wait`,
    ];
    for (const key of keys) expect(hashTagOf(key), key).toBe('parley');
  });

  it('gives each message shard but shard 0 a hash tag of its own with MESSAGE_SHARD_KEYS=shard, so a cluster spreads the shards\' queues and keys', () => {
    const p = '{parley}:';
    expect(keyspace.messageShardKeyPrefix(p, 0, 'shard')).toBe(p);
    expect(keyspace.messageShardKeyPrefix(p, 3, 'shard')).toBe('{parley:m3}:');
    expect(keyspace.messageShardKeyPrefix('pre-{install-b}:x:', 12, 'shard')).toBe('pre-{install-b:m12}:x:');
    expect(keyspace.messageShardKeyPrefix('parley:', 3, 'shard')).toBe('parley:m3:');
    for (const shard of [0, 1, 7]) expect(keyspace.messageShardKeyPrefix(p, shard, 'install')).toBe(p);
    const tags = Array.from({ length: 8 }, (_, shard) => hashTagOf(keyspace.roomSequenceKey(keyspace.messageShardKeyPrefix(p, shard, 'shard'), 'r1')));
    expect(new Set(tags).size).toBe(8);
    // Every key one accept script of shard 3 touches, BullMQ's included, shares that shard's tag.
    const s3 = keyspace.messageShardKeyPrefix(p, 3, 'shard');
    const scriptKeys = [
      keyspace.sendRateKey(s3, 'u1'),
      keyspace.idempotencyKey(s3, 'u1', 'c1'),
      keyspace.recentWindowKey(s3, 'r1'),
      keyspace.roomSequenceKey(s3, 'r1'),
      keyspace.acceptedHashKey(s3, 'm1'),
      keyspace.unpersistedBatchesKey(s3),
      keyspace.unpersistedMessagesKey(s3),
      `${keyspace.bullPrefix(s3)}:messages-3:wait`,
    ];
    for (const key of scriptKeys) expect(hashTagOf(key), key).toBe('parley:m3');
    expect(() => keyspace.messageShardKeyPrefix(p, -1, 'shard')).toThrow(RangeError);
  });

  it('drops the hash tag from the socket.io adapter channel prefix, so sharded room channels spread over the cluster', () => {
    expect(keyspace.socketIoAdapterChannelPrefix('{parley}:')).toBe('parley:socket.io');
    expect(keyspace.socketIoAdapterChannelPrefix('{install-b}:')).toBe('install-b:socket.io');
    const channel = `${keyspace.socketIoAdapterChannelPrefix('{parley}:')}#/#room:r1#`;
    expect(hashTagOf(channel)).toBe(channel);
  });

  it('lists every name in the generated table, each once', () => {
    const listed = KEYSPACE_CATALOG.map((entry) => entry.name);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(nameFunctions.map(([name]) => name).sort());
    const table = renderKeyspaceTable();
    for (const entry of KEYSPACE_CATALOG) expect(table).toContain(`\`${entry.name}\``);
    expect(table).toContain('`<prefix>room-seq:<roomId>`');
  });
});
