import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileMailbox, readFileMailbox } from './mail-transport.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('the file mailbox', () => {
  it('never shows a reader half a message while mail is being written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-mailbox-'));
    dirs.push(dir);
    const mailbox = createFileMailbox(dir);
    // Several MiB each: written in chunks, so a non-atomic write is visible half-done for a while.
    const body = 'x'.repeat(4 * 2 ** 20);
    let writing = true;
    const sends = Promise.all(
      Array.from({ length: 20 }, (_, index) => mailbox.send('parley@localhost', { to: 'ada@example.com', subject: `code ${index}`, text: body, kind: 'generic' })),
    ).finally(() => (writing = false));
    let reads = 0;
    while (writing) {
      const messages = await readFileMailbox(dir, 'ada@example.com');
      for (const message of messages) expect(message.text).toHaveLength(body.length);
      reads += 1;
    }
    await sends;
    expect(reads).toBeGreaterThan(0);
    expect(await readFileMailbox(dir, 'ada@example.com')).toHaveLength(20);
    expect((await readdir(dir)).every((name) => name.endsWith('.json'))).toBe(true);
  });
});
