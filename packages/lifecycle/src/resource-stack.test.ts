import { describe, expect, it } from 'vitest';
import { createResourceStack } from './resource-stack.js';

interface LogLine {
  level: 'info' | 'warn';
  fields: Record<string, unknown>;
  msg: string;
}

function recordingLogger() {
  const lines: LogLine[] = [];
  const logger = {
    info: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'info', fields, msg }),
    warn: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'warn', fields, msg }),
  };
  return { logger: logger as never, lines };
}

describe('the resource stack', () => {
  it('closes resources in the reverse order of their creation, one after the other', async () => {
    const { logger } = recordingLogger();
    const stack = createResourceStack({ logger });
    const events: string[] = [];
    for (const name of ['postgres', 'redis', 'queue', 'sockets']) {
      stack.add(name, async () => {
        events.push(`${name} closing`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`${name} closed`);
      });
    }
    const report = await stack.close();
    expect(events).toEqual([
      'sockets closing',
      'sockets closed',
      'queue closing',
      'queue closed',
      'redis closing',
      'redis closed',
      'postgres closing',
      'postgres closed',
    ]);
    expect(report.map((step) => [step.name, step.outcome])).toEqual([
      ['sockets', 'closed'],
      ['queue', 'closed'],
      ['redis', 'closed'],
      ['postgres', 'closed'],
    ]);
  });

  it('logs every close with its outcome and duration', async () => {
    const { logger, lines } = recordingLogger();
    const stack = createResourceStack({ logger });
    stack.add('postgres', () => undefined);
    await stack.close();
    const line = lines.find((entry) => entry.msg === 'resource closed');
    expect(line?.fields).toMatchObject({ resource: 'postgres', outcome: 'closed' });
    expect(typeof line?.fields.durationMs).toBe('number');
  });

  it('abandons a close that hangs after its own timeout and still closes the resources below it', async () => {
    const { logger, lines } = recordingLogger();
    const stack = createResourceStack({ logger, defaultTimeoutMs: 10_000 });
    let postgresClosed = false;
    stack.add('postgres', () => {
      postgresClosed = true;
    });
    stack.add('stuck-queue', () => new Promise(() => undefined), { timeoutMs: 50 });
    const report = await stack.close();
    expect(report.map((step) => [step.name, step.outcome])).toEqual([
      ['stuck-queue', 'timed-out'],
      ['postgres', 'closed'],
    ]);
    expect(postgresClosed).toBe(true);
    expect(lines.some((entry) => entry.level === 'warn' && entry.fields.resource === 'stuck-queue' && entry.msg.includes('timed out'))).toBe(true);
  });

  it('uses the default timeout for closes registered without one', async () => {
    const { logger } = recordingLogger();
    const stack = createResourceStack({ logger, defaultTimeoutMs: 30 });
    stack.add('stuck', () => new Promise(() => undefined));
    expect((await stack.close())[0]?.outcome).toBe('timed-out');
  });

  it('logs a failing close (rejected or thrown) and goes on with the others', async () => {
    const { logger, lines } = recordingLogger();
    const stack = createResourceStack({ logger });
    const closed: string[] = [];
    stack.add('postgres', () => void closed.push('postgres'));
    stack.add('redis', () => Promise.reject(new Error('connection reset')));
    stack.add('queue', () => {
      throw new Error('already closed');
    });
    stack.add('sockets', () => void closed.push('sockets'));
    const report = await stack.close();
    expect(report.map((step) => step.outcome)).toEqual(['closed', 'failed', 'failed', 'closed']);
    expect(closed).toEqual(['sockets', 'postgres']);
    const failures = lines.filter((entry) => entry.msg === 'close failed');
    expect(failures.map((entry) => entry.fields.resource)).toEqual(['queue', 'redis']);
    expect((failures[1]?.fields.err as Error).message).toBe('connection reset');
  });

  it('closes once: a second stop gets the same result and closes nothing again', async () => {
    const { logger } = recordingLogger();
    const stack = createResourceStack({ logger });
    let closes = 0;
    stack.add('redis', async () => {
      closes += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
    expect(stack.closing).toBe(false);
    const first = stack.close();
    const second = stack.close();
    expect(stack.closing).toBe(true);
    expect(second).toBe(first);
    await first;
    expect(await stack.close()).toEqual(await first);
    expect(closes).toBe(1);
  });

  it('closes at once what is registered after the stop began, so nothing created late leaks', async () => {
    const { logger } = recordingLogger();
    const stack = createResourceStack({ logger });
    const closing = stack.close();
    let lateClosed = false;
    const late = new Promise<void>((resolve) => {
      stack.add('late-connection', () => {
        lateClosed = true;
        resolve();
      });
    });
    await Promise.all([closing, late]);
    expect(lateClosed).toBe(true);
  });
});
