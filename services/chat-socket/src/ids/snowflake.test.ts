import { describe, expect, it } from 'vitest';
import { messageIdAt } from '@parley/chat-store';
import { ClockMovedBackwardsError, decodeSnowflake, encodeSnowflake, MAX_WORKER_ID, PARLEY_EPOCH_MS, SnowflakeGenerator, sortableId } from './snowflake.js';

describe('snowflake ids', () => {
  it('are strictly increasing within one generator, also as zero-padded strings', async () => {
    const generator = new SnowflakeGenerator({ workerId: 7 });
    const ids: string[] = [];
    for (let index = 0; index < 10_000; index += 1) ids.push(await generator.next());
    for (let index = 1; index < ids.length; index += 1) {
      expect(BigInt(ids[index]!) > BigInt(ids[index - 1]!)).toBe(true);
      expect(sortableId(ids[index]!) > sortableId(ids[index - 1]!)).toBe(true);
    }
  });

  it('never collide between two generators with different worker ids, even in the same millisecond', async () => {
    const now = () => 1_750_000_000_000;
    let clock = now();
    const first = new SnowflakeGenerator({ workerId: 1, now: () => clock });
    const second = new SnowflakeGenerator({ workerId: 2, now: () => clock });
    const seen = new Set<string>();
    for (let index = 0; index < 3_000; index += 1) {
      if (index % 1_000 === 0) clock += 1;
      seen.add(await first.next());
      seen.add(await second.next());
    }
    expect(seen.size).toBe(6_000);
  });

  it('decode to the time, worker id and sequence they were made with', async () => {
    const at = Date.UTC(2030, 5, 1, 12, 0, 0, 123);
    const generator = new SnowflakeGenerator({ workerId: 1023, now: () => at });
    const first = decodeSnowflake(await generator.next());
    const second = decodeSnowflake(await generator.next());
    expect(first).toEqual({ timestampMs: at, workerId: 1023, sequence: 0 });
    expect(second).toEqual({ timestampMs: at, workerId: 1023, sequence: 1 });
    expect(first.timestampMs - PARLEY_EPOCH_MS).toBeLessThan(2 ** 41);
  });

  it('moves to the next millisecond when the 4096 ids of one are used up', async () => {
    let clock = 1_750_000_000_000;
    const generator = new SnowflakeGenerator({ workerId: 3, now: () => clock });
    for (let index = 0; index < 4096; index += 1) expect(typeof generator.tryNext()).toBe('string');
    expect(generator.tryNext()).toEqual({ waitMs: 1 });
    clock += 1;
    const next = generator.tryNext();
    expect(typeof next).toBe('string');
    expect(decodeSnowflake(next as string)).toEqual({ timestampMs: clock, workerId: 3, sequence: 0 });
  });

  it('waits for the clock to catch up when it moves backwards, and refuses a large jump back', async () => {
    let clock = 1_750_000_000_000;
    const generator = new SnowflakeGenerator({ workerId: 5, now: () => clock, maxBackwardDriftMs: 1_000 });
    const before = await generator.next();
    clock -= 3;
    expect(generator.tryNext()).toEqual({ waitMs: 3 });
    const pending = generator.next();
    setTimeout(() => {
      clock += 4;
    }, 5);
    const after = await pending;
    expect(BigInt(after) > BigInt(before)).toBe(true);
    clock -= 10_000;
    await expect(generator.next()).rejects.toBeInstanceOf(ClockMovedBackwardsError);
  });

  it('rejects worker ids outside 0..1023', () => {
    expect(() => new SnowflakeGenerator({ workerId: 1024 })).toThrow(RangeError);
    expect(() => new SnowflakeGenerator({ workerId: -1 })).toThrow(RangeError);
  });

  it('fall in the message partition of their moment (chat.messages is partitioned by these ids)', () => {
    const at = Date.UTC(2026, 11, 6, 13, 0, 0, 123);
    const lowest = BigInt(encodeSnowflake(at, 0, 0));
    const highest = BigInt(encodeSnowflake(at, MAX_WORKER_ID, 4095));
    expect(lowest).toBe(messageIdAt(at));
    expect(highest).toBeLessThan(messageIdAt(at + 1));
  });
});
