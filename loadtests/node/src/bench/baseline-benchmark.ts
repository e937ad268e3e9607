import { cpus, loadavg, totalmem } from 'node:os';
import { markdownTable, ms, int, textTable } from '../report/format.js';
import { jsonNumber, type ScenarioOutput } from '../scenarios/scenario-output.js';
import { closeBareSession, openBareSession, runBareStep, type BareStepResult } from '../baseline/bare-session.js';
import { effectiveBackgroundNice, warmUpRate, type BenchOptions } from './bench-options.js';
import {
  alternationFigures,
  BASELINE_CLEAN_P99_MS,
  BASELINE_TARGET,
  isCleanStep,
  median,
  ratio,
  ratioStepRate,
  type AlternationFigures,
  type ComparableStep,
} from './baseline-ratios.js';
import { STEP_HEADERS, stepRow } from './bench-report.js';
import { closeSession, openSession, runStep, type StepResult } from './fanout-benchmark.js';

const DEFAULT_BARE_REDIS_URL = 'redis://127.0.0.1:6379';

type ComparableWithReceived = ComparableStep & { received: number };

export interface BaselineSummary {
  completed: boolean;
  alternations: Array<AlternationFigures & { parley: ComparableWithReceived[]; bare: ComparableWithReceived[] }>;
  medianCleanStepRatio: number | null;
  medianP99Ratio: number | null;
}

const loadAverage = () => loadavg().map((value) => value.toFixed(2)).join(' ');

/**
 * Parley and the bare baseline (two socket.io processes with the Redis adapter, nothing else),
 * alternated run by run on the same machine with the same sockets, rooms and steps: the bare
 * server's own spread between runs is as large as the gap, so only alternated runs and their
 * medians say anything.
 */
export async function runBaselineBenchmark(options: BenchOptions, output: ScenarioOutput): Promise<BaselineSummary> {
  const loadAtStart = loadAverage();
  const rate = ratioStepRate(options.steps, options.ratioRate);
  const alternations: BaselineSummary['alternations'] = [];
  for (let index = 1; index <= options.alternations; index += 1) {
    output.status(`alternation ${index} of ${options.alternations}: Parley (load average ${loadAverage()})`);
    const parley = await parleyRun(options, output);
    output.status(`alternation ${index} of ${options.alternations}: bare baseline (load average ${loadAverage()})`);
    const bare = await bareRun(options, output);
    const figures = alternationFigures(parley, bare, rate);
    alternations.push({ ...figures, parley: parley.map(comparable), bare: bare.map(comparable) });
    output.line(`\n## Alternation ${index} of ${options.alternations} (load average ${loadAverage()})\n`);
    output.line(markdownTable(COMPARISON_HEADERS, options.steps.map((step) => comparisonRow(step, parley, bare))));
    output.line(
      `\nhighest clean step (p99 < ${BASELINE_CLEAN_P99_MS} ms, zero loss, every step up to it): Parley ${int(figures.parleyHighestCleanStep)} / bare ${int(figures.bareHighestCleanStep)} msg/s = ${figures.cleanStepRatio ?? 'n/a'}; ` +
        `delivery p99 at ${rate} msg/s: Parley ${figures.parleyP99Ms === null ? 'n/a' : ms(figures.parleyP99Ms)} / bare ${figures.bareP99Ms === null ? 'n/a' : ms(figures.bareP99Ms)} ms = ${figures.p99Ratio ?? 'n/a'}`,
    );
  }

  const medianCleanStepRatio = median(alternations.map((entry) => entry.cleanStepRatio));
  const medianP99Ratio = median(alternations.map((entry) => entry.p99Ratio));
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  output.line('\n## Parley ÷ bare, per alternation\n');
  output.line(
    markdownTable(
      ['alternation', 'highest clean step Parley / bare', 'ratio', `delivery p99 at ${rate} msg/s Parley / bare (ms)`, 'ratio'],
      alternations.map((entry, index) => [
        String(index + 1),
        `${int(entry.parleyHighestCleanStep)} / ${int(entry.bareHighestCleanStep)}`,
        String(entry.cleanStepRatio ?? 'n/a'),
        `${entry.parleyP99Ms === null ? 'n/a' : ms(entry.parleyP99Ms)} / ${entry.bareP99Ms === null ? 'n/a' : ms(entry.bareP99Ms)}`,
        String(entry.p99Ratio ?? 'n/a'),
      ]),
    ),
  );
  const met = medianCleanStepRatio !== null && medianP99Ratio !== null && medianCleanStepRatio >= BASELINE_TARGET.cleanStepRatio && medianP99Ratio <= BASELINE_TARGET.p99Ratio;
  output.line(
    `\nmedian over ${alternations.length}: clean-step ratio ${medianCleanStepRatio ?? 'n/a'} (target ≥ ${BASELINE_TARGET.cleanStepRatio}), p99 ratio at ${rate} msg/s ${medianP99Ratio ?? 'n/a'} (target ≤ ${BASELINE_TARGET.p99Ratio}): ${met ? 'met' : 'NOT met'}\n`,
  );
  output.line(
    JSON.stringify({
      benchmark: 'fanout-baseline',
      date: new Date().toISOString(),
      machine,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAverage(),
      sockets: options.sockets,
      roomSize: options.roomSize,
      steps: options.steps,
      stepSeconds: options.stepMs / 1000,
      warmUpSeconds: options.warmUpMs / 1000,
      adapter: options.adapter,
      generatorNice: options.generatorNice,
      backgroundNice: effectiveBackgroundNice(options),
      alternations: alternations.length,
      cleanStepP99Ms: BASELINE_CLEAN_P99_MS,
      ratioRate: rate,
      medianCleanStepRatio,
      medianP99Ratio,
      target: { ...BASELINE_TARGET, met },
      perAlternation: alternations.map((entry) => ({
        parleyHighestCleanStep: entry.parleyHighestCleanStep,
        bareHighestCleanStep: entry.bareHighestCleanStep,
        cleanStepRatio: entry.cleanStepRatio,
        parleyP99Ms: entry.parleyP99Ms === null ? null : jsonNumber(entry.parleyP99Ms),
        bareP99Ms: entry.bareP99Ms === null ? null : jsonNumber(entry.bareP99Ms),
        p99Ratio: entry.p99Ratio,
        parleyDelivered: sum(entry.parley.map((step) => step.received)),
        bareDelivered: sum(entry.bare.map((step) => step.received)),
      })),
    }),
  );
  return { completed: alternations.length === options.alternations, alternations, medianCleanStepRatio, medianP99Ratio };
}

async function parleyRun(options: BenchOptions, output: ScenarioOutput): Promise<StepResult[]> {
  const session = await openSession(options, options.adapter, output);
  const steps: StepResult[] = [];
  try {
    if (options.warmUpMs > 0) await runStep(session, warmUpRate(options), options.warmUpMs, options, 'warm-up');
    for (const rate of options.steps) {
      const step = await runStep(session, rate, options.stepMs, options);
      steps.push(step);
      output.status(textTable(['Parley', ...STEP_HEADERS], [['', ...stepRow(step)]]));
      if (step.connectedAtEnd < options.sockets / 2) {
        output.status('more than half the sockets are gone: stopping the steps here');
        break;
      }
    }
  } finally {
    await closeSession(session);
  }
  return steps;
}

async function bareRun(options: BenchOptions, output: ScenarioOutput): Promise<BareStepResult[]> {
  const session = await openBareSession(
    { redisUrl: options.redisUrl ?? DEFAULT_BARE_REDIS_URL, adapter: options.adapter, sockets: options.sockets, roomSize: options.roomSize },
    output,
  );
  const steps: BareStepResult[] = [];
  try {
    if (options.warmUpMs > 0) await runBareStep(session, warmUpRate(options), { ...options, stepMs: options.warmUpMs }, 'warm-up');
    for (const rate of options.steps) {
      const step = await runBareStep(session, rate, options);
      steps.push(step);
      output.status(`bare ${rate}/s: delivery p50/p99 ${ms(step.p50DeliveryMs)} / ${ms(step.p99DeliveryMs)} ms, lost ${int(step.lost)}, acknowledged ${int(step.acknowledged)}/${int(step.sent)}`);
      if (step.connectedAtEnd < options.sockets / 2) {
        output.status('more than half the sockets are gone: stopping the steps here');
        break;
      }
    }
  } finally {
    await closeBareSession(session);
  }
  return steps;
}

function comparable(step: StepResult | BareStepResult): ComparableWithReceived {
  const { rate, sent, acknowledged, lost, duplicated, misdelivered, p50DeliveryMs, p99DeliveryMs, p99AckMs, received } = step;
  return { rate, sent, acknowledged, lost, duplicated, misdelivered, p50DeliveryMs, p99DeliveryMs, p99AckMs, received };
}

const COMPARISON_HEADERS = [
  'step (msg/s)',
  'Parley delivery p50 / p99 ms',
  'bare delivery p50 / p99 ms',
  'p99 Parley ÷ bare',
  'Parley ack p99 ms',
  'bare ack p99 ms',
  'lost Parley / bare',
  'clean Parley / bare',
];

function comparisonRow(rate: number, parley: readonly ComparableStep[], bare: readonly ComparableStep[]): string[] {
  const p = parley.find((step) => step.rate === rate);
  const b = bare.find((step) => step.rate === rate);
  const pair = (step: ComparableStep | undefined) => (step ? `${ms(step.p50DeliveryMs)} / ${ms(step.p99DeliveryMs)}` : 'not run');
  const clean = (step: ComparableStep | undefined) => (step ? (isCleanStep(step) ? 'yes' : 'no') : '-');
  return [
    String(rate),
    pair(p),
    pair(b),
    String(ratio(p?.p99DeliveryMs ?? null, b?.p99DeliveryMs ?? null) ?? 'n/a'),
    p ? ms(p.p99AckMs) : '-',
    b ? ms(b.p99AckMs) : '-',
    `${p ? int(p.lost) : '-'} / ${b ? int(b.lost) : '-'}`,
    `${clean(p)} / ${clean(b)}`,
  ];
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
