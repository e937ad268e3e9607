import { parseArgs } from 'node:util';
import { parseDuration, parsePositiveInt } from '../cli-options.js';

export interface BenchOptions {
  sockets: number;
  roomSize: number;
  /** Send rates, msg/s, one step each. */
  steps: number[];
  stepMs: number;
  /** Unmeasured sending before the first step of every run (0 = none); see warmUpRate. */
  warmUpMs: number;
  ackTimeoutMs: number;
  drainMs: number;
  /** `direct`: sockets spread over the chat-socket processes (as a Kubernetes Service does); `gateway`: through the launcher's one origin. */
  via: 'direct' | 'gateway';
  adapter: 'sharded' | 'classic';
  /** The step rate at which the sharded and classic adapters are compared (0 = no comparison). */
  compareRate: number;
  cpuProfile: boolean;
  /** The step (msg/s) profiled with --cpu-prof. */
  cpuProfileRate: number;
  keep: boolean;
  persistTimeoutMs: number;
  reportDir: string;
  /** Extra variables for the platform's services (experiments: SEND_BATCH_MAX_SIZE=500, …). */
  env: Record<string, string>;
  /** A PostgreSQL server for the throwaway database (else embedded PostgreSQL). */
  postgresServerUrl: string | undefined;
  /** Redis for the platform and the bare baseline (else what the launcher finds; the baseline uses 127.0.0.1:6379). */
  redisUrl: string | undefined;
  /** Parley/bare run pairs (0 = one Parley run with the adapter comparison, no baseline). */
  alternations: number;
  /** The step whose delivery p99 is compared between Parley and the bare baseline. */
  ratioRate: number;
  /**
   * The load generator's nice value (-20…19; 0 = as started). As parsed, the value asked for;
   * the CLI applies it and passes on the value in effect (bench/generator-priority.ts).
   */
  generatorNice: number;
  /**
   * PARLEY_BACKGROUND_NICENESS of the Parley runs (0–19, default 0 as `npm start`): above 0 the
   * persistence worker and embedded PostgreSQL yield the CPU to the delivery path, as on nodes
   * of their own (docs/decisions/0047-background-autogroup-niceness.md).
   */
  backgroundNice: number;
}

export const BENCH_USAGE = `Usage: npm run bench:fanout -- [options]

Starts the platform (two chat-socket processes, the worker, auth, user, web) with a throwaway
database, registers users, connects sockets, and sends at increasing rates. Then does the same
against a bare baseline (two socket.io processes with the Redis adapter, no auth, no persistence),
and alternates the two --alternations times, printing both results and the ratios per step and a
last JSON line with the medians.

  --sockets <n>        sockets = users (default 2000)
  --room-size <n>      members per room (default 10)
  --steps <list>       msg/s per step (default 250,500,1000,1500,2000,2500,3000)
  --step <d>           duration of each step (default 10s)
  --warm-up <d>        unmeasured sending before the first step of every run, Parley and bare
                       alike, at min(250, first step) msg/s (default 5s; 0 = none)
  --ack-timeout <d>    (default 10s)      --drain <d>   wait for late deliveries (default 10s)
  --alternations <n>   Parley/bare run pairs (default 3); 0 = one Parley run with the adapter
                       comparison and the HTML report, no baseline
  --ratio-rate <n>     the step whose delivery p99 is compared (default 2000; a shrunken run uses
                       the highest step below it)
  --via <direct|gateway>  sockets straight to the chat-socket processes (default) or through the gateway
  --adapter <sharded|classic>  adapter of the main run (default sharded)
  --compare-rate <n>   also run this step with the other adapter (default 1000; 0 = skip; only
                       with --alternations 0)
  --cpu-prof           profile chat-socket and the worker during one step (V8 .cpuprofile files) and summarise them
  --cpu-prof-rate <n>  the step to profile (default 2000)
  --env NAME=value     extra variable for every service (repeatable), e.g. --env SEND_BATCH_MAX_SIZE=500
  --keep               keep the temporary data directory (logs, profiles) and the idle-memory readings
  --persist-timeout <d>  longest wait for the worker to store a step's messages (default 60s)
  --report-dir <dir>   (default loadtests/reports)
  --generator-nice=<n> the load generator's nice value, -20…19 (default -10; 0 = leave it): it stands
                       in for clients on other machines, so it should not wait for a CPU behind the
                       servers it measures (applied to its session's autogroup; needs root to lower)
  --background-nice=<n> Parley's persistence worker and embedded PostgreSQL at this niceness, 0…19
                       (default 0: as npm start runs them); in a cluster they have nodes or CPU
                       weights of their own, here they share the sockets' two cores

PostgreSQL: a fresh database on DATABASE_URL's or TEST_POSTGRES_URL's server when one is set,
otherwise embedded PostgreSQL in a temporary directory. Redis: REDIS_URL, else what the launcher
finds (127.0.0.1:6379 or a redis-server it starts), keys under a fresh prefix, deleted after.`;

export function parseBenchOptions(argv: string[], defaultReportDir: string): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      sockets: { type: 'string', default: '2000' },
      'room-size': { type: 'string', default: '10' },
      steps: { type: 'string', default: '250,500,1000,1500,2000,2500,3000' },
      step: { type: 'string', default: '10s' },
      'warm-up': { type: 'string', default: '5s' },
      'ack-timeout': { type: 'string', default: '10s' },
      drain: { type: 'string', default: '10s' },
      via: { type: 'string', default: 'direct' },
      adapter: { type: 'string', default: 'sharded' },
      'compare-rate': { type: 'string', default: '1000' },
      'cpu-prof': { type: 'boolean', default: false },
      'cpu-prof-rate': { type: 'string', default: '2000' },
      env: { type: 'string', multiple: true },
      keep: { type: 'boolean', default: false },
      'persist-timeout': { type: 'string', default: '60s' },
      'report-dir': { type: 'string', default: defaultReportDir },
      alternations: { type: 'string', default: '3' },
      'ratio-rate': { type: 'string', default: '2000' },
      'generator-nice': { type: 'string', default: '-10' },
      'background-nice': { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    process.exit(0);
  }
  if (values.via !== 'direct' && values.via !== 'gateway') throw new Error('--via is direct or gateway');
  if (values.adapter !== 'sharded' && values.adapter !== 'classic') throw new Error('--adapter is sharded or classic');
  return {
    sockets: parsePositiveInt(values.sockets, 'sockets'),
    roomSize: parsePositiveInt(values['room-size'], 'room-size'),
    steps: values.steps.split(',').map((step) => parsePositiveInt(step.trim(), 'steps')),
    stepMs: parseDuration(values.step),
    warmUpMs: parseDuration(values['warm-up']),
    ackTimeoutMs: parseDuration(values['ack-timeout']),
    drainMs: parseDuration(values.drain),
    via: values.via,
    adapter: values.adapter,
    compareRate: Number(values['compare-rate']),
    cpuProfile: values['cpu-prof'],
    cpuProfileRate: parsePositiveInt(values['cpu-prof-rate'], 'cpu-prof-rate'),
    keep: values.keep,
    persistTimeoutMs: parseDuration(values['persist-timeout']),
    reportDir: values['report-dir'],
    env: Object.fromEntries(
      (values.env ?? []).map((pair) => {
        const at = pair.indexOf('=');
        if (at <= 0) throw new Error(`--env takes NAME=value, got ${pair}`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    ),
    postgresServerUrl: process.env.DATABASE_URL ?? process.env.TEST_POSTGRES_URL,
    redisUrl: process.env.REDIS_URL,
    alternations: parseCount(values.alternations, 'alternations'),
    ratioRate: parsePositiveInt(values['ratio-rate'], 'ratio-rate'),
    generatorNice: parseNice(values['generator-nice']),
    backgroundNice: parseBackgroundNice(values['background-nice']),
  };
}

function parseNice(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < -20 || value > 19) throw new Error('--generator-nice must be a whole number from -20 to 19');
  return value;
}

/** The background niceness the platform ran with: `--env PARLEY_BACKGROUND_NICENESS=…` wins over the option. */
export function effectiveBackgroundNice(options: Pick<BenchOptions, 'backgroundNice' | 'env'>): number {
  return Number(options.env.PARLEY_BACKGROUND_NICENESS ?? options.backgroundNice);
}

function parseBackgroundNice(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 19) throw new Error('--background-nice must be a whole number from 0 to 19');
  return value;
}

function parseCount(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number ≥ 0`);
  return value;
}

/**
 * The warm-up's rate: every room gets a few messages before anything is measured (a fresh
 * process compiles its hot paths, opens its pools and fills its per-room caches and counters on
 * the first messages, which a running deployment did long ago), at a rate the first step exceeds.
 */
export function warmUpRate(options: Pick<BenchOptions, 'steps'>): number {
  return Math.min(250, ...options.steps);
}
