import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { createRoom, createWorkerTestEnv, makeMessage, startWorker, TestProducer, waitFor, type RunningWorker, type WorkerTestEnv } from './support/worker-harness.js';

/**
 * Edits, deletions and reactions are rows of the messages queue's batches like messages
 * (docs/decisions/0021-timeline-events.md). The worker stores them once and folds them into the
 * message they name, whatever the order the jobs run in and however often.
 */
let env: WorkerTestEnv;
let producer: TestProducer;
let running: RunningWorker;

beforeAll(async () => {
  env = await createWorkerTestEnv('pw_timeline');
  producer = new TestProducer(env.prefix);
  running = await startWorker(env.config());
});

afterAll(async () => {
  await running?.stop();
  await producer?.close();
  await env?.cleanup();
});

async function completed(id: string): Promise<void> {
  await waitFor(async () => {
    const state = await producer.messages.getJobState(id);
    if (state === 'failed') throw new Error(`job ${id} failed: ${(await producer.messages.getJob(id))?.failedReason}`);
    return state === 'completed';
  }, 20_000, `job ${id} to complete`);
}

const event = (roomId: string, senderId: string, kind: Message['kind'], target: Message, extra: Partial<Message> = {}) =>
  makeMessage(roomId, senderId, { kind, targetId: target.id, body: '', ...extra });

async function stateOf(messageId: string) {
  const [row] = await env.dataSource.query(
    'SELECT body, edited_at IS NOT NULL AS edited, deleted_at IS NOT NULL AS deleted, state_seq::int AS state_seq FROM chat.messages WHERE id = $1',
    [messageId],
  );
  const reactions = await env.dataSource.query(
    'SELECT emoji, user_id FROM chat.message_reactions WHERE message_id = $1 AND active ORDER BY seq',
    [messageId],
  );
  const edits = await env.dataSource.query('SELECT kind, body FROM chat.message_edits WHERE message_id = $1 ORDER BY seq', [messageId]);
  return { ...row, reactions, edits };
}

describe('timeline events in the persistence worker', () => {
  it('folds events stored before their message once it arrives, and a duplicated job changes nothing', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const roomId = await createRoom(env.dataSource, [alice, bob]);
    const message = makeMessage(roomId, alice, { body: 'original' });
    const events = [
      event(roomId, alice, 'edit', message, { body: 'edited' }),
      event(roomId, bob, 'reaction_add', message, { emoji: '👍' }),
      event(roomId, alice, 'reaction_add', message, { emoji: '👍' }),
      event(roomId, bob, 'reaction_remove', message, { emoji: '👍' }),
      event(roomId, bob, 'reaction_add', message, { emoji: '🎉' }),
    ];
    // The message's own job was retried: its events are stored first.
    await completed(await producer.enqueueBatch(events));
    await completed(await producer.enqueueBatch([message]));
    const expected = {
      body: 'edited',
      edited: true,
      deleted: false,
      state_seq: events.at(-1)!.seq,
      reactions: [
        { emoji: '👍', user_id: alice },
        { emoji: '🎉', user_id: bob },
      ],
      edits: [
        { kind: 'original', body: 'original' },
        { kind: 'edit', body: 'edited' },
      ],
    };
    expect(await stateOf(message.id)).toEqual(expected);

    // The same events again, in another order (a duplicated or re-run job).
    await completed(await producer.enqueueBatch([...events].reverse()));
    expect(await stateOf(message.id)).toEqual(expected);
    const [{ n }] = await env.dataSource.query('SELECT count(*)::int AS n FROM chat.messages WHERE target_id = $1', [message.id]);
    expect(n).toBe(events.length);
  });

  it('keeps a deletion final and what it removed out of the stored edits, and never notifies for events', async () => {
    const [alice, owner] = [randomUUID(), randomUUID()];
    const roomId = await createRoom(env.dataSource, [owner, alice]);
    const message = makeMessage(roomId, alice, { body: 'oops' });
    const edit = event(roomId, alice, 'edit', message, { body: 'oops, private' });
    const deletion = event(roomId, owner, 'delete', message);
    const lateEdit = event(roomId, alice, 'edit', message, { body: 'after the deletion' });
    // The deletion is folded before the edit that precedes it: the record still has every step.
    await completed(await producer.enqueueBatch([message]));
    await completed(await producer.enqueueBatch([deletion, lateEdit]));
    await completed(await producer.enqueueBatch([edit]));
    expect(await stateOf(message.id)).toMatchObject({
      body: '',
      deleted: true,
      reactions: [],
      edits: [
        { kind: 'original', body: 'oops' },
        { kind: 'edit', body: 'oops, private' },
        { kind: 'delete', body: '' },
        { kind: 'edit', body: 'after the deletion' },
      ],
    });
    const bodies = await env.dataSource.query("SELECT body FROM chat.messages WHERE target_id = $1 AND kind = 'edit'", [message.id]);
    expect(bodies).toEqual([{ body: '' }, { body: '' }]);
    const notifications = await env.dataSource.query('SELECT count(*)::int AS n FROM chat.notifications WHERE last_message_id = ANY($1::bigint[])', [[edit.id, deletion.id, lateEdit.id]]);
    expect(notifications[0].n).toBe(0);
  });

  it('sets a poisoned or malformed event aside and stores and folds the rest of its batch', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const roomId = await createRoom(env.dataSource, [alice, bob]);
    const message = makeMessage(roomId, alice, { body: 'hello' });
    await completed(await producer.enqueueBatch([message]));
    const poison = event(roomId, alice, 'edit', message, { body: 'nul \u0000 inside' });
    const malformed = { ...event(roomId, bob, 'reaction_add', message, { emoji: '👍' }), kind: 'explode' } as unknown as Message;
    const good = event(roomId, bob, 'reaction_add', message, { emoji: '❤️' });
    await completed(await producer.enqueueBatch([poison, malformed, good]));
    expect(await stateOf(message.id)).toMatchObject({ body: 'hello', edited: false, reactions: [{ emoji: '❤️', user_id: bob }] });
    const letters = await env.dataSource.query('SELECT message_id, reason FROM chat.message_dead_letters WHERE message_id = ANY($1::text[]) ORDER BY reason', [[poison.id, malformed.id]]);
    expect(letters).toEqual([
      { message_id: malformed.id, reason: 'malformed_message' },
      { message_id: poison.id, reason: 'rejected_by_database' },
    ]);
  });
});
