import { isDeepStrictEqual } from 'node:util';
import { fuzzFailures, prepareFuzzParties, runFuzz, victimSnapshot, type FuzzTarget } from '@parley/fuzz';
import type { AdversarialPlatform } from '../adversarial-platform.js';
import { caseResult, expectThat, type CaseResult } from '../case-result.js';

/** A service whose resident memory passes this during the run is counted as unbounded. */
const RSS_LIMIT_BYTES = 768 * 1024 * 1024;
const MIB = 1024 * 1024;

/**
 * The seeded fuzzer (loadtests/fuzz) through the gateway: no 5xx, no `internal` or
 * `unavailable` answer, no unanswered event, no hostile handshake let in, the victim's data as
 * it was, no service process crashed (same pids at the end), and every service's memory
 * within RSS_LIMIT_BYTES, sampled every 500 payloads.
 */
export async function fuzzingCase(platform: AdversarialPlatform, count: number, seed: number): Promise<CaseResult> {
  const problems: string[] = [];
  const target: FuzzTarget = { baseUrls: { auth: platform.url, user: platform.url, chat: platform.url }, socketUrl: platform.url, origin: platform.origin };
  const parties = await prepareFuzzParties(target);
  const before = await victimSnapshot(target, parties.victim);
  const processesBefore = await platform.processes();
  const rssStart = new Map<string, number>();
  const rssPeak = new Map<string, number>();
  const sample = async () => {
    for (const { pid, service } of processesBefore) {
      const rss = await platform.residentBytes(pid);
      const key = `${service}:${pid}`;
      if (!rssStart.has(key)) rssStart.set(key, rss);
      if (!(rss <= (rssPeak.get(key) ?? 0))) rssPeak.set(key, rss);
    }
  };
  await sample();
  const report = await runFuzz({ target, identity: parties.attacker, count, seed, concurrency: 4, onProgress: sample });
  await sample();
  const after = await victimSnapshot(target, parties.victim);
  const processesAfter = await platform.processes();
  const pidsBefore = processesBefore.map(({ pid }) => pid).sort();
  const pidsAfter = processesAfter.map(({ pid }) => pid).sort();

  expectThat(problems, fuzzFailures(report) === 0, `${fuzzFailures(report)} answers that must not happen: ${report.findings.slice(0, 5).map((finding) => `#${finding.index} ${finding.target} ${finding.outcome}`).join('; ')}`);
  expectThat(problems, isDeepStrictEqual(before, after), 'the victim’s data changed');
  expectThat(problems, isDeepStrictEqual(pidsBefore, pidsAfter), `a service process exited during the run (pids ${pidsBefore.join(',')} → ${pidsAfter.join(',')})`);
  const peaks = [...rssPeak.entries()];
  for (const [key, peak] of peaks) expectThat(problems, peak < RSS_LIMIT_BYTES, `${key} reached ${(peak / MIB).toFixed(0)} MiB`);
  const chatPeak = Math.max(...peaks.filter(([key]) => key.startsWith('chat-socket')).map(([, peak]) => peak));
  const growth = Math.max(...peaks.map(([key, peak]) => peak - (rssStart.get(key) ?? peak)));
  return caseResult(
    {
      name: `fuzzing ×${count}`,
      unit: 'payloads',
      tried: report.tried,
      accepted: report.serverErrors + report.internalAcks + report.handshakesAccepted,
      lost: 0,
      figures: {
        seed,
        rest5xx: report.serverErrors,
        internalAcks: report.internalAcks,
        unavailable: report.unavailable,
        unanswered: report.unanswered,
        dropped: report.transportErrors,
        hostileHandshakesIn: report.handshakesAccepted,
        rest400: report.outcomes['rest 400'] ?? 0,
        socketInvalid: report.outcomes['socket invalid'] ?? 0,
        victimUnchanged: isDeepStrictEqual(before, after),
        crashes: pidsBefore.filter((pid) => !pidsAfter.includes(pid)).length,
        chatSocketPeakRssMiB: Math.round(chatPeak / MIB),
        largestRssGrowthMiB: Math.round(growth / MIB),
        seconds: Math.round(report.durationMs / 1000),
      },
    },
    problems,
  );
}
