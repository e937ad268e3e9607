import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { runDeadLetterCommand } from '../src/dead-letters/dead-letter-command.js';
import { sampleValue } from './support/prometheus-text.js';
import { createRoom, createWorkerTestEnv, makeMessage, startWorker, TestProducer, waitFor, type RunningWorker, type WorkerTestEnv } from './support/worker-harness.js';

/**
 * A poison message used to sink its whole batch: the batch is one INSERT, PostgreSQL refused
 * the U+0000 in one body, and every message of the batch failed its 12 attempts together. The
 * API refuses such input now, so these jobs are enqueued directly, as a producer bug or an older
 * pod would. The batch's other messages must be stored, and the bad one set aside.
 */
let env: WorkerTestEnv;
let producer: TestProducer;
let running: RunningWorker;

beforeAll(async () => {
  env = await createWorkerTestEnv('pw_dead_letters');
  producer = new TestProducer(env.prefix);
  running = await startWorker(env.config());
});

afterAll(async () => {
  await running?.stop();
  await producer?.close();
  await env?.cleanup();
});

async function completedJob(id: string) {
  return waitFor(async () => {
    const state = await producer.messages.getJobState(id);
    if (state === 'failed') throw new Error(`job ${id} failed: ${(await producer.messages.getJob(id))?.failedReason}`);
    return state === 'completed' ? producer.messages.getJob(id) : undefined;
  }, 20_000, `job ${id} to complete`);
}

async function storedAmong(messages: Array<{ id: string }>): Promise<Set<string>> {
  const rows: Array<{ id: string }> = await env.dataSource.query('SELECT id::text AS id FROM chat.messages WHERE id::text = ANY($1::text[])', [messages.map((message) => message.id)]);
  return new Set(rows.map((row) => row.id));
}

async function deadLettersOf(messageIds: string[]): Promise<Array<{ id: string; message_id: string; reason: string; sqlstate: string | null; payload: string }>> {
  return env.dataSource.query('SELECT id::text AS id, message_id, reason, sqlstate, payload FROM chat.message_dead_letters WHERE message_id = ANY($1::text[]) ORDER BY id', [messageIds]);
}

async function deadLetteredTotal(reason: string): Promise<number | undefined> {
  return sampleValue(await (await fetch(`${running.adminUrl}/metrics`)).text(), 'parley_messages_dead_lettered_total', { reason });
}

/** 100 messages from 100 users in 10 rooms, as chat-socket batches them. */
async function goodMessagesFromOthers(): Promise<Message[]> {
  const rooms = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const members = Array.from({ length: 10 }, () => randomUUID());
      return { members, roomId: await createRoom(env.dataSource, members) };
    }),
  );
  return rooms.flatMap(({ roomId, members }) => members.map((sender) => makeMessage(roomId, sender)));
}

const command = async (...args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDeadLetterCommand(args, { DATABASE_URL: env.database.url }, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('a poison message in a batch', () => {
  let poison: Message;
  let batch: Message[];

  it('stores the 100 good messages of other users at the first attempt, and sets the one with U+0000 aside, counted', async () => {
    const good = await goodMessagesFromOthers();
    const attacker = randomUUID();
    const attackersRoom = await createRoom(env.dataSource, [attacker]);
    poison = makeMessage(attackersRoom, attacker, { body: 'poison \u0000 pill' });
    batch = [...good.slice(0, 37), poison, ...good.slice(37)];
    const before = (await deadLetteredTotal('rejected_by_database')) ?? 0;

    const job = await completedJob(await producer.enqueueBatch(batch));

    expect(job!.attemptsMade).toBe(1);
    expect(job!.returnvalue).toMatchObject({ inserted: 100, duplicates: 0, deadLettered: 1 });
    const stored = await storedAmong(batch);
    expect(good.filter((message) => !stored.has(message.id))).toEqual([]);
    expect(stored.has(poison.id)).toBe(false);
    const [letter, ...others] = await deadLettersOf([poison.id]);
    expect(others).toEqual([]);
    expect(letter).toMatchObject({ message_id: poison.id, reason: 'rejected_by_database', sqlstate: '22021' });
    // Kept exactly as the job carried it: the JSON text escapes the NUL PostgreSQL refused.
    expect(JSON.parse(letter!.payload)).toEqual(poison);
    expect(await deadLetteredTotal('rejected_by_database')).toBe(before + 1);
    const [room] = await env.dataSource.query('SELECT last_message_id::text AS id FROM chat.rooms WHERE id = $1', [attackersRoom]);
    expect(room.id).toBeNull();
  });

  it('sets it aside once when the same batch runs again (a retried or duplicated job)', async () => {
    const before = await deadLetteredTotal('rejected_by_database');

    const job = await completedJob(await producer.enqueueBatch(batch));

    expect(job!.returnvalue).toMatchObject({ inserted: 0, duplicates: 100, deadLettered: 1 });
    expect(await deadLettersOf([poison.id])).toHaveLength(1);
    expect(await deadLetteredTotal('rejected_by_database')).toBe(before);
  });

  it('isolates several values PostgreSQL refuses in one batch (text, bigint range, timestamp), and malformed messages', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(env.dataSource, [sender]);
    const good = Array.from({ length: 20 }, () => makeMessage(roomId, sender));
    const refused = [
      makeMessage(roomId, sender, { body: '\u0000' }),
      makeMessage(roomId, sender, { createdAt: '2024-02-30T25:61:00Z' }),
    ];
    const malformed = [
      { ...makeMessage(roomId, sender), id: '99999999999999999999' },
      { ...makeMessage(roomId, sender), roomId: 'not-a-room' },
      { id: '123', body: 'no room, no sender' },
    ];
    const mixed = [good[0], refused[0], ...good.slice(1, 10), malformed[0], refused[1], ...good.slice(10), malformed[1], malformed[2]] as Message[];

    const job = await completedJob(await producer.enqueueBatch(mixed));

    expect(job!.returnvalue).toMatchObject({ inserted: 20, deadLettered: 5 });
    expect((await storedAmong(good)).size).toBe(20);
    const letters = await deadLettersOf([...refused, ...malformed].map((message) => message.id));
    expect(letters.map((letter) => [letter.message_id, letter.reason]).sort()).toEqual(
      [
        [refused[0]!.id, 'rejected_by_database'],
        [refused[1]!.id, 'rejected_by_database'],
        ['99999999999999999999', 'malformed_message'],
        [malformed[1]!.id, 'malformed_message'],
        ['123', 'malformed_message'],
      ].sort(),
    );
    expect(await deadLetteredTotal('malformed_message')).toBe(3);
  });
});

describe('npm run messages:dead-letter', () => {
  it('lists the dead letters, newest first, with reason, SQLSTATE and ids', async () => {
    const result = await command('--list', '--limit', '10');

    expect(result.code).toBe(0);
    expect(result.out).toMatch(/\trejected_by_database\t22021\t\d+\t[0-9a-f-]{36}\t[0-9a-f-]{36}\t/);
    expect(result.out).toMatch(/\tmalformed_message\t-\t99999999999999999999\t/);
    expect(result.out).toMatch(/6 dead letter\(s\) shown, newest first$/);
  });

  it('shows one in full, with the message as its job carried it', async () => {
    const [letter] = await env.dataSource.query("SELECT id::text AS id, message_id FROM chat.message_dead_letters WHERE sqlstate = '22021' ORDER BY id LIMIT 1");

    const result = await command('--show', letter.id);

    expect(result.code).toBe(0);
    const shown = JSON.parse(result.out);
    expect(shown).toMatchObject({ id: letter.id, messageId: letter.message_id, reason: 'rejected_by_database', sqlstate: '22021' });
    expect(shown.payload.body).toBe('poison \u0000 pill');
    expect(shown.error).toMatch(/0x00/);
  });

  it('answers unknown ids, bad options and a missing DATABASE_URL with an error code', async () => {
    expect((await command('--show', '424242')).code).toBe(1);
    for (const args of [[], ['--list', '--show', '1'], ['--list', '--limit', '0'], ['--retry']]) {
      const result = await command(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toMatch(/Usage: npm run messages:dead-letter/);
    }
    expect(await runDeadLetterCommand(['--list'], {}, { out: () => undefined, err: () => undefined })).toBe(1);
  });
});
