/**
 * What one case of the suite did: how many attacks (or acknowledged messages, under a fault) it
 * tried, how many the platform accepted that it must refuse, and how many acknowledged messages
 * it lost. `accepted` and `lost` must be 0 for every case; `figures` carries the case's own
 * measurements (times, counts) for the report.
 */
export interface CaseResult {
  name: string;
  /**
   * `attack`: `accepted` counts what got through and must be 0. `fault`: `accepted` counts the
   * messages acknowledged under the fault, each of which must be stored and delivered.
   */
  kind: 'attack' | 'fault';
  /** What a row of `tried` is: `forged tokens`, `acked messages`, `guesses`. */
  unit: string;
  tried: number;
  /** Attacks let through (forged tokens in, foreign deliveries, guesses verified over the limit, …); under a fault, messages acknowledged. */
  accepted: number;
  /** Acknowledged messages not stored, or not held by a client that should hold them. */
  lost: number;
  /** From the end of the fault (or the revocation) until it was over for every client; undefined when not applicable. */
  recoverMs?: number;
  /** Every check of the case held. */
  ok: boolean;
  /** The case's other figures, for the table's notes and the JSON line. */
  figures: Record<string, number | string | boolean | null>;
  /** What went wrong, plainly, when `ok` is false. */
  problems: string[];
}

/** Builds a result whose `ok` follows from the problems found. */
export function caseResult(fields: Omit<CaseResult, 'ok' | 'problems' | 'kind'>, problems: string[], kind: CaseResult['kind'] = 'attack'): CaseResult {
  const all = [...problems];
  if (kind === 'attack' && fields.accepted > 0) all.unshift(`${fields.accepted} accepted that must be refused`);
  if (fields.lost > 0) all.unshift(`${fields.lost} acknowledged messages lost`);
  return { ...fields, kind, ok: all.length === 0, problems: all };
}

/** A check that adds a problem when it fails. */
export function expectThat(problems: string[], holds: boolean, what: string): void {
  if (!holds) problems.push(what);
}
