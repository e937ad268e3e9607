import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPlatform, TEST_POSTGRES_URL, TEST_REDIS_URL, type LaunchedPlatform } from '@parley/testing';
import { parseLoadOptions, type LoadOptions } from '../src/cli-options.js';
import { BENCH_SETUP_ENV } from '../src/bench/bench-platform-env.js';
import { runLoad } from '../src/run-load.js';
import type { ScenarioOutput } from '../src/scenarios/scenario-output.js';

let platform: LaunchedPlatform;
let reportDir: string;

beforeAll(async () => {
  reportDir = await mkdtemp(join(tmpdir(), 'parley-load-report-'));
  platform = await launchPlatform({ label: 'load', postgresServerUrl: TEST_POSTGRES_URL, redisUrl: TEST_REDIS_URL, env: BENCH_SETUP_ENV });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await rm(reportDir, { recursive: true, force: true });
});

function capture(): ScenarioOutput & { lines: string[]; statuses: string[] } {
  const lines: string[] = [];
  const statuses: string[] = [];
  return { lines, statuses, line: (text) => lines.push(text), status: (text) => statuses.push(text), reportDir };
}

function options(argv: string[]): LoadOptions {
  return parseLoadOptions(['--base-url', platform.url, ...argv], reportDir);
}

describe('the Node load generator against the platform started by the launcher', () => {
  it('runs a fan-out scenario with every delivery accounted for: no loss, duplicate or misdelivery', async () => {
    const output = capture();
    const result = await runLoad(
      options(['--scenario', 'fanout', '--sockets', '40', '--room-size', '4', '--rate', '20', '--duration', '5s', '--drain', '5s']),
      output,
    );
    const summary = JSON.parse(output.lines.at(-1)!) as Record<string, number | string>;
    expect(result.ok).toBe(true);
    expect(summary).toMatchObject({ scenario: 'fanout', ok: true, lost: 0, duplicated: 0, misdelivered: 0, deliveredButRejected: 0 });
    expect(summary.sent).toBeGreaterThanOrEqual(90);
    expect(summary.acknowledged).toBe(summary.sent);
    // Rooms of 4, every member online, the sender's own socket included.
    expect(summary.expectedDeliveries).toBe((summary.acknowledged as number) * 4);
    expect(summary.received).toBe(summary.expectedDeliveries);
    for (const key of ['p50DeliveryMs', 'p95DeliveryMs', 'p99DeliveryMs', 'p99AckMs']) expect(typeof summary[key]).toBe('number');

    const html = await readFile(summary.reportPath as string, 'utf8');
    expect(html).toContain('Latency over time');
    expect(html).toContain('Throughput over time');
    expect(html).toContain('data-series="delivery p99"');
    expect(html).toContain('data-series="deliveries/s"');
    // Self-contained: nothing fetched from elsewhere (no CDN script, stylesheet or image).
    expect(html).not.toMatch(/<script[^>]*\bsrc=|<link[^>]*\bhref=|<img|url\(/);
    expect(output.lines.some((line) => line.includes(`HTML report: ${summary.reportPath}`))).toBe(true);
    expect(output.lines.some((line) => /sockets \(connected at end\)\s+40 \(40\)/.test(line))).toBe(true);
  }, 120_000);

  it('runs a short soak with typing indicators and room:sync calls beside the messages, still without loss', async () => {
    const output = capture();
    const result = await runLoad(
      options(['--scenario', 'soak', '--sockets', '12', '--room-size', '4', '--rate', '6', '--duration', '3s', '--drain', '3s']),
      output,
    );
    const summary = JSON.parse(output.lines.at(-1)!) as Record<string, unknown>;
    expect(result.ok).toBe(true);
    expect(summary).toMatchObject({ scenario: 'soak', lost: 0, duplicated: 0, misdelivered: 0 });
    expect(typeof summary.p99Drift).toBe('number');
    const table = output.lines.find((line) => line.includes('typing events sent')) ?? '';
    expect(Number(/typing events sent\s+(\d+)/.exec(table)?.[1])).toBeGreaterThan(0);
    expect(table).toMatch(/room:sync calls \(errors\)\s+[1-9]\d* \(0\)/);
  }, 120_000);

  it('runs a connect storm and reports handshake latency with no failed handshake', async () => {
    const output = capture();
    const result = await runLoad(options(['--scenario', 'connect-storm', '--sockets', '30', '--connect-rate', '30', '--duration', '1s']), output);
    const summary = JSON.parse(output.lines.at(-1)!) as Record<string, unknown>;
    expect(result.ok).toBe(true);
    expect(summary).toMatchObject({ scenario: 'connect-storm', connected: 30, stillConnectedAfterHold: 30, connectErrors: {} });
    expect(typeof summary.p99HandshakeMs).toBe('number');
  }, 120_000);

  it('runs an auth burst in which the brute-forcer gets 429 and normal users never do', async () => {
    const output = capture();
    const result = await runLoad(options(['--scenario', 'auth-burst', '--sockets', '8', '--auth-rate', '8', '--duration', '4s']), output);
    const summary = JSON.parse(output.lines.at(-1)!) as { ok: boolean; logins: Record<string, number>; bruteForce: Record<string, number>; failures: string[] };
    expect(summary.failures).toEqual([]);
    expect(result.ok).toBe(true);
    expect(summary.logins['429']).toBeUndefined();
    expect(summary.bruteForce['429']).toBeGreaterThan(0);
    expect(summary.bruteForce['2xx']).toBeUndefined();
  }, 120_000);
});
