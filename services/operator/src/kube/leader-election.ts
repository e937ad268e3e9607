import { type CoordinationV1Api, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import type { Logger } from '@parley/logger';
import { describeApiError, isConflict, isNotFound } from './api-errors.js';

export interface LeaderElectionSettings {
  coordination: CoordinationV1Api;
  namespace: string;
  leaseName: string;
  /** This replica's name in `holderIdentity`. */
  identity: string;
  /** How long others wait after the holder's last observed renewal before taking over. */
  leaseDurationMs: number;
  /** How long the holder keeps acting without a successful renewal (< leaseDurationMs). */
  renewDeadlineMs: number;
  retryPeriodMs: number;
  logger: Logger;
  onStartedLeading(): void | Promise<void>;
  /** `lost`: renewals failed past the deadline or another replica took the Lease; `stopped`: stop() was called. */
  onStoppedLeading(why: 'lost' | 'stopped'): void | Promise<void>;
}

export interface LeaderElector {
  readonly isLeader: boolean;
  /** True while Lease calls succeed (this replica can reach the API server), leader or not. */
  readonly apiReachable: boolean;
  /** Stops competing; a leader stops acting, then releases the Lease so another takes over at once. */
  stop(): Promise<void>;
}

interface ObservedRecord {
  holder: string;
  renewTime: string;
  /** Local clock when this record was first seen: expiry is judged from it, never from the holder's clock. */
  observedAtMs: number;
}

const microTime = (ms: number) => new V1MicroTime(ms);
const timeText = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value ?? ''));

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
 * every replica tries to acquire or renew every `retryPeriod`; writes carry the Lease's
 * resourceVersion, so of two racing replicas one gets 409 and stays a follower; a follower
 * takes over only after the holder's record has stayed unchanged for `leaseDuration` by its own
 * clock; a leader that could not renew for `renewDeadline` (shorter) stops acting first. So two
 * replicas never act at once, as long as their clocks advance at the same rate.
 */
export function startLeaderElection(settings: LeaderElectionSettings): LeaderElector {
  const { coordination, namespace, leaseName: name, identity, logger } = settings;
  let leading = false;
  let apiReachable = false;
  let lastRenewMs = 0;
  let observed: ObservedRecord | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let transition: Promise<void> = Promise.resolve();

  const setLeading = (next: boolean, why: 'lost' | 'stopped' = 'lost') => {
    if (leading === next) return;
    leading = next;
    logger.info({ lease: `${namespace}/${name}`, identity, ...(next ? {} : { why }) }, next ? 'became the leader' : 'stopped leading');
    transition = transition.then(async () => {
      try {
        await (next ? settings.onStartedLeading() : settings.onStoppedLeading(why));
      } catch (error) {
        logger.error({ err: error }, 'leadership callback failed');
      }
    });
  };

  const leaseBody = (previous: V1Lease | undefined, nowMs: number): V1Lease => {
    const wasMine = previous?.spec?.holderIdentity === identity;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...(previous?.metadata ?? {}), name, namespace },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(settings.leaseDurationMs / 1000),
        acquireTime: wasMine && previous?.spec?.acquireTime ? microTime(new Date(timeText(previous.spec.acquireTime)).getTime()) : microTime(nowMs),
        renewTime: microTime(nowMs),
        leaseTransitions: (previous?.spec?.leaseTransitions ?? 0) + (wasMine || !previous ? 0 : 1),
      },
    };
  };

  /** One acquire-or-renew attempt: true when this replica holds the Lease now. */
  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const nowMs = Date.now();
    let lease: V1Lease;
    try {
      lease = await coordination.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await coordination.createNamespacedLease({ namespace, body: leaseBody(undefined, nowMs) });
      observed = undefined;
      return true;
    }
    apiReachable = true;
    const holder = lease.spec?.holderIdentity ?? '';
    const renewTime = timeText(lease.spec?.renewTime);
    if (!observed || observed.holder !== holder || observed.renewTime !== renewTime) {
      observed = { holder, renewTime, observedAtMs: nowMs };
    }
    const heldByOther = holder !== '' && holder !== identity;
    if (heldByOther && nowMs < observed.observedAtMs + settings.leaseDurationMs) return false;
    try {
      await coordination.replaceNamespacedLease({ name, namespace, body: leaseBody(lease, nowMs) });
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
    return true;
  };

  const tick = async () => {
    try {
      const holding = await tryAcquireOrRenew();
      apiReachable = true;
      if (stopped) return;
      if (holding) {
        lastRenewMs = Date.now();
        setLeading(true);
      } else if (leading) {
        // Someone else holds it now (we lost a renewal race): stop at once.
        setLeading(false);
      }
    } catch (error) {
      apiReachable = false;
      logger.warn({ lease: `${namespace}/${name}`, problem: describeApiError(error) }, 'cannot reach the leader-election Lease');
    }
    if (leading && Date.now() - lastRenewMs > settings.renewDeadlineMs) setLeading(false);
  };

  // The attempt in flight, if any: stop() lets it land before releasing.
  let ticking: Promise<void> = Promise.resolve();
  const loop = async () => {
    if (stopped) return;
    ticking = tick();
    await ticking;
    if (stopped) return;
    timer = setTimeout(() => void loop(), settings.retryPeriodMs);
  };
  void loop();

  return {
    get isLeader() {
      return leading;
    },
    get apiReachable() {
      return apiReachable;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const wasLeading = leading;
      setLeading(false, 'stopped');
      await transition;
      // A renewal still in flight would replace the Lease after the release below read it, and
      // the release would then fail with a conflict, leaving the Lease held until it expires.
      await ticking;
      if (!wasLeading) return;
      // Release: an empty holder lets a follower take over without waiting out the lease.
      try {
        const lease = await coordination.readNamespacedLease({ name, namespace });
        if (lease.spec?.holderIdentity !== identity) return;
        const nowMs = Date.now();
        await coordination.replaceNamespacedLease({
          name,
          namespace,
          body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(nowMs), acquireTime: microTime(nowMs) } },
        });
      } catch (error) {
        logger.warn({ problem: describeApiError(error) }, 'could not release the leader-election Lease');
      }
    },
  };
}
