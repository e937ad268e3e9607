import { performance } from 'node:perf_hooks';
import type { LoadOptions } from '../cli-options.js';
import { int, ms, textTable } from '../report/format.js';
import { renderHtmlReport } from '../report/html-report.js';
import { lineChart } from '../report/svg-chart.js';
import { provisionCohort, type CohortUser } from '../run/cohort.js';
import { sleep } from '../run/concurrency.js';
import { LatencySamples } from '../run/latency-samples.js';
import { ApiError, PlatformApi } from '../run/platform-api.js';
import { NO_DELIVERIES } from '../run/delivery-ledger.js';
import { jsonNumber, writeReport, type ScenarioOutput } from './scenario-output.js';

/** Failed logins one brute-forcer makes per victim: above the per-account limit (5), far below the per-IP one (100). */
const GUESSES_PER_VICTIM = 12;
const VICTIMS = 3;

interface KindStats {
  statuses: Record<string, number>;
  latency: LatencySamples;
}

/**
 * auth-burst: normal users log in and refresh at rising rates (25, 50, 75, 100 % of
 * `--auth-rate`) while a brute-forcer guesses passwords of a few victims. Normal users must
 * never see 429; the brute-forcer must.
 */
export async function runAuthBurstScenario(options: LoadOptions, output: ScenarioOutput): Promise<Record<string, unknown>> {
  const api = new PlatformApi(options.baseUrl);
  const users = Math.max(VICTIMS + 2, Math.min(options.sockets, 100));
  output.status(`registering ${users} users …`);
  const cohort = await provisionCohort({ api, users, roomSize: 2, concurrency: options.registerConcurrency });
  const victims = cohort.users.slice(0, VICTIMS);
  const normal = cohort.users.slice(VICTIMS);
  const kinds: Record<'login' | 'refresh' | 'bruteForce', KindStats> = {
    login: { statuses: {}, latency: new LatencySamples() },
    refresh: { statuses: {}, latency: new LatencySamples() },
    bruteForce: { statuses: {}, latency: new LatencySamples() },
  };
  const stages = [0.25, 0.5, 0.75, 1].map((share) => Math.max(1, Math.round(options.authRate * share)));
  const stageMs = Math.max(1_000, options.durationMs / stages.length);
  const perSecond: Array<Record<string, number>> = [];
  const startedAt = performance.now();
  const inFlight = new Set<Promise<void>>();
  const busy = new Set<CohortUser>();
  const track = (kind: keyof typeof kinds, call: () => Promise<unknown>) => {
    const begun = performance.now();
    const done = call()
      .then(() => '2xx')
      .catch((error: unknown) => (error instanceof ApiError ? String(error.status) : 'network'))
      .then((status) => {
        const stats = kinds[kind];
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        stats.latency.add(performance.now() - begun);
        const second = Math.floor((performance.now() - startedAt) / 1000);
        while (perSecond.length <= second) perSecond.push({});
        const key = `${kind} ${status}`;
        perSecond[second]![key] = (perSecond[second]![key] ?? 0) + 1;
      });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  let guesses = 0;
  let cursor = 0;
  for (const [stageIndex, rate] of stages.entries()) {
    output.status(`stage ${stageIndex + 1}/${stages.length}: ${rate} logins/s (plus refreshes and ${GUESSES_PER_VICTIM * VICTIMS / stages.length} guesses)`);
    const stageStart = performance.now();
    let issued = 0;
    while (performance.now() - stageStart < stageMs) {
      const due = Math.floor(((performance.now() - stageStart) * rate) / 1000) - issued;
      for (let count = 0; count < due; count += 1) {
        issued += 1;
        const user = normal[cursor++ % normal.length]!;
        // One call per user at a time: a refresh racing a login would spend the same token.
        if (busy.has(user)) continue;
        busy.add(user);
        const refresh = issued % 2 === 0 && user.refreshToken !== '';
        track(refresh ? 'refresh' : 'login', async () => {
          try {
            const session = refresh ? await api.refresh(user.refreshToken) : await api.login({ login: user.username, password: user.password });
            user.refreshToken = session.refreshToken ?? user.refreshToken;
          } finally {
            busy.delete(user);
          }
        });
      }
      // The brute-forcer spreads its guesses over the stages.
      const guessesDue = Math.floor(((stageIndex + (performance.now() - stageStart) / stageMs) * GUESSES_PER_VICTIM * VICTIMS) / stages.length);
      while (guesses < Math.min(guessesDue, GUESSES_PER_VICTIM * VICTIMS)) {
        const victim = victims[guesses % VICTIMS]!;
        guesses += 1;
        track('bruteForce', () => api.login({ login: victim.username, password: `wrong-${guesses}-guess` }));
      }
      await sleep(5);
    }
  }
  await Promise.all(inFlight);

  const count = (kind: keyof typeof kinds, status: string) => kinds[kind].statuses[status] ?? 0;
  const failures: string[] = [];
  const normalRejected = count('login', '429') + count('refresh', '429');
  if (normalRejected > 0) failures.push(`${normalRejected} normal logins/refreshes were rate limited`);
  const normalErrors = ['login', 'refresh'].flatMap((kind) => Object.entries(kinds[kind as 'login'].statuses).filter(([status]) => status !== '2xx' && status !== '429'));
  if (normalErrors.length > 0) failures.push(`normal users got ${normalErrors.map(([status, n]) => `${n}× ${status}`).join(', ')}`);
  if (count('bruteForce', '429') === 0) failures.push('the brute-forcer was never rate limited');
  if (count('bruteForce', '2xx') > 0) failures.push('a wrong password was accepted');
  const summary = {
    scenario: 'auth-burst',
    ok: failures.length === 0,
    stages,
    logins: kinds.login.statuses,
    refreshes: kinds.refresh.statuses,
    bruteForce: kinds.bruteForce.statuses,
    p50LoginMs: jsonNumber(kinds.login.latency.percentile(50)),
    p99LoginMs: jsonNumber(kinds.login.latency.percentile(99)),
    p99RefreshMs: jsonNumber(kinds.refresh.latency.percentile(99)),
    ...NO_DELIVERIES,
    failures,
    reportPath: '',
  };
  const statusText = (kind: keyof typeof kinds) => Object.entries(kinds[kind].statuses).map(([status, n]) => `${status} ${n}`).join(', ') || '—';
  const rows = (['login', 'refresh', 'bruteForce'] as const).map((kind) => [
    kind,
    statusText(kind),
    `${ms(kinds[kind].latency.percentile(50))} / ${ms(kinds[kind].latency.percentile(99))}`,
  ]);
  const series = (key: string, color: string) => ({ name: key, color, points: perSecond.map((entry, second): [number, number] => [second + 0.5, entry[key] ?? 0]) });
  const html = renderHtmlReport({
    title: 'Parley load test: auth-burst',
    facts: [`Date: ${new Date().toISOString()}`, `Target: ${options.baseUrl}`, `Stages (logins/s): ${stages.join(', ')}, ${int(stageMs / 1000)} s each`],
    verdict: { ok: summary.ok, text: summary.ok ? 'Brute force got 429, normal users never did' : `FAILED: ${failures.join('; ')}` },
    tables: [{ title: 'Answers', headers: ['kind', 'statuses', 'p50 / p99 ms'], rows }],
    charts: [
      lineChart({
        title: 'Answers per second',
        xLabel: 'seconds',
        yLabel: 'per second',
        series: [series('login 2xx', '#43a047'), series('refresh 2xx', '#1e88e5'), series('bruteForce 401', '#fb8c00'), series('bruteForce 429', '#e53935')],
      }),
    ],
    summary,
  });
  summary.reportPath = await writeReport(options.reportDir, 'auth-burst', html, summary);
  output.line(textTable(['kind', 'statuses', 'p50 / p99 ms'], rows));
  output.line(`HTML report: ${summary.reportPath}`);
  output.line(JSON.stringify(summary));
  return summary;
}
