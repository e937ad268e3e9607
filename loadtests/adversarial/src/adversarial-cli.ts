import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { startAdversarialPlatform } from './adversarial-platform.js';
import { FAULTS, type FaultName } from './cases/fault-matrix.js';
import { SESSION_CLOSE_PROMISE_MS } from './cases/session-sockets.js';
import { formatResultsTable } from './results-table.js';
import { FAST_SETTINGS, FULL_SETTINGS, resultsJson, runAdversarial, type AdversarialSettings } from './run-adversarial.js';

const USAGE = `Usage: npm run test:adversarial -- [--fast] [--postgres-down-ms N] [--fuzz-count N] [--fuzz-seed S] [--idempotency N] [--faults a,b] [--no-faults]

Starts the platform as npm start does (the built launcher: auth, user, two chat-socket
processes, the worker, the gateway) on free ports, on a private PostgreSQL and a private
redis-server (AOF, appendfsync always), and runs every case: forged tokens, foreign Origin,
the authorization matrix, sockets racing their user's removal (from a room, every session,
the account), idempotency, the poison message, sessions against live sockets
(a socket of an ended session closed later than ${SESSION_CLOSE_PROMISE_MS} ms after the revoking request fails
the case), login-limiter races, fuzzing, and the fault matrix under load (${FAULTS.join(', ')}).
Prints a table of tried / accepted / lost / time to recover per case and a last line of JSON;
exits 1 when any case fails. --fast runs the small counts of the npm test part, without faults.`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        fast: { type: 'boolean', default: false },
        'postgres-down-ms': { type: 'string' },
        'fuzz-count': { type: 'string' },
        'fuzz-seed': { type: 'string' },
        idempotency: { type: 'string' },
        faults: { type: 'string' },
        'no-faults': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const settings: AdversarialSettings = structuredClone(values.fast ? FAST_SETTINGS : FULL_SETTINGS);
  const whole = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isInteger(number) || number < 0) throw new Error(`--${name} takes a whole number`);
    return number;
  };
  try {
    settings.fuzzCount = whole('fuzz-count', values['fuzz-count']) ?? settings.fuzzCount;
    settings.fuzzSeed = whole('fuzz-seed', values['fuzz-seed']) ?? settings.fuzzSeed;
    settings.idempotencySends = whole('idempotency', values.idempotency) ?? settings.idempotencySends;
    const postgresDownMs = whole('postgres-down-ms', values['postgres-down-ms']);
    if (values['no-faults']) delete settings.faults;
    if (settings.faults) {
      if (postgresDownMs !== undefined) settings.faults.postgresDownMs = postgresDownMs;
      if (values.faults) {
        const chosen = values.faults.split(',') as FaultName[];
        const unknown = chosen.filter((fault) => !FAULTS.includes(fault));
        if (unknown.length > 0) throw new Error(`unknown faults: ${unknown.join(', ')} (known: ${FAULTS.join(', ')})`);
        settings.faults.faults = chosen;
      }
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }

  const startedAt = new Date();
  process.stderr.write('starting the platform (launcher, private PostgreSQL, private Redis with appendfsync always)…\n');
  const platform = await startAdversarialPlatform();
  let results;
  try {
    process.stderr.write(`platform up at ${platform.url}\n`);
    results = await runAdversarial(platform, settings, (result) => {
      process.stderr.write(`${result.ok ? 'ok  ' : 'FAIL'} ${result.name}: tried ${result.tried}, accepted ${result.accepted}, lost ${result.lost}\n`);
    });
  } finally {
    await platform.stop();
  }
  process.stdout.write(`\n${formatResultsTable(results)}\n`);
  process.stdout.write(
    `${resultsJson(results, {
      date: startedAt.toISOString(),
      durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
      node: process.version,
      cores: cpus().length,
      settings,
    })}\n`,
  );
  return results.every((result) => result.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`the adversarial suite failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
