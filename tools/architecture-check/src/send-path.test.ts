import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HEADING = '### The send path, file by file';
/** The count before thin pass-through files on the path were merged into their callers. */
const COUNT_BEFORE = 34;

interface Entry {
  position: number;
  path: string;
  symbol: string;
}

/** The numbered list of docs/architecture.md's send path section: `N. \`path\` (\`symbol\`): …`. */
function sendPathSection(): { prose: string; entries: Entry[] } {
  const document = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const start = document.indexOf(HEADING);
  expect(start, `${HEADING} in docs/architecture.md`).toBeGreaterThanOrEqual(0);
  const rest = document.slice(start + HEADING.length);
  const next = rest.search(/^#{2,3} /m);
  const section = next === -1 ? rest : rest.slice(0, next);
  const entries = [...section.matchAll(/^(\d+)\. `([^`]+)` \(`([^`]+)`\)/gm)].map((match) => ({ position: Number(match[1]), path: match[2]!, symbol: match[3]! }));
  return { prose: section, entries };
}

describe('the send path, file by file (docs/architecture.md)', () => {
  const { prose, entries } = sendPathSection();

  it('numbers its files 1..n, each once, and states that count', () => {
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.map((entry) => entry.position)).toEqual(entries.map((_entry, index) => index + 1));
    expect(new Set(entries.map((entry) => entry.path)).size).toBe(entries.length);
    expect(prose).toContain(`${entries.length} files (${COUNT_BEFORE} before`);
  });

  it('is shorter than it was', () => {
    expect(entries.length).toBeLessThan(COUNT_BEFORE);
  });

  it('names source files that exist and hold the code named beside them', () => {
    for (const { path, symbol } of entries) {
      expect(path, path).toMatch(/^(services|packages)\/[^/]+\/src\/.+\.ts$/);
      expect(path, path).not.toMatch(/\.test\.ts$/);
      expect(existsSync(join(ROOT, path)), `${path} exists`).toBe(true);
      expect(readFileSync(join(ROOT, path), 'utf8'), `${path} holds ${symbol}`).toContain(symbol);
    }
  });

  it('starts at the socket listener and ends at the INSERT', () => {
    expect(entries[0]?.path).toBe('services/chat-socket/src/realtime/socket-connections.ts');
    expect(entries.at(-1)).toMatchObject({ path: 'packages/chat-store/src/message-store.ts', symbol: 'INSERT INTO chat.messages' });
  });

  it('lists each file the handler and the worker hand the message to', () => {
    const listed = new Set(entries.map((entry) => entry.path));
    // The hand-offs a reader follows: each step's module imports the next one's.
    const handOffs: Array<[string, string]> = [
      ['services/chat-socket/src/realtime/socket-connections.ts', './socket-ack.js'],
      ['services/chat-socket/src/messages/send-message.ts', './accept-script.js'],
      ['services/chat-socket/src/messages/send-message.ts', './message-queue.js'],
      ['services/chat-socket/src/messages/send-message.ts', './micro-batcher.js'],
      ['services/chat-socket/src/messages/send-message.ts', './send-tracing.js'],
      ['services/persistence-worker/src/messages/persist-messages-processor.ts', './message-spans.js'],
      ['services/persistence-worker/src/messages/persist-messages-processor.ts', '../queues/job-trace.js'],
      ['services/persistence-worker/src/messages/persist-messages-processor.ts', './round-coalescer.js'],
      ['services/persistence-worker/src/messages/persist-messages-processor.ts', './store-round.js'],
    ];
    for (const [from, imported] of handOffs) {
      expect(listed.has(from), from).toBe(true);
      expect(readFileSync(join(ROOT, from), 'utf8'), `${from} imports ${imported}`).toContain(`from '${imported}'`);
      expect(listed.has(join(from, '..', imported).replace(/\.js$/, '.ts')), `${imported} of ${from} is listed`).toBe(true);
    }
  });
});
