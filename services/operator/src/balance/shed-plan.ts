/**
 * Socket rebalancing as a pure function of the observed connection counts and the time: after a
 * scale-out the new chat-socket pods are idle while the old ones stay hot (clients keep their
 * connection). When the busiest pod stays above `maxImbalance` × the mean for longer than
 * `window`, it is asked to shed its excess over the mean (those clients reconnect through the
 * Service, landing anywhere), in batches, never more than `maxShedPerMinute` sockets in any
 * 60-second span.
 */

export interface PodConnections {
  pod: string;
  count: number;
}

export interface RebalancePolicy {
  maxImbalance: number;
  windowMs: number;
  maxShedPerMinute: number;
  batchSize: number;
  /** The busiest pod must also exceed the mean by at least this many sockets (no churn over a handful). */
  minExcess: number;
}

/** What the balancer remembers between two samples of one ChatPlatform. */
export interface BalanceMemory {
  /** When the current imbalance was first seen. */
  imbalancedSinceMs?: number;
  /** Sheds asked for (planned counts) with their time, for the per-minute budget. */
  recentSheds: { atMs: number; count: number }[];
}

export interface BalanceAssessment {
  mean: number;
  busiest?: PodConnections;
  /** Sockets the busiest pod holds above the mean (rounded down). */
  excess: number;
  imbalanced: boolean;
}

export interface ShedOrder {
  pod: string;
  count: number;
  /** `count` split into requests of at most `batchSize`. */
  batches: number[];
}

export type BalanceVerdict =
  | { state: 'balanced' }
  | { state: 'too-few-pods' }
  | { state: 'waiting'; sinceMs: number }
  | { state: 'budget-exhausted' }
  | { state: 'shed'; order: ShedOrder };

export interface BalanceDecision {
  verdict: BalanceVerdict;
  memory: BalanceMemory;
  assessment: BalanceAssessment;
}

export const SHED_BUDGET_SPAN_MS = 60_000;

export function assessBalance(pods: readonly PodConnections[], policy: RebalancePolicy): BalanceAssessment {
  if (pods.length === 0) return { mean: 0, excess: 0, imbalanced: false };
  const mean = pods.reduce((sum, pod) => sum + pod.count, 0) / pods.length;
  const busiest = [...pods].sort((a, b) => b.count - a.count || a.pod.localeCompare(b.pod))[0] as PodConnections;
  const excess = Math.max(0, Math.floor(busiest.count - mean));
  const imbalanced = pods.length >= 2 && busiest.count > mean * policy.maxImbalance && excess >= policy.minExcess;
  return { mean, busiest, excess, imbalanced };
}

export function splitIntoBatches(count: number, batchSize: number): number[] {
  const batches: number[] = [];
  for (let left = count; left > 0; left -= batchSize) batches.push(Math.min(batchSize, left));
  return batches;
}

/** The shed budget left now: maxShedPerMinute minus what was asked for in the last 60 s. */
export function shedBudget(memory: BalanceMemory, nowMs: number, policy: RebalancePolicy): number {
  const spent = memory.recentSheds.filter((shed) => shed.atMs > nowMs - SHED_BUDGET_SPAN_MS).reduce((sum, shed) => sum + shed.count, 0);
  return Math.max(0, policy.maxShedPerMinute - spent);
}

export function decideRebalance(
  pods: readonly PodConnections[],
  memory: BalanceMemory,
  nowMs: number,
  policy: RebalancePolicy,
): BalanceDecision {
  const recentSheds = memory.recentSheds.filter((shed) => shed.atMs > nowMs - SHED_BUDGET_SPAN_MS);
  const assessment = assessBalance(pods, policy);
  if (pods.length < 2) return { verdict: { state: 'too-few-pods' }, memory: { recentSheds }, assessment };
  if (!assessment.imbalanced || !assessment.busiest) return { verdict: { state: 'balanced' }, memory: { recentSheds }, assessment };

  const sinceMs = memory.imbalancedSinceMs ?? nowMs;
  const kept: BalanceMemory = { imbalancedSinceMs: sinceMs, recentSheds };
  if (nowMs - sinceMs < policy.windowMs) return { verdict: { state: 'waiting', sinceMs }, memory: kept, assessment };

  const count = Math.min(assessment.excess, shedBudget(kept, nowMs, policy));
  if (count <= 0) return { verdict: { state: 'budget-exhausted' }, memory: kept, assessment };
  const order: ShedOrder = { pod: assessment.busiest.pod, count, batches: splitIntoBatches(count, policy.batchSize) };
  return {
    verdict: { state: 'shed', order },
    memory: { imbalancedSinceMs: sinceMs, recentSheds: [...recentSheds, { atMs: nowMs, count }] },
    assessment,
  };
}

/** Pause before batch `index` (> 0): uniformly in [½, 1½] × the mean pause. */
export function batchPauseMs(meanPauseMs: number, random: () => number): number {
  return Math.round(meanPauseMs * (0.5 + random()));
}
