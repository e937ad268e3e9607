import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';

// The child runs the built package, as services do.
const builtLogger = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('createLogger', () => {
  it('writes JSON lines with the service, an ISO time and a level label, and redacts secrets', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ service: 'probe', destination });
    logger.info({ user: { password: 'hunter2' }, token: 'secret' }, 'hello');
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    expect(line).toMatchObject({ service: 'probe', level: 'info', msg: 'hello', token: '[redacted]', user: { password: '[redacted]' } });
    expect(typeof line.time).toBe('string');
  });

  it('lets a process exit when whoever read its stdout is gone (no endless flush on exit)', async () => {
    // What happened to services whose launcher died: their stdout pipe had no reader, and an
    // exit-time flush of buffered log lines retried EPIPE forever, so the process never exited.
    const script = `
      import { createLogger } from ${JSON.stringify(builtLogger)};
      const logger = createLogger({ service: 'probe' });
      logger.info('ready');
      process.stdin.resume();
      process.stdin.on('end', () => {
        for (let i = 0; i < 2000; i += 1) logger.info({ i, padding: 'x'.repeat(200) }, 'shutting down');
        process.exit(0);
      });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
    const [firstChunk] = (await once(child.stdout, 'data')) as [Buffer];
    expect(firstChunk.toString()).toContain('"msg":"ready"');
    child.stdout.destroy();
    child.stdin.end();
    const exited = once(child, 'exit');
    const outcome = await Promise.race([exited.then(() => 'exited'), new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    if (outcome !== 'exited') child.kill('SIGKILL');
    expect(outcome).toBe('exited');
  });
});
