import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMessagePartitions, partitionName, partitionStart, PARTITION_MS } from '@parley/chat-store';
import { createRoom, createWorkerTestEnv, makeMessage, startWorker, TestProducer, waitFor, storedMessageIds, type RunningWorker, type WorkerTestEnv } from './support/worker-harness.js';

let env: WorkerTestEnv;
let running: RunningWorker;

beforeAll(async () => {
  env = await createWorkerTestEnv('pw_partitions');
  running = await startWorker(env.config({ MESSAGE_RETENTION_DAYS: '3650' }));
});

afterAll(async () => {
  await running?.stop();
  await env?.cleanup();
});

describe('message partition maintenance', () => {
  it('puts back a missing partition ahead, so messages of that week can be stored, and leaves partitions within retention alone', async () => {
    // After the pass the worker made at start (passes run one after another).
    expect(await running.worker.partitions.runOnce()).toEqual({ created: [], dropped: [] });
    const ahead = partitionName(partitionStart(Date.now()) + 4 * PARTITION_MS);
    await env.dataSource.query(`ALTER TABLE chat.messages DETACH PARTITION chat.${ahead}`);
    await env.dataSource.query(`DROP TABLE chat.${ahead}`);
    const before = (await listMessagePartitions(env.dataSource)).map((partition) => partition.name);
    expect(before).not.toContain(ahead);

    expect(await running.worker.partitions.runOnce()).toEqual({ created: [ahead], dropped: [] });
    expect((await listMessagePartitions(env.dataSource)).map((partition) => partition.name)).toEqual([...before, ahead]);
  });

  it('stores the messages of a job into the current week’s partition', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(env.dataSource, [sender]);
    const producer = new TestProducer(env.prefix);
    try {
      const message = makeMessage(roomId, sender);
      await producer.enqueueBatch([message]);
      await waitFor(async () => (await storedMessageIds(env.dataSource)).includes(message.id), 15_000, 'message stored');
      const [row] = (await env.dataSource.query('SELECT tableoid::regclass::text AS name FROM chat.messages WHERE id = $1', [message.id])) as Array<{ name: string }>;
      expect(row?.name).toBe(`chat.${partitionName(partitionStart(Date.now()))}`);
    } finally {
      await producer.close();
    }
  });
});
