import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '@parley/logger';
import type { PodSockets } from '../api/chat-platform-status.js';
import type { PlatformSettings } from '../api/chat-platform-spec.js';
import { describeApiError, errorMessageOf } from '../kube/api-errors.js';
import type { OperatorMetrics } from '../observability/operator-metrics.js';
import type { BalanceObservation } from '../status/platform-status.js';
import { podBaseUrl } from '../status/platform-workloads.js';
import { batchPauseMs, type BalanceMemory, decideRebalance, type RebalancePolicy, type ShedOrder } from './shed-plan.js';
import { createSocketAdminClient, type PodEndpoint } from './socket-admin-client.js';

export interface SocketBalancerDeps {
  core: CoreV1Api;
  logger: Logger;
  metrics: OperatorMetrics;
  podRequestTimeoutMs: number;
  /** Mean pause between two shed batches. */
  batchPauseMs: number;
  /** Source of jitter, [0, 1). */
  random: () => number;
}

export interface SocketObservation {
  balance: BalanceObservation;
  sockets?: { total: number; pods: PodSockets[] };
  problems: string[];
}

const formatWindow = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);

/**
 * Reads every ready chat-socket pod's connection count and, when one pod stays too busy, has it
 * shed sockets (see shed-plan.ts). The decision memory (since when a pod is too busy, what was
 * shed lately) lives here, per ChatPlatform; a new leader starts with none, so it waits a full
 * window before acting: conservative by design. Shedding runs in the background, one run per
 * platform at a time, and stops when the balancer stops (leadership lost, shutdown).
 */
export class SocketBalancer {
  private readonly memory = new Map<string, BalanceMemory>();
  private readonly runs = new Map<string, { order: ShedOrder; done: Promise<void> }>();
  private readonly abort = new AbortController();

  constructor(private readonly deps: SocketBalancerDeps) {}

  async observe(key: string, namespace: string, settings: PlatformSettings, pods: readonly V1Pod[], nowMs: number): Promise<SocketObservation> {
    const ref = settings.sockets.adminTokenSecretRef;
    if (!ref) return { balance: { state: 'unknown', why: 'spec.sockets.adminTokenSecretRef is not set, so socket counts cannot be read' }, problems: [] };
    let token: string;
    try {
      const secret = await this.deps.core.readNamespacedSecret({ name: ref.name, namespace });
      const encoded = secret.data?.[ref.key];
      if (!encoded) throw new Error(`key ${ref.key} is missing`);
      token = Buffer.from(encoded, 'base64').toString('utf8');
    } catch (error) {
      const why = `cannot read the admin token from Secret ${ref.name}: ${describeApiError(error)}`;
      return { balance: { state: 'unknown', why }, problems: [why] };
    }

    const client = createSocketAdminClient(token, this.deps.podRequestTimeoutMs);
    const endpoints: PodEndpoint[] = [];
    for (const pod of pods) {
      const baseUrl = podBaseUrl(pod);
      if (baseUrl && pod.metadata?.name) endpoints.push({ pod: pod.metadata.name, baseUrl });
    }
    const results = await Promise.allSettled(endpoints.map(async (endpoint) => ({ pod: endpoint.pod, count: await client.countSockets(endpoint) })));
    const counted: PodSockets[] = [];
    const problems: string[] = [];
    results.forEach((result) => {
      if (result.status === 'fulfilled') counted.push(result.value);
      else problems.push(`socket count unavailable: ${(result.reason as Error).message}`);
    });
    const sockets = { total: counted.reduce((sum, pod) => sum + pod.count, 0), pods: counted };
    if (endpoints.length > 0 && counted.length === 0) {
      return { balance: { state: 'unknown', why: 'no chat-socket pod answered its socket count' }, sockets, problems };
    }

    const running = this.runs.get(key);
    if (running) return { balance: { state: 'shedding', pod: running.order.pod, count: running.order.count }, sockets, problems };

    const policy: RebalancePolicy = settings.sockets;
    const decision = decideRebalance(counted, this.memory.get(key) ?? { recentSheds: [] }, nowMs, policy);
    const { verdict, assessment } = decision;
    const imbalanced = (acting: boolean, why: string): BalanceObservation => ({
      state: 'imbalanced',
      pod: assessment.busiest?.pod ?? '',
      count: assessment.busiest?.count ?? 0,
      mean: assessment.mean,
      acting,
      why,
    });

    if (!settings.sockets.rebalanceEnabled) {
      this.memory.delete(key);
      const balance = assessment.imbalanced ? imbalanced(false, 'rebalancing is disabled (spec.sockets.rebalance.enabled)') : { state: 'balanced' as const, pods: counted.length };
      return { balance, sockets, problems };
    }
    this.memory.set(key, decision.memory);
    switch (verdict.state) {
      case 'balanced':
      case 'too-few-pods':
        return { balance: { state: 'balanced', pods: counted.length }, sockets, problems };
      case 'waiting':
        return { balance: imbalanced(true, `shedding starts when this lasts ${formatWindow(policy.windowMs)}`), sockets, problems };
      case 'budget-exhausted':
        return { balance: imbalanced(true, `this minute's shed budget (${policy.maxShedPerMinute}) is spent`), sockets, problems };
      case 'shed': {
        const endpoint = endpoints.find((candidate) => candidate.pod === verdict.order.pod);
        if (endpoint) this.startShedding(key, endpoint, verdict.order, client, nowMs);
        return { balance: { state: 'shedding', pod: verdict.order.pod, count: verdict.order.count }, sockets, problems };
      }
    }
  }

  /** True while a shed run of this platform is in progress. */
  isShedding(key: string): boolean {
    return this.runs.has(key);
  }

  forget(key: string): void {
    this.memory.delete(key);
  }

  /** Stops shedding (between batches) and waits for the runs to end. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all([...this.runs.values()].map((run) => run.done));
  }

  private startShedding(key: string, endpoint: PodEndpoint, order: ShedOrder, client: ReturnType<typeof createSocketAdminClient>, plannedAtMs: number): void {
    const { logger, metrics } = this.deps;
    logger.info({ platform: key, pod: order.pod, count: order.count, batches: order.batches.length }, 'shedding sockets to rebalance');
    const sent: { atMs: number; count: number }[] = [];
    const done = (async () => {
      for (const [index, batch] of order.batches.entries()) {
        if (index > 0) {
          try {
            await sleep(batchPauseMs(this.deps.batchPauseMs, this.deps.random), undefined, { signal: this.abort.signal });
          } catch {
            return; // stopped
          }
        }
        if (this.abort.signal.aborted) return;
        sent.push({ atMs: Date.now(), count: batch });
        try {
          const shedding = await client.shedSockets(endpoint, batch);
          metrics.shedRequests.inc({ result: 'accepted' });
          metrics.socketsShed.inc(shedding);
          if (shedding < batch) return; // the pod has fewer sockets left than planned
        } catch (error) {
          metrics.shedRequests.inc({ result: 'failed' });
          logger.warn({ platform: key, pod: order.pod, problem: errorMessageOf(error) }, 'shed request failed; stopping this run');
          return;
        }
      }
    })().finally(() => {
      this.runs.delete(key);
      // The plan reserved its whole count at planning time; keep what was really sent, when.
      const memory = this.memory.get(key);
      if (memory) {
        memory.recentSheds = [...memory.recentSheds.filter((shed) => !(shed.atMs === plannedAtMs && shed.count === order.count)), ...sent];
      }
    });
    this.runs.set(key, { order, done });
  }
}
