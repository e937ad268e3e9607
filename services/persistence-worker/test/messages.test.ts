import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedHashKey, unpersistedBatchesKey, unpersistedMessagesKey } from '@parley/keyspace';
import { sampleValue } from './support/prometheus-text.js';
import { createRoom, createWorkerTestEnv, makeMessage, startWorker, storedMessageIds, TestProducer, waitFor, type RunningWorker, type WorkerTestEnv } from './support/worker-harness.js';

let env: WorkerTestEnv;
let producer: TestProducer;
let running: RunningWorker;

beforeAll(async () => {
  env = await createWorkerTestEnv('pw_messages');
  producer = new TestProducer(env.prefix);
  running = await startWorker(env.config());
});

afterAll(async () => {
  await running?.stop();
  await producer?.close();
  await env?.cleanup();
});

async function finishedJob(id: string) {
  return waitFor(async () => {
    const state = await producer.messages.getJobState(id);
    // Read the job after its state: a job read earlier may predate its final update.
    return state === 'completed' || state === 'failed' ? { job: (await producer.messages.getJob(id))!, state } : undefined;
  }, 15_000, `job ${id} to finish`);
}

describe('messages queue', () => {
  it('persists every message of a batch job and moves the room’s last activity to its newest message', async () => {
    const sender = randomUUID();
    const roomA = await createRoom(env.dataSource, [sender]);
    const roomB = await createRoom(env.dataSource, [sender]);
    const batch = [makeMessage(roomA, sender), makeMessage(roomB, sender), makeMessage(roomA, sender, { body: 'ünïcødé ✓' })];

    const { job, state } = await finishedJob(await producer.enqueueBatch(batch));

    expect(state).toBe('completed');
    expect(job.returnvalue).toMatchObject({ inserted: 3, duplicates: 0 });
    const rows = await env.dataSource.query(
      'SELECT id, seq, room_id, sender_id, client_msg_id, body, created_at FROM chat.messages WHERE id = ANY($1::bigint[]) ORDER BY id',
      [batch.map((message) => message.id)],
    );
    expect(rows.map((row: { id: string; seq: string; room_id: string; sender_id: string; client_msg_id: string; body: string; created_at: Date }) => ({
      id: row.id,
      seq: Number(row.seq),
      roomId: row.room_id,
      senderId: row.sender_id,
      clientMsgId: row.client_msg_id,
      body: row.body,
      createdAt: row.created_at.toISOString(),
    }))).toEqual(batch);
    const [room] = await env.dataSource.query('SELECT last_message_id FROM chat.rooms WHERE id = $1', [roomA]);
    expect(room.last_message_id).toBe(batch[2]!.id);
  });

  it('stores a duplicated job (the same batch enqueued twice) once', async () => {
    const sender = randomUUID();
    const room = await createRoom(env.dataSource, [sender]);
    const batch = Array.from({ length: 20 }, () => makeMessage(room, sender));

    const first = await finishedJob(await producer.enqueueBatch(batch));
    const second = await finishedJob(await producer.enqueueBatch(batch));

    expect(first.job.returnvalue).toMatchObject({ inserted: 20, duplicates: 0 });
    expect(second.state).toBe('completed');
    expect(second.job.returnvalue).toMatchObject({ inserted: 0, duplicates: 20 });
    const [{ count }] = await env.dataSource.query('SELECT count(*)::int AS count FROM chat.messages WHERE room_id = $1', [room]);
    expect(count).toBe(20);
  });

  it('skips a message re-sent under a new id with the same sender and clientMsgId', async () => {
    const sender = randomUUID();
    const room = await createRoom(env.dataSource, [sender]);
    const original = makeMessage(room, sender);
    const resent = makeMessage(room, sender, { clientMsgId: original.clientMsgId });

    await finishedJob(await producer.enqueueBatch([original]));
    const { job } = await finishedJob(await producer.enqueueBatch([resent]));

    expect(job.returnvalue).toMatchObject({ inserted: 0, duplicates: 1 });
    expect(await storedMessageIds(env.dataSource)).not.toContain(resent.id);
  });

  it('stores only the messages its batch’s accept script took (not the duplicates and rate-limited ones in the job), with the room sequence numbers it gave them, then deletes the accepted hash', async () => {
    const sender = randomUUID();
    const room = await createRoom(env.dataSource, [sender]);
    // As chat-socket writes the job: the numbers are not in the job's messages yet (0).
    const [taken, refused, alsoTaken] = [makeMessage(room, sender, { seq: 0 }), makeMessage(room, sender, { seq: 0 }), makeMessage(room, sender, { seq: 0 })];
    const acceptedKey = acceptedHashKey(env.prefix, taken.id);
    await producer.connection.hset(acceptedKey, taken.id, '1', alsoTaken.id, '2');
    // The accept script's ledger entry of the batch, next to another batch still waiting.
    await producer.connection.zadd(unpersistedBatchesKey(env.prefix), Date.now(), acceptedKey, Date.now(), acceptedHashKey(env.prefix, 'other'));
    await producer.connection.set(unpersistedMessagesKey(env.prefix), 5);

    const { job, state } = await finishedJob(await producer.enqueueBatch([taken, refused, alsoTaken], {}, acceptedKey));

    expect(state).toBe('completed');
    expect(job.returnvalue).toMatchObject({ inserted: 2, duplicates: 0, refused: 1 });
    const stored: Array<{ id: string; seq: string }> = await env.dataSource.query('SELECT id::text, seq::text FROM chat.messages WHERE room_id = $1 ORDER BY seq', [room]);
    expect(stored).toEqual([
      { id: taken.id, seq: '1' },
      { id: alsoTaken.id, seq: '2' },
    ]);
    expect(await producer.connection.exists(acceptedKey)).toBe(0);
    // Off the ledger of unpersisted messages: its 2 accepted messages are stored.
    expect(await producer.connection.zrange(unpersistedBatchesKey(env.prefix), 0, -1)).toEqual([acceptedHashKey(env.prefix, 'other')]);
    expect(await producer.connection.get(unpersistedMessagesKey(env.prefix))).toBe('3');
  });

  it('stores nothing again when the accepted hash is gone (an earlier run of the job finished its work)', async () => {
    const sender = randomUUID();
    const room = await createRoom(env.dataSource, [sender]);
    const message = makeMessage(room, sender);

    const { job, state } = await finishedJob(await producer.enqueueBatch([message], {}, acceptedHashKey(env.prefix, message.id)));

    expect(state).toBe('completed');
    expect(job.returnvalue).toMatchObject({ inserted: 0, refused: 1 });
    expect(await storedMessageIds(env.dataSource)).not.toContain(message.id);
  });

  it('fails a job whose envelope is malformed at once, without retries, and keeps it in the failed set (a malformed message in a good envelope is set aside: dead-letters.test.ts)', async () => {
    const id = (await producer.messages.add('persist', { messages: 'not-a-list' } as never, { attempts: 5, backoff: { type: 'jitter', delay: 10 } })).id!;

    const { job, state } = await finishedJob(id);

    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/invalid messages job/);
  });

  it('exports persistence lag, job duration and per-queue job counts on /metrics', async () => {
    const response = await fetch(`${running.adminUrl}/metrics`);
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(sampleValue(body, 'parley_persistence_lag_seconds_count')).toBeGreaterThan(0);
    expect(sampleValue(body, 'parley_job_duration_seconds_count', { queue: 'messages' })).toBeGreaterThan(0);
    for (const queue of ['messages', 'notifications', 'mail']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        expect(sampleValue(body, 'parley_queue_jobs', { queue, state }), `${queue} ${state}`).toBeTypeOf('number');
      }
    }
    expect(sampleValue(body, 'parley_queue_jobs', { queue: 'messages', state: 'failed' })).toBe(1);
  });
});
