import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { refuseMessageInserts } from '@parley/testing';
import { sampleValue } from './support/prometheus-text.js';
import { createRoom, makeMessage, useRunningWorker, waitFor } from './support/worker-harness.js';

/**
 * PostgreSQL and the worker both up, and every insert into chat.messages refused for a reason
 * that is not the messages' own: 53100 disk_full, raised by a trigger (@parley/testing
 * refuseMessageInserts). Unlike a message PostgreSQL refuses for its content
 * (dead-letters.test.ts), the batch is not halved and nothing is set aside: the whole job is
 * retried with backoff until writes succeed again, then stored. The live telemetry test pages on
 * the same fault.
 */
const rig = useRunningWorker('pw_refused_inserts');

async function storedAmong(messages: Message[]): Promise<number> {
  const [{ count }] = await rig.env.dataSource.query('SELECT count(*)::int AS count FROM chat.messages WHERE id::text = ANY($1::text[])', [messages.map((message) => message.id)]);
  return count;
}

async function deadLettersAmong(messages: Message[]): Promise<number> {
  const [{ count }] = await rig.env.dataSource.query('SELECT count(*)::int AS count FROM chat.message_dead_letters WHERE message_id = ANY($1::text[])', [messages.map((message) => message.id)]);
  return count;
}

const deadLetteredTotal = async () => sampleValue(await (await fetch(`${rig.running.adminUrl}/metrics`)).text(), 'parley_messages_dead_lettered_total', { reason: 'rejected_by_database' }) ?? 0;

describe('inserts refused for a reason other than the data (disk full)', () => {
  it('retries the whole batch, sets none of it aside, and stores every message once inserts succeed again', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(rig.env.dataSource, [sender]);
    const batch = Array.from({ length: 5 }, () => makeMessage(roomId, sender));
    const deadLetteredBefore = await deadLetteredTotal();

    const refused = await refuseMessageInserts(rig.env.database.url);
    let jobId: string;
    try {
      // Short backoff: the policy's shape (jittered, doubling), in milliseconds instead of seconds.
      jobId = await rig.producer.enqueueBatch(batch, { backoff: { type: 'jitter', delay: 100 } });
      const job = await waitFor(async () => {
        const current = await rig.producer.messages.getJob(jobId);
        if (current?.finishedOn) throw new Error(`the job finished after ${current.attemptsMade} attempt(s): ${JSON.stringify(current.returnvalue ?? current.failedReason)}`);
        return current && current.attemptsMade >= 3 ? current : undefined;
      }, 15_000, 'three failed attempts');
      expect(job.failedReason).toContain('No space left on device');
      expect(await rig.producer.messages.getJobState(jobId)).not.toBe('failed');
      expect(await storedAmong(batch)).toBe(0);
      expect(await deadLettersAmong(batch)).toBe(0);
    } finally {
      await refused.allow();
    }

    const done = await waitFor(async () => {
      const state = await rig.producer.messages.getJobState(jobId);
      if (state === 'failed') throw new Error(`job ${jobId} failed for good: ${(await rig.producer.messages.getJob(jobId))?.failedReason}`);
      return state === 'completed' ? rig.producer.messages.getJob(jobId) : undefined;
    }, 30_000, 'the job to complete once inserts succeed');
    expect(done!.returnvalue).toMatchObject({ inserted: 5, deadLettered: 0 });
    expect(await storedAmong(batch)).toBe(5);
    expect(await deadLettersAmong(batch)).toBe(0);
    expect(await deadLetteredTotal()).toBe(deadLetteredBefore);
  });
});

describe('the refused-inserts fault itself', () => {
  it('turns on and off 15 times under a steady write load without losing a lock race, and every batch is stored in the end', async () => {
    // Its DDL on the partitioned table once lost a deadlock to the writers and left the fault in place.
    const sender = randomUUID();
    const roomId = await createRoom(rig.env.dataSource, [sender]);
    const batches: Message[][] = [];
    let feeding = true;
    const feeder = (async () => {
      while (feeding) {
        const batch = Array.from({ length: 5 }, () => makeMessage(roomId, sender));
        batches.push(batch);
        await rig.producer.enqueueBatch(batch, { backoff: { type: 'jitter', delay: 50 } });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    try {
      for (let cycle = 0; cycle < 15; cycle++) {
        const refused = await refuseMessageInserts(rig.env.database.url);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await refused.allow();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      feeding = false;
      await feeder;
    }
    const all = batches.flat();
    await waitFor(async () => (await storedAmong(all)) === all.length, 30_000, `all ${all.length} messages to be stored`);
    expect(await deadLettersAmong(all)).toBe(0);
  }, 60_000);
});
