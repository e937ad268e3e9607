import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_POSTGRES_URL, TEST_REDIS_URL } from '@parley/testing';
import { parseBenchOptions } from '../src/bench/bench-options.js';
import { runBaselineBenchmark } from '../src/bench/baseline-benchmark.js';
import type { ScenarioOutput } from '../src/scenarios/scenario-output.js';

let reportDir: string;

beforeAll(async () => {
  reportDir = await mkdtemp(join(tmpdir(), 'parley-bench-baseline-'));
});

afterAll(async () => {
  await rm(reportDir, { recursive: true, force: true });
});

describe('npm run bench:fanout, shrunk: Parley alternated with the bare socket.io baseline', () => {
  it('delivers on both servers and ends with a JSON line carrying the ratios and their medians', async () => {
    const lines: string[] = [];
    const output: ScenarioOutput = { line: (text) => lines.push(text), status: () => undefined, reportDir };
    const options = {
      ...parseBenchOptions(['--sockets', '200', '--steps', '20,40', '--step', '2s', '--drain', '5s', '--alternations', '1', '--warm-up', '1s', '--report-dir', reportDir], reportDir),
      postgresServerUrl: TEST_POSTGRES_URL,
      redisUrl: TEST_REDIS_URL,
    };
    const summary = await runBaselineBenchmark(options, output);

    expect(summary.completed).toBe(true);
    const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ benchmark: 'fanout-baseline', sockets: 200, steps: [20, 40], alternations: 1, cleanStepP99Ms: 50, ratioRate: 40, warmUpSeconds: 1 });
    for (const key of ['medianCleanStepRatio', 'medianP99Ratio', 'machine', 'loadAverageAtStart', 'target']) expect(last).toHaveProperty(key);
    const [alternation] = last.perAlternation as Array<Record<string, number | null>>;
    for (const key of ['parleyHighestCleanStep', 'bareHighestCleanStep', 'cleanStepRatio', 'parleyP99Ms', 'bareP99Ms', 'p99Ratio']) expect(alternation).toHaveProperty(key);
    // Both servers carried the same traffic to every member: rooms of 10, everyone online.
    expect(alternation!.parleyDelivered).toBeGreaterThan(0);
    expect(alternation!.bareDelivered).toBeGreaterThan(0);
    // The warm-up is sent but not among the measured steps.
    for (const steps of [summary.alternations[0]!.parley, summary.alternations[0]!.bare]) {
      expect(steps.map((step) => step.rate)).toEqual([20, 40]);
      for (const step of steps) {
        expect(step.acknowledged).toBe(step.sent);
        expect(step.received).toBe(step.acknowledged * 10);
        expect(step.lost).toBe(0);
      }
    }
    // The per-step comparison table names both servers.
    expect(lines.some((line) => line.includes('Parley delivery p50 / p99 ms') && line.includes('bare delivery p50 / p99 ms'))).toBe(true);
  }, 300_000);
});
