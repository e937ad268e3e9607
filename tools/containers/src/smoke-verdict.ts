/**
 * The smoke test's exit code: 1 when any check failed, and 1 when none passed (a run that
 * stopped before its first check proved nothing); 0 otherwise.
 */
export function smokeExitCode(tally: { passed: number; failed: number }): 0 | 1 {
  return tally.failed > 0 || tally.passed === 0 ? 1 : 0;
}
