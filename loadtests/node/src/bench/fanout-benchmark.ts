import { mkdir, rm } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { launchPlatform, type LaunchedPlatform, type PlatformProcess } from '@parley/testing';
import { residentBytes } from '../platform/process-table.js';
import { BENCH_SETUP_ENV } from './bench-platform-env.js';
import { progressReporter } from '../scenarios/fanout-scenario.js';
import type { ScenarioOutput } from '../scenarios/scenario-output.js';
import { provisionCohort, type Cohort } from '../run/cohort.js';
import { sleep } from '../run/concurrency.js';
import { DeliveryLedger, type PhaseOutcome, type PhaseStats } from '../run/delivery-ledger.js';
import { PlatformApi } from '../run/platform-api.js';
import { drainPhase, runSendPhase } from '../run/send-phase.js';
import { SocketFleet } from '../run/socket-fleet.js';
import { ProgressLine } from '../report/progress-line.js';
import type { BenchOptions } from './bench-options.js';
import { CpuMeter, type CpuShares } from './cpu-meter.js';
import { PersistenceProbe, type PersistenceLag } from './persistence-probe.js';
import { MEMORY_PROBE_PRELOAD, settledMemory, type CollectedMemory } from './memory-probe.js';
import { bucketQuantile, combineBuckets, histogramBuckets, scrapeText, type HistogramBuckets } from './service-metrics.js';

const PROFILER_PRELOAD = fileURLToPath(new URL('../../dist/profile/cpu-profiler-preload.js', import.meta.url));

/** The services' latency histograms a step reads (StepResult.server). */
const SERVER_HISTOGRAMS = ['ack', 'accept', 'fanout', 'persist'] as const;
type ServerHistogram = (typeof SERVER_HISTOGRAMS)[number];

export interface StepResult extends PhaseOutcome {
  rate: number;
  adapter: string;
  /** Messages of this step found in chat.messages. */
  persisted: number;
  /** Every message acknowledged so far is stored. */
  persistedAll: boolean;
  persistenceLag: PersistenceLag;
  cpu: CpuShares;
  /** Time each group's threads waited for a CPU during the step, in % of one core. */
  cpuWait: CpuShares;
  /**
   * The services' own view (histograms scraped before and after the step, p50/p99 in ms):
   * `ack` = parley_message_ack_seconds (receipt → ack, chat-socket), `fanout` =
   * parley_fanout_latency_seconds (acceptance → written to the local sockets, chat-socket),
   * `accept` = parley_send_accept_seconds (one send batch's accept script, call → reply read,
   * chat-socket), `persist` = parley_persistence_lag_seconds (acceptance → commit, worker).
   */
  server: Record<ServerHistogram, { p50Ms: number; p99Ms: number }>;
  /** p99 event-loop delay of this generator during the step: high values mean the generator itself lagged. */
  generatorLoopDelayP99Ms: number;
  connectedAtEnd: number;
}

export interface IdleMemory {
  sockets: number;
  /**
   * VmRSS of each chat-socket process before and after connecting the idle sockets, in MiB,
   * each the lowest of three readings right after a full GC (`settledMemory`): what the sockets
   * keep alive.
   */
  beforeMiB: number[];
  /** The same, with the first half of the sockets connected. */
  halfMiB: number[];
  afterMiB: number[];
  /**
   * RSS growth per socket from the first half of the sockets to all of them, after a full GC
   * (the target's figure): what one more idle socket costs. The reading before any socket is
   * left out because it moves by up to 20 MiB between identical runs (how much of what start-up
   * and setup freed the process still holds), which swung the per-socket figure by 6 KiB.
   */
  perSocketKiB: number;
  /** RSS growth per socket from no socket to all of them, after a full GC (one-off growth included). */
  fromNothingPerSocketKiB: number;
  /** V8 heap in use after a full GC, summed over the processes, per socket. */
  heapPerSocketKiB: number;
  /**
   * RSS growth per socket read 5 s after connecting, without forcing a GC: also counts the
   * handshakes' garbage and the young generation grown by the connection burst.
   */
  withoutGcPerSocketKiB: number;
}

/** One launched platform with its users connected. */
export interface BenchSession {
  adapter: 'sharded' | 'classic';
  platform: LaunchedPlatform;
  cohort: Cohort;
  ledger: DeliveryLedger;
  fleet: SocketFleet;
  probe: PersistenceProbe;
  cpu: CpuMeter;
  memory: IdleMemory;
  chatSockets: PlatformProcess[];
  /** chat-socket and the worker: profiled during the profiled step, scraped around every step. */
  profiled: PlatformProcess[];
  /** Messages acknowledged over the whole session (what chat.messages must reach). */
  acknowledgedSoFar: number;
  phases: PhaseStats[];
  profileDir: string | undefined;
}

export async function openSession(options: BenchOptions, adapter: 'sharded' | 'classic', output: ScenarioOutput): Promise<BenchSession> {
  const profileDir = options.cpuProfile ? join(options.reportDir, `cpu-profiles-${adapter}-${Date.now()}`) : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const memoryProbeDir = join(options.reportDir, `memory-probe-${adapter}-${Date.now()}`);
  await mkdir(memoryProbeDir, { recursive: true });
  const preloads = [`--import ${MEMORY_PROBE_PRELOAD}`, ...(profileDir ? [`--import ${PROFILER_PRELOAD}`] : [])];
  output.status(`starting the platform (SOCKET_ADAPTER=${adapter}${profileDir ? ', CPU profiling' : ''}) …`);
  const platform = await launchPlatform({
    label: 'bench',
    ...(options.postgresServerUrl ? { postgresServerUrl: options.postgresServerUrl } : {}),
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    env: {
      ...BENCH_SETUP_ENV,
      PARLEY_BACKGROUND_NICENESS: String(options.backgroundNice),
      ...options.env,
      SOCKET_ADAPTER: adapter,
      // Node 20 refuses --cpu-prof in NODE_OPTIONS; --import of a preload is allowed. An
      // `--env NODE_OPTIONS=…` (say --trace-gc) adds to the preloads instead of replacing them.
      NODE_OPTIONS: [process.env.NODE_OPTIONS, options.env.NODE_OPTIONS, ...preloads].filter(Boolean).join(' '),
      PARLEY_MEMORY_PROBE_DIR: memoryProbeDir,
      ...(profileDir
        ? {
            PARLEY_CPU_PROFILE_DIR: profileDir,
            // Profile only the chosen step (runStep signals start and stop), not start-up and setup.
            PARLEY_CPU_PROFILE_ON_SIGNAL: '1',
          }
        : {}),
    },
    keepDataDir: options.keep,
  });
  try {
    const processes = await platform.processes();
    const chatSockets = processes.filter((entry) => entry.service === 'chat-socket' && entry.port !== undefined);
    // Profiled with --cpu-prof, and scraped for the services' latency histograms.
    const profiled = processes.filter((entry) => entry.service === 'chat-socket' || entry.service === 'persistence-worker');
    if (chatSockets.length === 0) throw new Error('no chat-socket process found under the launcher');
    output.status(`platform up at ${platform.url} (chat-socket ports ${chatSockets.map((entry) => entry.port).join(', ')}; log ${platform.logFile})`);

    const api = new PlatformApi(platform.url);
    output.status(`registering ${options.sockets} users, rooms of ${options.roomSize} …`);
    const cohort = await provisionCohort({ api, users: options.sockets, roomSize: options.roomSize, onProgress: progressReporter(output) });
    const ledger = new DeliveryLedger(cohort.topology);
    const endpoints = options.via === 'direct' ? chatSockets.map((entry) => `http://127.0.0.1:${entry.port}`) : [platform.url];
    const fleet = new SocketFleet({ endpoints, users: cohort.users, ledger });

    await sleep(3_000);
    const pids = chatSockets.map((entry) => entry.pid);
    const collectedBefore = await settledMemory(pids, memoryProbeDir);
    const before = await Promise.all(pids.map((pid) => residentBytes(pid)));
    output.status(`connecting ${options.sockets} sockets (${options.via}: ${endpoints.join(', ')}) …`);
    // In two halves, with a reading after each: the second half's growth is what a socket costs.
    const half = Math.floor(options.sockets / 2);
    await fleet.connectRange(0, half, progressReporter(output));
    await sleep(3_000);
    const collectedHalf = await settledMemory(pids, memoryProbeDir);
    await fleet.connectRange(half, options.sockets, progressReporter(output));
    await sleep(5_000);
    const after = await Promise.all(pids.map((pid) => residentBytes(pid)));
    const collectedAfter = await settledMemory(pids, memoryProbeDir);
    // The readings' files are kept with --keep only (they explain an odd idle figure).
    if (!options.keep) await rm(memoryProbeDir, { recursive: true, force: true });
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    const perSocketKiB = (bytesAfter: number[], bytesBefore: number[], sockets = options.sockets) => round((sum(bytesAfter) - sum(bytesBefore)) / 1024 / sockets);
    const rss = (readings: CollectedMemory[]) => readings.map((reading) => reading.rss);
    const heap = (readings: CollectedMemory[]) => readings.map((reading) => reading.heapUsed);
    const mib = (readings: CollectedMemory[]) => readings.map((reading) => round(reading.rss / 2 ** 20));
    const memory: IdleMemory = {
      sockets: options.sockets,
      beforeMiB: mib(collectedBefore),
      halfMiB: mib(collectedHalf),
      afterMiB: mib(collectedAfter),
      perSocketKiB: perSocketKiB(rss(collectedAfter), rss(collectedHalf), options.sockets - half),
      fromNothingPerSocketKiB: perSocketKiB(rss(collectedAfter), rss(collectedBefore)),
      heapPerSocketKiB: perSocketKiB(heap(collectedAfter), heap(collectedHalf), options.sockets - half),
      withoutGcPerSocketKiB: perSocketKiB(after, before),
    };
    output.status(
      `idle sockets (after a full GC): RSS ${memory.beforeMiB.join(' + ')} → ${memory.halfMiB.join(' + ')} → ${memory.afterMiB.join(' + ')} MiB (none, half, all connected) = ${memory.perSocketKiB} KiB per socket from half to all (V8 heap ${memory.heapPerSocketKiB} KiB), ${memory.fromNothingPerSocketKiB} KiB from none; without forcing a GC ${memory.withoutGcPerSocketKiB} KiB from none`,
    );
    const launcherProcess: PlatformProcess = { pid: platform.pid, service: 'launcher (gateway)', port: undefined, metricsPort: undefined };
    const cpu = new CpuMeter(async () => [launcherProcess, ...(await platform.processes())]);
    return {
      adapter,
      platform,
      cohort,
      ledger,
      fleet,
      probe: new PersistenceProbe(platform.databaseUrl),
      cpu,
      memory,
      chatSockets,
      profiled,
      acknowledgedSoFar: 0,
      phases: [],
      profileDir,
    };
  } catch (error) {
    await platform.stop();
    if (!options.keep) await rm(memoryProbeDir, { recursive: true, force: true });
    throw error;
  }
}

export async function runStep(session: BenchSession, rate: number, durationMs: number, options: BenchOptions, name = `${rate}/s`): Promise<StepResult> {
  const { ledger, fleet } = session;
  const progress = new ProgressLine(ledger, fleet, Math.round(durationMs / 1000));
  const histogramsBefore = await serverHistograms(session);
  const profiling = session.profileDir !== undefined && rate === options.cpuProfileRate && name === `${rate}/s`;
  if (profiling) signalProfilers(session);
  await session.cpu.begin();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const wallStart = Date.now();
  const phase = await runSendPhase({
    name: `${session.adapter} ${name}`,
    ledger,
    fleet,
    ratePerSecond: rate,
    durationMs,
    ackTimeoutMs: options.ackTimeoutMs,
    onTick: (current) => progress.tick(current),
  });
  const wallSendEnd = Date.now();
  await drainPhase(ledger, phase, { ackTimeoutMs: options.ackTimeoutMs, drainMs: options.drainMs, onTick: (current) => progress.tick(current) });
  const { busy: cpu, waiting: cpuWait } = await session.cpu.end();
  if (profiling) signalProfilers(session);
  loopDelay.disable();
  progress.done();
  session.phases.push(phase);
  const outcome = ledger.settle(phase);
  const histogramsAfter = await serverHistograms(session);
  const server = Object.fromEntries(
    SERVER_HISTOGRAMS.map((key) => {
      const delta = combineBuckets(histogramsAfter[key], histogramsBefore[key], -1);
      return [key, { p50Ms: bucketQuantile(delta, 0.5) * 1000, p99Ms: bucketQuantile(delta, 0.99) * 1000 }];
    }),
  ) as StepResult['server'];
  session.acknowledgedSoFar += outcome.acknowledged;
  const stored = await session.probe.waitForTotal(session.acknowledgedSoFar, options.persistTimeoutMs);
  const lag = await session.probe.lag(wallStart - 50, wallSendEnd + options.ackTimeoutMs);
  return {
    ...outcome,
    rate,
    adapter: session.adapter,
    persisted: lag.persisted,
    persistedAll: stored >= session.acknowledgedSoFar,
    persistenceLag: lag,
    cpu,
    cpuWait,
    server,
    generatorLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    connectedAtEnd: fleet.connectedCount(),
  };
}

export async function closeSession(session: BenchSession): Promise<void> {
  session.fleet.close();
  await session.probe.close().catch(() => undefined);
  await session.platform.stop();
}

const round = (value: number) => Math.round(value * 10) / 10;

/** The services' latency histograms, summed over their processes. */
async function serverHistograms(session: BenchSession): Promise<Record<ServerHistogram, HistogramBuckets>> {
  const texts = await Promise.all(session.profiled.map(async (entry) => ({ entry, text: await scrapeText(`http://127.0.0.1:${entry.metricsPort}`) })));
  const sum = (service: string, name: string) =>
    texts.filter(({ entry }) => entry.service === service).reduce((total, { text }) => combineBuckets(total, histogramBuckets(text, name)), new Map() as HistogramBuckets);
  return {
    ack: sum('chat-socket', 'parley_message_ack_seconds'),
    fanout: sum('chat-socket', 'parley_fanout_latency_seconds'),
    accept: sum('chat-socket', 'parley_send_accept_seconds'),
    persist: sum('persistence-worker', 'parley_persistence_lag_seconds'),
  };
}

/** SIGUSR2 starts or stops the preloaded profiler (see profile/cpu-profiler-preload.ts). */
function signalProfilers(session: BenchSession): void {
  for (const entry of session.profiled) {
    try {
      process.kill(entry.pid, 'SIGUSR2');
    } catch {
      // Gone already: its profile is simply missing.
    }
  }
}
