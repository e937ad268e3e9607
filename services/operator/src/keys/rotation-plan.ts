import { pickActiveKey, ranksAbove } from '@parley/signing-keys';

/**
 * Signing-key rotation as a pure function of the key set and the clock, designed around the auth
 * service's rule: the newest (by `iat`, then `kid`) private key whose `nbf` has passed signs, and
 * every key in the directory verifies and is published in the JWKS.
 *
 * Life of a key:
 *   published   created `publishAhead` before it may sign, with `nbf` = its activation time, so
 *               every auth pod (Secret volumes update within the kubelet sync period) and every
 *               JWKS cache knows it before the first token signed with it exists;
 *   active      from `nbf` it is the newest usable key, so it signs;
 *   retired     once a newer key is active. Its private half is dropped after
 *               `retirementMargin` (a pod that saw the new key late may sign with it until then),
 *               its public half kept until `accessTokenTTL + retirementMargin` after retirement,
 *               so every token it signed has expired before it disappears;
 *   pruned      removed from the Secret.
 * A rotation is due `interval` after the active key took over; `forced` (the rotate-now
 * annotation) starts one at once, still published ahead.
 */

export interface KeyState {
  kid: string;
  /** Epoch seconds. */
  iat: number;
  /** Epoch seconds; absent: may sign from `iat`. */
  nbf?: number;
  hasPrivateKey: boolean;
}

export interface RotationPolicy {
  /** Scheduled rotations (a forced one happens regardless). */
  rotationEnabled: boolean;
  intervalMs: number;
  publishAheadMs: number;
  retirementMarginMs: number;
  accessTokenTtlMs: number;
}

export type RotationReason = 'initial' | 'scheduled' | 'forced';

export interface RotationPlan {
  /** A new private key to add (epoch seconds). */
  create?: { iat: number; nbf?: number; reason: RotationReason };
  /** Retired keys whose private half (`d`) to remove. */
  stripPrivateKeys: string[];
  /** Retired keys to remove altogether. */
  removeKeys: string[];
}

export interface KeySetView {
  /** The key the auth service signs with now. */
  activeKid?: string;
  /** Published, not signing yet. */
  pendingKid?: string;
  /** When the next key takes over signing (the pending key's nbf, or when one will be due). */
  nextRotationAtMs?: number;
  /** The earliest future moment at which the plan or this view changes: when to look again. */
  nextActionAtMs?: number;
}

const nbfMs = (key: KeyState) => (key.nbf ?? 0) * 1000;
const canSign = (key: KeyState, nowMs: number) => key.hasPrivateKey && nbfMs(key) <= nowMs;
/** When a key started (or starts) signing. */
const activeSinceMs = (key: KeyState) => Math.max(key.iat * 1000, nbfMs(key));

/** The newest key that may sign now: the same choice every auth pod makes. */
export function activeKey(keys: readonly KeyState[], nowMs: number): KeyState | undefined {
  return pickActiveKey(keys, (key) => canSign(key, nowMs));
}

/** Private keys published ahead, newest first. */
function pendingKeys(keys: readonly KeyState[], nowMs: number): KeyState[] {
  return keys.filter((key) => key.hasPrivateKey && nbfMs(key) > nowMs).sort((a, b) => (ranksAbove(a, b) ? -1 : 1));
}

/** When `key` stopped signing: the earliest takeover by a newer key that may sign now. */
function retiredAtMs(key: KeyState, keys: readonly KeyState[], nowMs: number): number | undefined {
  let retired: number | undefined;
  for (const other of keys) {
    if (other !== key && canSign(other, nowMs) && ranksAbove(other, key)) {
      retired = Math.min(retired ?? Infinity, activeSinceMs(other));
    }
  }
  return retired;
}

interface Schedule {
  strip?: number;
  remove: number;
}

function retirementSchedule(key: KeyState, keys: readonly KeyState[], nowMs: number, policy: RotationPolicy): Schedule | undefined {
  const retired = retiredAtMs(key, keys, nowMs);
  if (retired === undefined) return undefined;
  return {
    ...(key.hasPrivateKey ? { strip: retired + policy.retirementMarginMs } : {}),
    remove: retired + policy.accessTokenTtlMs + policy.retirementMarginMs,
  };
}

export function planRotation(keys: readonly KeyState[], nowMs: number, policy: RotationPolicy, forced = false): RotationPlan {
  const plan: RotationPlan = { stripPrivateKeys: [], removeKeys: [] };
  const nowSeconds = Math.floor(nowMs / 1000);
  // Newer than every key present, so it outranks them all once it may sign.
  const newIat = Math.max(nowSeconds, ...keys.map((key) => key.iat + 1));
  const active = activeKey(keys, nowMs);
  const pending = pendingKeys(keys, nowMs);

  if (!active) {
    // Install (or every private key gone): sign at once, nothing can be verified yet anyway.
    if (pending.length === 0) plan.create = { iat: newIat, reason: 'initial' };
  } else if (pending.length === 0) {
    const dueAt = activeSinceMs(active) + policy.intervalMs;
    if (forced) {
      plan.create = { iat: newIat, nbf: Math.ceil((nowMs + policy.publishAheadMs) / 1000), reason: 'forced' };
    } else if (policy.rotationEnabled && nowMs >= dueAt - policy.publishAheadMs) {
      plan.create = { iat: newIat, nbf: Math.ceil(Math.max(dueAt, nowMs + policy.publishAheadMs) / 1000), reason: 'scheduled' };
    }
  }

  for (const key of keys) {
    if (key === active) continue;
    const schedule = retirementSchedule(key, keys, nowMs, policy);
    if (!schedule) continue;
    if (nowMs >= schedule.remove) plan.removeKeys.push(key.kid);
    else if (schedule.strip !== undefined && nowMs >= schedule.strip) plan.stripPrivateKeys.push(key.kid);
  }
  return plan;
}

export const planChangesKeys = (plan: RotationPlan) =>
  plan.create !== undefined || plan.stripPrivateKeys.length > 0 || plan.removeKeys.length > 0;

/** What the status reports about a key set, and when to look at it again. */
export function describeKeySet(keys: readonly KeyState[], nowMs: number, policy: RotationPolicy): KeySetView {
  const active = activeKey(keys, nowMs);
  const pending = pendingKeys(keys, nowMs)[0];
  const view: KeySetView = {};
  if (active) view.activeKid = active.kid;
  if (pending) view.pendingKid = pending.kid;

  const moments: number[] = [];
  if (pending) {
    view.nextRotationAtMs = activeSinceMs(pending);
    moments.push(...pendingKeys(keys, nowMs).map(activeSinceMs));
  } else if (active && policy.rotationEnabled) {
    view.nextRotationAtMs = activeSinceMs(active) + policy.intervalMs;
    moments.push(view.nextRotationAtMs - policy.publishAheadMs);
  }
  for (const key of keys) {
    if (key === active) continue;
    const schedule = retirementSchedule(key, keys, nowMs, policy);
    if (!schedule) continue;
    if (schedule.strip !== undefined) moments.push(schedule.strip);
    moments.push(schedule.remove);
  }
  const future = moments.filter((moment) => moment > nowMs);
  if (future.length > 0) view.nextActionAtMs = Math.min(...future);
  return view;
}
