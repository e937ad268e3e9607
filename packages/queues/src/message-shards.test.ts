import { describe, expect, it } from 'vitest';
import {
  isMessageQueueName,
  MAX_MESSAGE_QUEUE_SHARDS,
  messageQueueName,
  messageQueueNames,
  messageShardOf,
  parseShardSelection,
  shardOfMessageQueue,
} from './message-shards.js';
import { bullQueueName } from './open-queue.js';

const roomIds = Array.from({ length: 4_000 }, (_, index) => `0192f0c4-7a1e-7000-8000-${index.toString(16).padStart(12, '0')}`);

describe('the shard of a room', () => {
  it('is a fixed function of the room id: the same in every process and version (FNV-1a, no seed)', () => {
    // Pinned values: a change here would send a running install's rooms to other queues.
    expect(messageShardOf('', 4)).toBe(0x811c9dc5 % 4);
    expect(messageShardOf('a', 1_000_003)).toBe(0xe40c292c % 1_000_003);
    expect(messageShardOf('foobar', 1_000_003)).toBe(0xbf9cf968 % 1_000_003);
    expect(messageShardOf('room-1', 4)).toBe(messageShardOf('room-1', 4));
    for (const roomId of roomIds.slice(0, 50)) expect(messageShardOf(roomId, 7)).toBe(messageShardOf(`${roomId}`, 7));
  });

  it('puts every room in shard 0 with one shard, and always in range', () => {
    for (const roomId of roomIds.slice(0, 200)) {
      expect(messageShardOf(roomId, 1)).toBe(0);
      const shard = messageShardOf(roomId, 5);
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(5);
    }
  });

  it('spreads rooms evenly over the shards (uuid-like ids differing only in their tail)', () => {
    for (const shards of [2, 4, 8, 16]) {
      const counts = new Array<number>(shards).fill(0);
      for (const roomId of roomIds) counts[messageShardOf(roomId, shards)]! += 1;
      const expected = roomIds.length / shards;
      for (const count of counts) {
        expect(count, `${shards} shards: ${counts.join(',')}`).toBeGreaterThan(expected * 0.8);
        expect(count, `${shards} shards: ${counts.join(',')}`).toBeLessThan(expected * 1.2);
      }
    }
  });

  it('hashes non-ASCII ids by their UTF-8 bytes', () => {
    expect(messageShardOf('é', 1_000_003)).toBe(messageShardOf('\u00e9', 1_000_003));
    expect(messageShardOf('é', 1_000_003)).not.toBe(messageShardOf('e\u0301', 1_000_003));
  });

  it('refuses a shard count that is not a positive integer', () => {
    for (const shards of [0, -1, 1.5, Number.NaN]) expect(() => messageShardOf('room', shards)).toThrow(RangeError);
  });
});

describe('the queue names of the shards', () => {
  it('keeps the single queue\'s name for shard 0, so one shard is the install as before', () => {
    expect(messageQueueNames(1)).toEqual(['messages']);
    expect(messageQueueNames(4)).toEqual(['messages', 'messages-1', 'messages-2', 'messages-3']);
    expect(messageQueueName(12)).toBe('messages-12');
    expect(() => messageQueueName(-1)).toThrow(RangeError);
  });

  it('is what producers, consumers and queue handles use for a shard of messages, and only for messages', () => {
    expect(bullQueueName('messages', undefined)).toBe('messages');
    expect(bullQueueName('messages', 0)).toBe('messages');
    expect(bullQueueName('messages', 3)).toBe('messages-3');
    expect(bullQueueName('mail', undefined)).toBe('mail');
    expect(() => bullQueueName('notifications', 1)).toThrow(/only the messages queue is sharded/);
  });

  it('reads a shard back from its queue name and tells message queues from others', () => {
    for (const shard of [0, 1, 9, MAX_MESSAGE_QUEUE_SHARDS - 1]) expect(shardOfMessageQueue(messageQueueName(shard))).toBe(shard);
    for (const name of ['messages', 'messages-3']) expect(isMessageQueueName(name)).toBe(true);
    for (const name of ['notifications', 'messages-', 'messages-x', 'messages-1-2', 'xmessages', 'messages-1 ']) expect(isMessageQueueName(name), name).toBe(false);
    expect(() => shardOfMessageQueue('mail')).toThrow(RangeError);
  });
});

describe('WORKER_QUEUE_SHARDS', () => {
  it('takes all shards, single shards and ranges, in order and without repeats', () => {
    expect(parseShardSelection('all', 4)).toEqual({ shards: [0, 1, 2, 3] });
    expect(parseShardSelection('', 2)).toEqual({ shards: [0, 1] });
    expect(parseShardSelection('0-3', 8)).toEqual({ shards: [0, 1, 2, 3] });
    expect(parseShardSelection('5, 0,2-3,3', 8)).toEqual({ shards: [0, 2, 3, 5] });
  });

  it('refuses shards that do not exist, backwards ranges and anything else', () => {
    expect(parseShardSelection('0-4', 4)).toEqual({ problem: 'shard 4 does not exist with 4 shard(s) (0-3)' });
    expect(parseShardSelection('3-1', 4)).toMatchObject({ problem: expect.stringMatching(/backwards/) });
    for (const spec of ['x', '1;2', '-1', '1-', '0,,1', '1.5']) expect(parseShardSelection(spec, 4), spec).toHaveProperty('problem');
  });
});
