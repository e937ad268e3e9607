import type { Condition, ConditionStatus, ConditionType } from './chat-platform-status.js';

export interface ConditionUpdate {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export const CONDITION_ORDER: ConditionType[] = ['Ready', 'Progressing', 'Degraded', 'KeysReady', 'Balanced'];

/**
 * The next condition list: each update stamped with the generation it was computed from; the
 * lastTransitionTime is kept while a condition's status stays the same (as `meta.SetStatusCondition` does).
 */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  updates: readonly ConditionUpdate[],
  observedGeneration: number,
  now: Date,
): Condition[] {
  const before = new Map((previous ?? []).map((condition) => [condition.type, condition]));
  return [...updates]
    .sort((a, b) => CONDITION_ORDER.indexOf(a.type) - CONDITION_ORDER.indexOf(b.type))
    .map((update) => {
      const old = before.get(update.type);
      const lastTransitionTime = old && old.status === update.status ? old.lastTransitionTime : rfc3339(now);
      return { ...update, observedGeneration, lastTransitionTime };
    });
}

/** Seconds precision, as Kubernetes writes metav1.Time. */
export const rfc3339 = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;
