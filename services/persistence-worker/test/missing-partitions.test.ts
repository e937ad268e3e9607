import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMessagePartitions, MESSAGE_PARTITIONS_LOCK_KEY, messageIdAt, partitionName, partitionStart, PARTITION_MS } from '@parley/chat-store';
import type { Message } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import { sampleValue } from './support/prometheus-text.js';
import {
  createRoom,
  createWorkerTestEnv,
  makeMessage,
  startWorker,
  TestProducer,
  useRunningWorker,
  waitFor,
  type RunningWorker,
  type WorkerTestEnv,
} from './support/worker-harness.js';

/**
 * chat.messages has weekly partitions by id, made four weeks ahead by the worker's maintenance
 * timer, and no default partition (docs/decisions/0039-partitioned-messages.md). A message whose
 * id no partition holds is refused by PostgreSQL with SQLSTATE 23514, the code of a CHECK
 * violation too. Nothing is wrong with such a message: the worker creates its partition and
 * stores it, while a message refused for its data is still set aside as a dead letter.
 */
const rig = useRunningWorker('pw_missing_partitions');

async function completedJob(producer: TestProducer, id: string) {
  return waitFor(async () => {
    const state = await producer.messages.getJobState(id);
    if (state === 'failed') throw new Error(`job ${id} failed: ${(await producer.messages.getJob(id))?.failedReason}`);
    return state === 'completed' ? producer.messages.getJob(id) : undefined;
  }, 20_000, `job ${id} to complete`);
}

async function partitionOf(dataSource: DataSource, id: string): Promise<string | undefined> {
  const [row] = (await dataSource.query('SELECT tableoid::regclass::text AS name FROM chat.messages WHERE id = $1', [id])) as Array<{ name: string }>;
  return row?.name;
}

async function deadLettersOf(dataSource: DataSource, messages: Array<{ id: string }>): Promise<Array<{ message_id: string; reason: string; sqlstate: string | null }>> {
  return dataSource.query('SELECT message_id, reason, sqlstate FROM chat.message_dead_letters WHERE message_id = ANY($1::text[]) ORDER BY id', [messages.map((message) => message.id)]);
}

const partitionNames = async (dataSource: DataSource) => (await listMessagePartitions(dataSource)).map((partition) => partition.name);

async function metric(worker: RunningWorker, name: string, labels: Record<string, string>): Promise<number> {
  return sampleValue(await (await fetch(`${worker.adminUrl}/metrics`)).text(), name, labels) ?? 0;
}

/** A message of the room whose id falls at `ms` (its week's partition holds it). */
function messageAt(roomId: string, senderId: string, ms: number): Message {
  const message = makeMessage(roomId, senderId);
  return { ...message, id: String(messageIdAt(ms) + BigInt(message.seq)) };
}

describe('a message no partition of chat.messages holds yet', () => {
  it('stores a message whose id is beyond the partitions ahead by creating its partition, and dead-letters nothing', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(rig.env.dataSource, [sender]);
    // Six weeks ahead: two beyond the four the maintenance timer keeps.
    const weekStart = partitionStart(Date.now()) + 6 * PARTITION_MS;
    const week = partitionName(weekStart);
    expect(await partitionNames(rig.env.dataSource)).not.toContain(week);
    const beyond = messageAt(roomId, sender, weekStart + 3_600_000);
    const batch = [makeMessage(roomId, sender), beyond, makeMessage(roomId, sender)];
    const deadLetteredBefore = await metric(rig.running, 'parley_messages_dead_lettered_total', { reason: 'rejected_by_database' });
    const createdBefore = await metric(rig.running, 'parley_message_partitions_created_total', { trigger: 'insert' });

    const job = await completedJob(rig.producer, await rig.producer.enqueueBatch(batch));

    expect(job!.attemptsMade).toBe(1);
    expect(job!.returnvalue).toMatchObject({ inserted: 3, duplicates: 0, deadLettered: 0 });
    expect(await partitionOf(rig.env.dataSource, beyond.id)).toBe(`chat.${week}`);
    expect(await partitionOf(rig.env.dataSource, batch[0]!.id)).toBe(`chat.${partitionName(partitionStart(Date.now()))}`);
    expect(await deadLettersOf(rig.env.dataSource, batch)).toEqual([]);
    expect(await metric(rig.running, 'parley_messages_dead_lettered_total', { reason: 'rejected_by_database' })).toBe(deadLetteredBefore);
    expect(await metric(rig.running, 'parley_message_partitions_created_total', { trigger: 'insert' })).toBe(createdBefore + 1);
  });

  it('fails the attempt and retries the job, setting nothing aside, while the partition cannot be created; stores it once it can', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(rig.env.dataSource, [sender]);
    const weekStart = partitionStart(Date.now()) + 10 * PARTITION_MS;
    const batch = [makeMessage(roomId, sender), messageAt(roomId, sender, weekStart + 60_000)];
    // Held past the worker's lock timeout: creating the partition fails.
    const holder = rig.env.dataSource.createQueryRunner();
    await holder.connect();
    let jobId: string;
    try {
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', [MESSAGE_PARTITIONS_LOCK_KEY]);
      jobId = await rig.producer.enqueueBatch(batch, { backoff: { type: 'jitter', delay: 100 } });
      const job = await waitFor(async () => {
        const current = await rig.producer.messages.getJob(jobId);
        if (current?.finishedOn) throw new Error(`the job finished: ${JSON.stringify(current.returnvalue ?? current.failedReason)}`);
        return current && current.attemptsMade >= 1 ? current : undefined;
      }, 15_000, 'a failed attempt');
      expect(job.failedReason).toMatch(/lock timeout/);
      expect(await rig.producer.messages.getJobState(jobId)).not.toBe('failed');
      expect(await deadLettersOf(rig.env.dataSource, batch)).toEqual([]);
      expect(await partitionNames(rig.env.dataSource)).not.toContain(partitionName(weekStart));
    } finally {
      await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [MESSAGE_PARTITIONS_LOCK_KEY]);
      await holder.release();
    }

    const job = await completedJob(rig.producer, jobId);
    expect(job!.returnvalue).toMatchObject({ deadLettered: 0 });
    expect(await partitionOf(rig.env.dataSource, batch[1]!.id)).toBe(`chat.${partitionName(weekStart)}`);
    expect(await partitionOf(rig.env.dataSource, batch[0]!.id)).toBeDefined();
    expect(await deadLettersOf(rig.env.dataSource, batch)).toEqual([]);
  }, 30_000);

  it('still sets aside messages PostgreSQL refuses for their data: a CHECK violation (23514 too) and a NUL (22021), creating no partition', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(rig.env.dataSource, [sender]);
    // An edit names its target: messages_event_target_check refuses one without.
    const checkViolation = makeMessage(roomId, sender, { kind: 'edit' });
    const nul = makeMessage(roomId, sender, { body: 'nul \u0000 byte' });
    const good = [makeMessage(roomId, sender), makeMessage(roomId, sender)];
    const batch = [good[0]!, checkViolation, nul, good[1]!];
    const partitionsBefore = await partitionNames(rig.env.dataSource);
    const createdBefore = await metric(rig.running, 'parley_message_partitions_created_total', { trigger: 'insert' });
    const deadLetteredBefore = await metric(rig.running, 'parley_messages_dead_lettered_total', { reason: 'rejected_by_database' });

    const job = await completedJob(rig.producer, await rig.producer.enqueueBatch(batch));

    expect(job!.attemptsMade).toBe(1);
    expect(job!.returnvalue).toMatchObject({ inserted: 2, deadLettered: 2 });
    expect(await deadLettersOf(rig.env.dataSource, batch)).toEqual(
      expect.arrayContaining([
        { message_id: checkViolation.id, reason: 'rejected_by_database', sqlstate: '23514' },
        { message_id: nul.id, reason: 'rejected_by_database', sqlstate: '22021' },
      ]),
    );
    expect(await deadLettersOf(rig.env.dataSource, good)).toEqual([]);
    expect(await metric(rig.running, 'parley_messages_dead_lettered_total', { reason: 'rejected_by_database' })).toBe(deadLetteredBefore + 2);
    expect(await partitionNames(rig.env.dataSource)).toEqual(partitionsBefore);
    expect(await metric(rig.running, 'parley_message_partitions_created_total', { trigger: 'insert' })).toBe(createdBefore);
  });
});

describe('a worker whose partition maintenance did not run for weeks', () => {
  // Its own database: the test below drops partitions.
  const missedRig = useRunningWorker('pw_partitions_missed');
  let env: WorkerTestEnv;
  let producer: TestProducer;
  let worker: RunningWorker;

  beforeAll(async () => {
    ({ env, producer, running: worker } = missedRig);
    await worker.worker.partitions.runOnce();
  });

  it('creates the weeks the maintenance timer missed (four weeks not run: no partition for now) and stores the batch', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(env.dataSource, [sender]);
    // As if the timer last ran five weeks ago: the partitions it made end at the start of this week.
    const now = Date.now();
    const missed = [0, 1, 2, 3, 4].map((weeks) => partitionName(partitionStart(now) + weeks * PARTITION_MS));
    expect(await env.dataSource.query('SELECT 1 FROM chat.messages WHERE id >= $1 AND id < $2 LIMIT 1', [String(messageIdAt(partitionStart(now))), String(messageIdAt(partitionStart(now) + 5 * PARTITION_MS))])).toEqual([]);
    for (const name of missed) {
      await env.dataSource.query(`ALTER TABLE chat.messages DETACH PARTITION chat.${name}`);
      await env.dataSource.query(`DROP TABLE chat.${name}`);
    }
    const batch = [makeMessage(roomId, sender), makeMessage(roomId, sender)];
    const createdBefore = await metric(worker, 'parley_message_partitions_created_total', { trigger: 'insert' });

    const job = await completedJob(producer, await producer.enqueueBatch(batch));

    expect(job!.attemptsMade).toBe(1);
    expect(job!.returnvalue).toMatchObject({ inserted: 2, deadLettered: 0 });
    expect(await partitionOf(env.dataSource, batch[0]!.id)).toBe(`chat.${missed[0]}`);
    // The current week and the four ahead again: what the timer keeps.
    expect(await partitionNames(env.dataSource)).toEqual(expect.arrayContaining(missed));
    expect(await metric(worker, 'parley_message_partitions_created_total', { trigger: 'insert' })).toBe(createdBefore + missed.length);
    expect(await deadLettersOf(env.dataSource, batch)).toEqual([]);
  });
});

describe('two workers that find the same partition missing at the same time', () => {
  let env: WorkerTestEnv;
  let producer: TestProducer;
  const workers: RunningWorker[] = [];

  beforeAll(async () => {
    env = await createWorkerTestEnv('pw_partition_race');
    producer = new TestProducer(env.prefix);
    // One job at a time each: two jobs waiting for the partition lock are one per worker.
    for (let i = 0; i < 2; i++) workers.push(await startWorker(env.config({ MESSAGES_CONCURRENCY: '1' })));
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await producer?.close();
    await env?.cleanup();
  });

  it('creates it once (one worker creates it, the other finds it) and both store their batch at the first attempt', async () => {
    // Their maintenance passes at start are over: they would wait for the same lock.
    for (const worker of workers) await worker.worker.partitions.runOnce();
    const sender = randomUUID();
    const roomId = await createRoom(env.dataSource, [sender]);
    const weekStart = partitionStart(Date.now()) + 8 * PARTITION_MS;
    const week = partitionName(weekStart);
    const batches = [[messageAt(roomId, sender, weekStart + 60_000)], [messageAt(roomId, sender, weekStart + 120_000)]];

    // The test holds the partitions' lock: both workers' inserts are refused, both wait for the
    // lock, and they race for it when it is released.
    const holder = env.dataSource.createQueryRunner();
    await holder.connect();
    let jobIds: string[];
    try {
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', [MESSAGE_PARTITIONS_LOCK_KEY]);
      jobIds = [await producer.enqueueBatch(batches[0]!), await producer.enqueueBatch(batches[1]!)];
      await waitFor(
        async () => {
          const [{ waiting }] = await env.dataSource.query(
            "SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          );
          return waiting === 2;
        },
        4_000,
        'both workers waiting to create the partition',
      );
    } finally {
      await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [MESSAGE_PARTITIONS_LOCK_KEY]);
      await holder.release();
    }

    for (const jobId of jobIds) {
      const job = await completedJob(producer, jobId);
      expect(job!.attemptsMade).toBe(1);
      expect(job!.returnvalue).toMatchObject({ inserted: 1, deadLettered: 0 });
    }
    for (const message of batches.flat()) expect(await partitionOf(env.dataSource, message.id)).toBe(`chat.${week}`);
    expect((await partitionNames(env.dataSource)).filter((name) => name === week)).toHaveLength(1);
    const created = await Promise.all(workers.map((worker) => metric(worker, 'parley_message_partitions_created_total', { trigger: 'insert' })));
    expect(created.sort()).toEqual([0, 1]);
    expect(await deadLettersOf(env.dataSource, batches.flat())).toEqual([]);
  });
});
