import { cpus, loadavg, totalmem } from 'node:os';
import { markdownTable, int, textTable } from '../report/format.js';
import { renderHtmlReport } from '../report/html-report.js';
import { runCharts } from '../report/run-charts.js';
import { summarizeProfiles } from '../profile/profile-report.js';
import type { ProfileSummary } from '../profile/cpu-profile-summary.js';
import { jsonNumber, writeReport, type ScenarioOutput } from '../scenarios/scenario-output.js';
import { highestStepCleanThroughout } from './baseline-ratios.js';
import { effectiveBackgroundNice, warmUpRate, type BenchOptions } from './bench-options.js';
import { cpuTable, cpuWaitTable, idleSocketKiB, isClean, judgeTarget, SERVER_HEADERS, serverRow, STEP_HEADERS, stepRow, TARGET, type TargetVerdict } from './bench-report.js';
import { closeSession, openSession, runStep, type BenchSession, type IdleMemory, type StepResult } from './fanout-benchmark.js';

/** Threads runnable but not running: on a saturated machine, where the latency comes from. */
const CPU_WAIT_TITLE = 'Waiting for a CPU during each step (% of one core: time runnable, not running, all threads)';

export interface BenchSummary {
  completed: boolean;
  machine: string;
  via: string;
  sockets: number;
  roomSize: number;
  /** Highest step whose delivery p99 stayed under 100 ms with zero loss (0 when none). */
  highestCleanStep: number;
  target: TargetVerdict;
  memory: IdleMemory;
  steps: Array<Record<string, unknown>>;
  adapterComparison: Array<Record<string, unknown>>;
  profiles: Array<{ service: string; pid: number; summary: ProfileSummary }>;
  reportPath: string;
}

/** The whole benchmark: steps on the main adapter, then the comparison step on the other one. */
export async function runFanoutBenchmark(options: BenchOptions, output: ScenarioOutput): Promise<BenchSummary> {
  // Other work on the machine skews every number: say how busy it was when we started.
  const loadBefore = loadavg().map((value) => value.toFixed(2)).join(' ');
  const steps: StepResult[] = [];
  const comparison: StepResult[] = [];
  let memory: IdleMemory | undefined;
  const profiles: BenchSummary['profiles'] = [];
  const phases: BenchSession['phases'] = [];

  const main = await openSession(options, options.adapter, output);
  try {
    memory = main.memory;
    const rates = [...options.steps];
    if (options.compareRate > 0 && !rates.includes(options.compareRate)) rates.push(options.compareRate);
    if (options.warmUpMs > 0) await runStep(main, warmUpRate(options), options.warmUpMs, options, 'warm-up');
    for (const rate of rates) {
      const step = await runStep(main, rate, options.stepMs, options);
      steps.push(step);
      output.status(textTable(STEP_HEADERS, [stepRow(step)]));
      if (step.connectedAtEnd < options.sockets / 2) {
        output.status('more than half the sockets are gone: stopping the steps here');
        break;
      }
    }
  } finally {
    phases.push(...main.phases);
    await closeSession(main);
    profiles.push(...(await profilesOf(main)));
  }

  if (options.compareRate > 0) {
    const other = options.adapter === 'sharded' ? 'classic' : 'sharded';
    const session = await openSession(options, other, output);
    try {
      // The main run's step came after lower steps: warm this one up the same way.
      await runStep(session, Math.min(250, options.compareRate), Math.min(options.stepMs, 5_000), options, 'warm-up');
      const step = await runStep(session, options.compareRate, options.stepMs, options);
      comparison.push(step);
      output.status(textTable(STEP_HEADERS, [stepRow(step)]));
    } finally {
      await closeSession(session);
      profiles.push(...(await profilesOf(session)));
    }
    const same = steps.find((step) => step.rate === options.compareRate);
    if (same) comparison.unshift(same);
  }

  const target = judgeTarget(steps, memory);
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average at start ${loadBefore}`;
  const stepJson = (step: StepResult) => ({
    adapter: step.adapter,
    rate: step.rate,
    sent: step.sent,
    acknowledged: step.acknowledged,
    failed: step.failed,
    acceptedPerSecond: jsonNumber(step.acceptedPerSecond),
    deliveriesPerSecond: jsonNumber(step.deliveriesPerSecond),
    expectedDeliveries: step.expectedDeliveries,
    received: step.received,
    lost: step.lost,
    duplicated: step.duplicated,
    misdelivered: step.misdelivered,
    p50AckMs: jsonNumber(step.p50AckMs),
    p99AckMs: jsonNumber(step.p99AckMs),
    p50DeliveryMs: jsonNumber(step.p50DeliveryMs),
    p95DeliveryMs: jsonNumber(step.p95DeliveryMs),
    p99DeliveryMs: jsonNumber(step.p99DeliveryMs),
    maxDeliveryMs: jsonNumber(step.maxDeliveryMs),
    persisted: step.persisted,
    persistedAll: step.persistedAll,
    persistenceLagP50Ms: jsonNumber(step.persistenceLag.p50Ms),
    persistenceLagP99Ms: jsonNumber(step.persistenceLag.p99Ms),
    cpuPercent: step.cpu,
    cpuWaitPercent: step.cpuWait,
    serverLatencyMs: Object.fromEntries(Object.entries(step.server).map(([key, value]) => [key, { p50: jsonNumber(value.p50Ms), p99: jsonNumber(value.p99Ms) }])),
    generatorLoopDelayP99Ms: jsonNumber(step.generatorLoopDelayP99Ms),
  });
  const summary: BenchSummary = {
    completed: true,
    machine,
    via: options.via,
    sockets: options.sockets,
    roomSize: options.roomSize,
    highestCleanStep: highestStepCleanThroughout(steps, isClean),
    target,
    memory,
    steps: steps.map(stepJson),
    adapterComparison: comparison.map(stepJson),
    profiles,
    reportPath: '',
  };

  const cpu = cpuTable(steps);
  const cpuWait = cpuWaitTable(steps);
  const targetRows = target.checks.map((check) => [check.what, check.measured, check.ok ? 'met' : 'NOT met']);
  const memoryRow = [
    [
      int(memory.sockets),
      [memory.beforeMiB, memory.halfMiB, memory.afterMiB].map((readings) => readings.join(' + ')).join(' → '),
      String(memory.perSocketKiB),
      String(memory.heapPerSocketKiB),
      String(memory.fromNothingPerSocketKiB),
      String(memory.withoutGcPerSocketKiB),
    ],
  ];
  const memoryHeaders = [
    'idle sockets',
    'RSS with none → half → all connected (MiB, after GC)',
    'RSS KiB per socket (half → all)',
    'V8 heap KiB per socket (half → all)',
    'RSS KiB per socket (none → all)',
    'RSS KiB per socket (none → all, without forcing a GC)',
  ];
  const html = renderHtmlReport({
    title: 'Parley fan-out benchmark',
    facts: [
      `Date: ${new Date().toISOString()}`,
      `Machine: ${machine}`,
      `${options.sockets} sockets in rooms of ${options.roomSize}, ${options.stepMs / 1000} s per step, sockets ${options.via === 'direct' ? 'straight to the chat-socket processes' : 'through the gateway'}, adapter ${options.adapter}`,
      `Extra service environment: ${Object.entries(options.env).map(([name, value]) => `${name}=${value}`).join(' ') || 'none'}`,
    ],
    verdict: { ok: target.met, text: target.met ? 'Target met' : `Target NOT met (highest clean step: ${summary.highestCleanStep} msg/s)` },
    tables: [
      { title: 'Steps', headers: STEP_HEADERS, rows: steps.map(stepRow) },
      { title: 'Where the latency is (ms): clients versus the services\' own histograms', headers: SERVER_HEADERS, rows: steps.map(serverRow) },
      { title: 'CPU during each step (% of one core)', ...cpu },
      { title: CPU_WAIT_TITLE, ...cpuWait },
      { title: 'Idle sockets (RSS of the chat-socket processes)', headers: memoryHeaders, rows: memoryRow },
      { title: 'Adapter comparison', headers: ['adapter', ...STEP_HEADERS], rows: comparison.map((step) => [step.adapter, ...stepRow(step)]) },
      { title: 'Target (docs/performance.md)', headers: ['check', 'measured', 'verdict'], rows: targetRows },
      ...profiles.map((entry) => ({
        title: `CPU profile: ${entry.service} (pid ${entry.pid}), busy ${entry.summary.busyMs} ms of ${entry.summary.totalMs} ms — self time by package`,
        headers: ['package', 'self ms', '% of busy'],
        rows: entry.summary.packages.slice(0, 15).map((row) => [row.name, String(row.selfMs), String(row.percent)]),
      })),
    ],
    charts: runCharts(phases, TARGET.deliveryP99Ms),
    summary,
  });
  summary.reportPath = await writeReport(options.reportDir, 'bench-fanout', html, summary);

  output.line('\n## Steps\n');
  output.line(markdownTable(STEP_HEADERS, steps.map(stepRow)));
  output.line('\n## Where the latency is (ms): clients versus the services\' histograms\n');
  output.line(markdownTable(SERVER_HEADERS, steps.map(serverRow)));
  output.line('\n## CPU during each step (% of one core)\n');
  output.line(markdownTable(cpu.headers, cpu.rows));
  output.line(`\n## ${CPU_WAIT_TITLE}\n`);
  output.line(markdownTable(cpuWait.headers, cpuWait.rows));
  output.line('\n## Idle sockets\n');
  output.line(markdownTable(memoryHeaders, memoryRow));
  if (comparison.length > 0) {
    output.line('\n## Adapter comparison\n');
    output.line(markdownTable(['adapter', ...STEP_HEADERS], comparison.map((step) => [step.adapter, ...stepRow(step)])));
    output.line('');
    output.line(markdownTable(['adapter', ...SERVER_HEADERS], comparison.map((step) => [step.adapter, ...serverRow(step)])));
    output.line('');
    const comparisonCpu = cpuTable(comparison);
    output.line(markdownTable(['adapter', ...comparisonCpu.headers], comparisonCpu.rows.map((row, index) => [comparison[index]!.adapter, ...row])));
  }
  output.line('\n## Target\n');
  output.line(markdownTable(['check', 'measured', 'verdict'], targetRows));
  for (const entry of profiles) {
    output.line(`\n## CPU profile: ${entry.service} pid ${entry.pid} (busy ${entry.summary.busyMs} of ${entry.summary.totalMs} ms)\n`);
    output.line(markdownTable(['package', 'self ms', '%'], entry.summary.packages.slice(0, 12).map((row) => [row.name, String(row.selfMs), String(row.percent)])));
    output.line('');
    output.line(markdownTable(['function (self time)', 'self ms', '%'], entry.summary.functions.slice(0, 20).map((row) => [row.name, String(row.selfMs), String(row.percent)])));
    output.line('');
    output.line(markdownTable(['function (inclusive time)', 'ms', '%'], entry.summary.inclusive.slice(0, 20).map((row) => [row.name, String(row.selfMs), String(row.percent)])));
  }
  output.line(`\nHTML report: ${summary.reportPath}`);
  output.line(
    JSON.stringify({
      highestCleanStep: summary.highestCleanStep,
      cleanMeans: `delivery p99 < ${TARGET.cleanStepP99Ms} ms and zero loss/duplicates/misdeliveries`,
      targetMet: target.met,
      generatorNice: options.generatorNice,
      backgroundNice: effectiveBackgroundNice(options),
      idleSocketKiB: idleSocketKiB(memory),
      steps: summary.steps.map((step) => ({
        rate: step.rate,
        acceptedPerSecond: step.acceptedPerSecond,
        deliveriesPerSecond: step.deliveriesPerSecond,
        p99AckMs: step.p99AckMs,
        p99DeliveryMs: step.p99DeliveryMs,
        lost: step.lost,
        persistenceLagP99Ms: step.persistenceLagP99Ms,
      })),
      adapters: summary.adapterComparison.map((step) => ({ adapter: step.adapter, rate: step.rate, p99DeliveryMs: step.p99DeliveryMs, lost: step.lost })),
      reportPath: summary.reportPath,
    }),
  );
  return summary;
}

async function profilesOf(session: BenchSession): Promise<BenchSummary['profiles']> {
  if (!session.profileDir) return [];
  const pids = new Map(session.profiled.map((entry) => [entry.pid, `${entry.service} (${session.adapter})`]));
  return summarizeProfiles(session.profileDir, pids);
}
