import { fuzzFailures, type FuzzReport } from './fuzz-run.js';

/** The run as a short table for a terminal: what was tried, what came back, what must not have. */
export function formatFuzzReport(report: FuzzReport): string {
  const lines = [
    `fuzz seed ${report.seed}: ${report.tried} payloads in ${(report.durationMs / 1000).toFixed(1)} s over ${Object.keys(report.targets).length} routes and events`,
    '',
    'answers:',
    ...Object.entries(report.outcomes)
      .sort(([, a], [, b]) => b - a)
      .map(([outcome, count]) => `  ${String(count).padStart(7)}  ${outcome}`),
    '',
    'must stay 0:',
    ...(
      [
        ['5xx answers', report.serverErrors],
        ['internal acks', report.internalAcks],
        ['unavailable answers', report.unavailable],
        ['unanswered events', report.unanswered],
        ['dropped connections', report.transportErrors],
        ['hostile handshakes accepted', report.handshakesAccepted],
        ['cases the fuzzer failed to send', report.fuzzerErrors],
      ] as const
    ).map(([what, count]) => `  ${String(count).padStart(7)}  ${what}`),
    '',
    `socket disconnects by the server (oversized frames, floods): ${report.disconnects}; bodies over 64 KB cut off instead of answered 413: ${report.oversizedBodiesCut}; not sendable by Node: ${report.notSendable}`,
  ];
  if (report.findings.length > 0) {
    lines.push('', `first findings (replay one with --seed ${report.seed} --only <case>):`);
    for (const finding of report.findings.slice(0, 20)) lines.push(`  #${finding.index} ${finding.target}: ${finding.outcome} — ${finding.change}`);
  }
  lines.push('', fuzzFailures(report) === 0 ? 'PASS' : `FAIL: ${fuzzFailures(report)} answers that must not happen`);
  return lines.join('\n');
}
