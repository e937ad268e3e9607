import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { openQueue } from '@parley/queues';
import { startPrivateRedis, type PrivateRedis } from '@parley/testing';
import { idempotencyKey } from '@parley/keyspace';
import { startCommandCutProxy, type CommandCutProxy } from './support/command-cut-proxy.js';
import { emitWithAck, pause, startChatCluster, type ChatCluster } from './support/chat-cluster.js';

/**
 * Redis crashes (SIGKILL, AOF with appendfsync always) right after executing the command that
 * records a message's acceptance: a proxy forwards that command whole, then nothing more, and
 * the test looks at what Redis kept before any client can reconnect and add to it.
 */
let redis: PrivateRedis;
let proxy: CommandCutProxy;
let cluster: ChatCluster;

beforeAll(async () => {
  redis = await startPrivateRedis({ appendfsync: 'always' });
  proxy = await startCommandCutProxy({ host: '127.0.0.1', port: redis.port });
  cluster = await startChatCluster({ label: 'chat_redis_crash', instances: 1, env: { REDIS_URL: proxy.url } });
});

afterAll(async () => {
  await cluster?.close();
  await proxy?.close();
  await redis?.close();
});

describe('a Redis crash right after a message’s acceptance was recorded', () => {
  it('leaves the accept record and the persistence job together (both are one command), and the sender’s retry gets that message', async () => {
    const owner = await cluster.user('owner');
    const created = await cluster.api(0, 'POST', '/api/v1/rooms', { token: owner.token, body: { name: 'crash', memberIds: [] } });
    const roomId: string = created.body.id;
    const socket = await cluster.connect(0, owner);
    // The first send numbers the room (its counter exists from then on).
    expect(await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'before' })).toMatchObject({ ok: true });

    const clientMsgId = randomUUID();
    const idemKey = idempotencyKey(cluster.redisPrefix, owner.id, clientMsgId);
    const cut = proxy.cutAfter(idemKey);
    const inFlight = emitWithAck(socket, 'message:send', { roomId, clientMsgId, body: 'in flight' }, 15_000).catch((error: unknown) => error);
    await cut;
    await pause(300);
    await redis.kill('SIGKILL');
    await redis.restart();

    const direct = new Redis(redis.url);
    const queue = openQueue('messages', { connection: direct, installPrefix: cluster.redisPrefix });
    try {
      const record = await direct.get(idemKey);
      const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
      const job = jobs.find((candidate) => candidate.data.messages.some((message) => message.clientMsgId === clientMsgId));
      const acceptedIds = job?.data.acceptedKey ? Object.keys(await direct.hgetall(job.data.acceptedKey)) : [];
      const recorded = record ? (JSON.parse(record) as Message) : undefined;
      // The cut command ran (Redis kept its accept record), and so did its job: never one without the other.
      expect({ acceptRecord: recorded !== undefined, jobCarriesIt: recorded !== undefined && acceptedIds.includes(recorded.id) }).toEqual({
        acceptRecord: true,
        jobCarriesIt: true,
      });

      proxy.reopen();
      await inFlight;
      const retried = await emitWithAck(socket, 'message:send', { roomId, clientMsgId, body: 'in flight' }, 15_000);
      expect(retried).toMatchObject({ ok: true, message: { id: recorded!.id, seq: 2 } });
    } finally {
      await queue.close();
      direct.disconnect();
    }
  }, 60_000);
});
