import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import type { LoadOptions } from '../cli-options.js';
import { int, ms, textTable } from '../report/format.js';
import { renderHtmlReport } from '../report/html-report.js';
import { lineChart } from '../report/svg-chart.js';
import { provisionCohort } from '../run/cohort.js';
import { sleep } from '../run/concurrency.js';
import { LatencySamples } from '../run/latency-samples.js';
import { PlatformApi } from '../run/platform-api.js';
import type { ChatClientSocket } from '../run/socket-fleet.js';
import { progressReporter } from './fanout-scenario.js';
import { NO_DELIVERIES } from '../run/delivery-ledger.js';
import { jsonNumber, writeReport, type ScenarioOutput } from './scenario-output.js';

/** connect-storm: every socket connects within seconds (open model: `--connect-rate` handshakes per second). */
export async function runConnectStormScenario(options: LoadOptions, output: ScenarioOutput): Promise<Record<string, unknown>> {
  const api = new PlatformApi(options.baseUrl);
  output.status(`registering ${options.sockets} users …`);
  const cohort = await provisionCohort({
    api,
    users: options.sockets,
    roomSize: options.roomSize,
    concurrency: options.registerConcurrency,
    onProgress: progressReporter(output),
  });
  const handshake = new LatencySamples();
  const errors: Record<string, number> = {};
  const perSecond: Array<{ started: number; connected: number; errors: number; latency: LatencySamples }> = [];
  const bucket = (at: number) => {
    const second = Math.floor((at - startedAt) / 1000);
    while (perSecond.length <= second) perSecond.push({ started: 0, connected: 0, errors: 0, latency: new LatencySamples() });
    return perSecond[second]!;
  };
  const sockets: ChatClientSocket[] = [];
  const settled: Array<Promise<void>> = [];
  const startedAt = performance.now();
  output.status(`connecting ${options.sockets} sockets at ${options.connectRate}/s …`);
  for (let index = 0; index < cohort.users.length; index += 1) {
    const due = startedAt + (index * 1000) / options.connectRate;
    while (performance.now() < due) await sleep(Math.max(1, Math.min(5, due - performance.now())));
    const begun = performance.now();
    bucket(begun).started += 1;
    const socket: ChatClientSocket = io(options.socketUrls[index % options.socketUrls.length]!, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 20_000,
      auth: { token: cohort.users[index]!.accessToken },
    });
    sockets.push(socket);
    settled.push(
      new Promise<void>((resolve) => {
        socket.once('connect', () => {
          const now = performance.now();
          handshake.add(now - begun);
          bucket(now).connected += 1;
          bucket(now).latency.add(now - begun);
          resolve();
        });
        socket.once('connect_error', (error: Error & { data?: { code?: string } }) => {
          const code = error.data?.code ?? error.message;
          errors[code] = (errors[code] ?? 0) + 1;
          bucket(performance.now()).errors += 1;
          resolve();
        });
      }),
    );
  }
  await Promise.all(settled);
  const stormSeconds = (performance.now() - startedAt) / 1000;
  const connected = sockets.filter((socket) => socket.connected).length;
  output.status(`${connected} connected in ${stormSeconds.toFixed(1)} s; holding them for ${Math.round(options.durationMs / 1000)} s …`);
  await sleep(options.durationMs);
  const stillConnected = sockets.filter((socket) => socket.connected).length;
  for (const socket of sockets) socket.disconnect();

  const errorTotal = Object.values(errors).reduce((sum, count) => sum + count, 0);
  const failures: string[] = [];
  if (errorTotal > 0) failures.push(`${errorTotal} handshakes failed`);
  if (stillConnected < connected) failures.push(`${connected - stillConnected} sockets dropped while idle`);
  if (options.maxP99Ms !== undefined && !(handshake.percentile(99) <= options.maxP99Ms)) failures.push(`handshake p99 over ${options.maxP99Ms} ms`);
  const summary = {
    scenario: 'connect-storm',
    ok: failures.length === 0,
    sockets: options.sockets,
    connectRate: options.connectRate,
    connected,
    stillConnectedAfterHold: stillConnected,
    connectErrors: errors,
    stormSeconds: jsonNumber(stormSeconds),
    p50HandshakeMs: jsonNumber(handshake.percentile(50)),
    p95HandshakeMs: jsonNumber(handshake.percentile(95)),
    p99HandshakeMs: jsonNumber(handshake.percentile(99)),
    maxHandshakeMs: jsonNumber(handshake.max()),
    ...NO_DELIVERIES,
    failures,
    reportPath: '',
  };
  const rows = [
    ['sockets', int(options.sockets)],
    ['connected', int(connected)],
    ['handshake errors', Object.entries(errors).map(([code, count]) => `${code} ${count}`).join(', ') || '0'],
    ['storm duration s', stormSeconds.toFixed(1)],
    ['handshake p50 / p95 / p99 / max ms', `${ms(handshake.percentile(50))} / ${ms(handshake.percentile(95))} / ${ms(handshake.percentile(99))} / ${ms(handshake.max())}`],
    ['still connected after hold', int(stillConnected)],
  ];
  const points = (pick: (entry: (typeof perSecond)[number]) => number) => perSecond.map((entry, second): [number, number] => [second + 0.5, pick(entry)]);
  const html = renderHtmlReport({
    title: 'Parley load test: connect-storm',
    facts: [`Date: ${new Date().toISOString()}`, `Target: ${options.socketUrls.join(', ')}`, `${options.sockets} sockets at ${options.connectRate}/s`],
    verdict: { ok: summary.ok, text: summary.ok ? 'Every handshake succeeded' : `FAILED: ${failures.join('; ')}` },
    tables: [{ title: 'Summary', headers: ['measure', 'value'], rows }],
    charts: [
      lineChart({
        title: 'Handshake latency over time',
        xLabel: 'seconds',
        yLabel: 'milliseconds',
        series: [
          { name: 'p50', color: '#1e88e5', points: points((entry) => entry.latency.percentile(50)) },
          { name: 'p99', color: '#e53935', points: points((entry) => entry.latency.percentile(99)) },
        ],
      }),
      lineChart({
        title: 'Handshakes per second',
        xLabel: 'seconds',
        yLabel: 'per second',
        series: [
          { name: 'started', color: '#757575', points: points((entry) => entry.started) },
          { name: 'connected', color: '#43a047', points: points((entry) => entry.connected) },
          { name: 'errors', color: '#e53935', points: points((entry) => entry.errors) },
        ],
      }),
    ],
    summary,
  });
  summary.reportPath = await writeReport(options.reportDir, 'connect-storm', html, summary);
  output.line(textTable(['measure', 'value'], rows));
  output.line(`HTML report: ${summary.reportPath}`);
  output.line(JSON.stringify(summary));
  return summary;
}
