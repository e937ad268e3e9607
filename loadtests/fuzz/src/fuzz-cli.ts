import { randomInt } from 'node:crypto';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { prepareFuzzParties, victimSnapshot } from './fuzz-parties.js';
import { formatFuzzReport } from './fuzz-report.js';
import { fuzzFailures, runFuzz, type FuzzTarget } from './fuzz-run.js';

const USAGE = `Usage: npm run fuzz -- [--base-url URL] [--socket-url URL] [--count N] [--seed S] [--only i,j] [--concurrency C]

Registers an attacker and a victim on a running platform (npm start: http://localhost:8080),
sends N generated hostile payloads (default 10000) at every REST route, socket event and the
handshake, then checks the victim's data is unchanged. Prints a table and a last line of JSON;
exits 1 on any 5xx, internal/unavailable ack, unanswered event, dropped connection, accepted
hostile handshake or change to the victim's data. The same seed sends the same payloads.
Registration needs REGISTER_LIMIT_PER_IP above 2 for the run's address.`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'base-url': { type: 'string', default: 'http://localhost:8080' },
        'socket-url': { type: 'string' },
        origin: { type: 'string' },
        count: { type: 'string', default: '10000' },
        seed: { type: 'string' },
        only: { type: 'string' },
        concurrency: { type: 'string', default: '4' },
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
  const count = Number(values.count);
  const concurrency = Number(values.concurrency);
  const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
  const only = values.only?.split(',').map(Number);
  if (![count, concurrency, seed, ...(only ?? [])].every((value) => Number.isInteger(value) && value >= 0)) {
    process.stderr.write(`--count, --seed, --only and --concurrency take whole numbers\n\n${USAGE}\n`);
    return 2;
  }
  const base = values['base-url'];
  const target: FuzzTarget = {
    baseUrls: { auth: base, user: base, chat: base },
    socketUrl: values['socket-url'] ?? base,
    origin: values.origin ?? new URL(base).origin,
  };

  const parties = await prepareFuzzParties(target);
  const before = await victimSnapshot(target, parties.victim);
  const report = await runFuzz({
    target,
    identity: parties.attacker,
    count,
    seed,
    concurrency,
    ...(only ? { only } : {}),
    onProgress: (done, partial) => {
      process.stderr.write(`\r${done}/${only?.length ?? count} sent, ${fuzzFailures(partial)} failures`);
    },
  });
  process.stderr.write('\n');
  const after = await victimSnapshot(target, parties.victim);
  const victimUnchanged = isDeepStrictEqual(before, after);

  process.stdout.write(`${formatFuzzReport(report)}\n`);
  if (!victimUnchanged) process.stdout.write(`FAIL: the victim's data changed\nbefore: ${JSON.stringify(before)}\nafter:  ${JSON.stringify(after)}\n`);
  const ok = fuzzFailures(report) === 0 && victimUnchanged;
  const { findings, ...figures } = report;
  process.stdout.write(`${JSON.stringify({ scenario: 'fuzz', ok, victimUnchanged, ...figures, findings: findings.length })}\n`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fuzz failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
