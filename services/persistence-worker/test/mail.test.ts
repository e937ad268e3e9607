import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileMailbox } from '@parley/mail';
import { createProducer, type Producer } from '@parley/queues';
import { TEST_REDIS_URL } from '@parley/testing';
import { createWorkerTestEnv, startWorker, waitFor, type WorkerTestEnv } from './support/worker-harness.js';

let env: WorkerTestEnv;
let dataDir: string;
let connection: Redis;
let queue: Producer<'mail'>;

beforeAll(async () => {
  env = await createWorkerTestEnv('pw_mail');
  dataDir = await mkdtemp(join(tmpdir(), 'parley-pw-mail-'));
  connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  queue = createProducer('mail', { connection, installPrefix: env.prefix });
});

afterAll(async () => {
  await queue?.close();
  connection?.disconnect();
  await rm(dataDir, { recursive: true, force: true });
  await env?.cleanup();
});

describe('mail queue', () => {
  it('sends queued mail to the file mailbox under DATA_DIR when no SMTP server is configured', async () => {
    const running = await startWorker(env.config({ MAIL_WORKER_ENABLED: 'true', DATA_DIR: dataDir, MAIL_FROM: 'Parley Test <test@parley.local>' }));
    try {
      await queue.add({ name: 'email-verification', data: { to: 'ada@example.com', subject: 'Your code', text: 'code 123456', kind: 'email-verification' } });

      const [mail] = await waitFor(async () => {
        const messages = await readFileMailbox(join(dataDir, 'mailbox'), 'ada@example.com');
        return messages.length > 0 ? messages : undefined;
      }, 15_000, 'the mail file');
      expect(mail).toMatchObject({ from: 'Parley Test <test@parley.local>', subject: 'Your code', kind: 'email-verification' });
    } finally {
      await running.stop();
    }
  });

  it('leaves the mail queue alone when MAIL_WORKER_ENABLED is false', async () => {
    const running = await startWorker(env.config({ MAIL_WORKER_ENABLED: 'false', DATA_DIR: dataDir }));
    try {
      expect(running.worker.workers.map((worker) => worker.name).sort()).toEqual(['messages', 'notifications']);
    } finally {
      await running.stop();
    }
  });
});
