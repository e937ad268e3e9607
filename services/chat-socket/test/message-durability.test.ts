import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@parley/logger';
import { Registry } from '@parley/metrics';
import { startPrivateRedis, until as pollUntil, type PrivateRedis } from '@parley/testing';
import { MessageDurability, type DurabilityMode } from '../src/durability/message-durability.js';
import { createChatMetrics } from '../src/observability/chat-metrics.js';

/**
 * What a pod says an acknowledgement promises, against a redis-server of the test's own (its
 * settings are changed with CONFIG SET, which the shared one must never see): started with
 * `appendfsync everysec`, the setting that cannot keep MESSAGE_DURABILITY=fsync.
 */
let server: PrivateRedis;
const opened: Array<{ durability: MessageDurability; redis: Redis }> = [];

beforeAll(async () => {
  server = await startPrivateRedis({ appendfsync: 'everysec' });
});

afterEach(async () => {
  for (const { durability, redis } of opened.splice(0)) {
    durability.stop();
    redis.disconnect();
  }
  // Back to what the server started with, for the next test.
  const admin = new Redis(server.url);
  await admin.config('SET', 'appendonly', 'yes');
  await admin.config('SET', 'appendfsync', 'everysec');
  admin.disconnect();
});

afterAll(async () => {
  await server?.close();
});

interface LogLine {
  level: string;
  msg: string;
  mode?: string;
  guaranteed?: boolean | null;
  detail?: string;
  replicas?: number;
  wanted?: number;
}

/**
 * A MessageDurability on its own connection, with its log lines and its gauge readable. As in
 * the pod (send-pipeline.ts), the connection is ready before it starts.
 */
async function durabilityOf(mode: DurabilityMode, options: { redis?: Redis; waitReplicas?: number } = {}) {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  const registry = new Registry();
  const metrics = createChatMetrics(registry, { connectedSockets: () => 0, localRooms: () => 0 });
  const redis = options.redis ?? new Redis(server.url);
  if (!options.redis) await new Promise((resolve) => redis.once('ready', resolve));
  const durability = new MessageDurability({
    redis,
    mode,
    waitReplicas: options.waitReplicas ?? 1,
    waitTimeoutMs: 100,
    acceptSlotKey: 'durability-test:accept',
    logger: createLogger({ service: 'durability-test', destination }),
    metrics: () => metrics,
  });
  opened.push({ durability, redis });
  const gauge = async () => {
    const match = new RegExp(`^parley_message_durability_guaranteed\\{[^}]*mode="${mode}"[^}]*\\} (\\d+)$`, 'm').exec(await registry.metrics());
    return match ? Number(match[1]) : undefined;
  };
  return { durability, redis, lines, gauge };
}

const until = (check: () => boolean, timeoutMs = 10_000) => pollUntil(check, timeoutMs, 20);

describe('MESSAGE_DURABILITY=fsync', () => {
  it('on appendfsync everysec: not guaranteed, says why in words, warns once at start, sets the gauge to 0 and still acknowledges', async () => {
    const { durability, lines, gauge } = await durabilityOf('fsync');
    expect(durability.status()).toEqual({ mode: 'fsync', guaranteed: null, detail: 'not checked yet' });

    const status = await durability.start();
    expect(status.mode).toBe('fsync');
    expect(status.guaranteed).toBe(false);
    expect(status.detail).toMatch(/^appendfsync is everysec: Redis answers before fsyncing/);
    expect(status.detail).toContain('a crash can lose about the last second of acknowledged messages');
    expect(status.detail).toContain('set appendfsync always');
    expect(durability.status()).toEqual(status);
    expect(await gauge()).toBe(0);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', msg: `MESSAGE_DURABILITY=fsync is not kept by this Redis: ${status.detail}`, mode: 'fsync', guaranteed: false, detail: status.detail }),
    ]);
    // The pod keeps serving: the accept script's reply is all fsync mode waits for.
    expect(await durability.confirm()).toBe(true);

    // The minute's re-check finds the same: nothing new is logged.
    await durability.check();
    expect(lines).toHaveLength(1);
  });

  it('becomes guaranteed when Redis is switched to appendfsync always, noticed on the reconnection, and logs it as info', async () => {
    const { durability, redis, lines, gauge } = await durabilityOf('fsync');
    await durability.start();
    expect(durability.status().guaranteed).toBe(false);

    await redis.config('SET', 'appendfsync', 'always');
    // Not checked until something makes it look again: here a reconnection (the `ready` event).
    expect(durability.status().guaranteed).toBe(false);
    redis.disconnect(true);
    expect(await until(() => durability.status().guaranteed === true)).toBe(true);
    expect(durability.status().detail).toBe('appendonly yes, appendfsync always: Redis fsyncs every batch before acknowledging it');
    expect(await gauge()).toBe(1);
    expect(lines.map((line) => [line.level, line.guaranteed])).toEqual([
      ['warn', false],
      ['info', true],
    ]);
  });

  it('stops looking after stop(): a reconnection no longer re-checks', async () => {
    const { durability, redis } = await durabilityOf('fsync');
    await durability.start();
    durability.stop();
    await redis.config('SET', 'appendfsync', 'always');
    redis.disconnect(true);
    await new Promise((resolve) => redis.once('ready', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(durability.status().guaranteed).toBe(false);
  });

  it('on a Redis without AOF: not guaranteed, a restart loses what is not stored yet', async () => {
    const { durability, redis, lines } = await durabilityOf('fsync');
    await redis.config('SET', 'appendonly', 'no');
    const status = await durability.start();
    expect(status.guaranteed).toBe(false);
    expect(status.detail).toMatch(/^appendonly is no: a Redis restart loses every accepted message not yet stored/);
    expect(lines[0]).toMatchObject({ level: 'warn', detail: status.detail });
  });

  it('when the settings cannot be read: not guaranteed, with the reason, and a warning', async () => {
    // A connection that is never opened: every command fails at once.
    const unreachable = new Redis(server.url, { lazyConnect: true, enableOfflineQueue: false });
    const { durability, lines, gauge } = await durabilityOf('fsync', { redis: unreachable });
    const status = await durability.check();
    expect(status.guaranteed).toBe(false);
    expect(status.detail).toMatch(/^cannot read the Redis settings \(.+\): make sure Redis runs with appendonly yes and appendfsync always$/);
    expect(await gauge()).toBe(0);
    expect(lines[0]).toMatchObject({ level: 'warn', guaranteed: false });
  });
});

describe('MESSAGE_DURABILITY=replicas', () => {
  it('with fewer replicas connected than must confirm: not guaranteed, and a batch is not confirmed (the send answers unavailable)', async () => {
    const { durability, lines, gauge } = await durabilityOf('replicas', { waitReplicas: 1 });
    const status = await durability.start();
    expect(status).toEqual({ mode: 'replicas', guaranteed: false, detail: '0 replica(s) connected but 1 must confirm each batch: every send will be answered unavailable' });
    expect(await gauge()).toBe(0);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: expect.stringContaining('MESSAGE_DURABILITY=replicas is not kept by this Redis') });

    expect(await durability.confirm()).toBe(false);
    expect(lines.at(-1)).toMatchObject({ level: 'warn', replicas: 0, wanted: 1, msg: 'accepted batch not confirmed by enough replicas in time; answering unavailable' });
  });

  it('with as many replicas as must confirm: guaranteed, and a batch is confirmed', async () => {
    const { durability, lines, gauge } = await durabilityOf('replicas', { waitReplicas: 0 });
    const status = await durability.start();
    expect(status).toEqual({ mode: 'replicas', guaranteed: true, detail: '0 replica(s) connected, 0 must confirm each batch' });
    expect(await gauge()).toBe(1);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'message durability' });
    expect(await durability.confirm()).toBe(true);
  });
});

describe('MESSAGE_DURABILITY=none', () => {
  it('promises nothing beyond Redis having applied the batch, says so as info (asked for, not a misconfiguration) and confirms at once', async () => {
    const { durability, lines, gauge } = await durabilityOf('none');
    const status = await durability.start();
    expect(status).toEqual({ mode: 'none', guaranteed: false, detail: expect.stringMatching(/^no durability asked for/) });
    expect(await gauge()).toBe(0);
    expect(lines).toEqual([expect.objectContaining({ level: 'info', msg: 'message durability', mode: 'none', guaranteed: false })]);
    expect(await durability.confirm()).toBe(true);
  });
});
