import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '@parley/logger';
import type { SocketBalancer } from '../balance/socket-balancer.js';
import { reconcileSigningKeys, type SigningKeysOutcome } from '../keys/signing-key-reconciler.js';
import { describeApiError, errorMessageOf, isNotFound, statusCodeOf } from '../kube/api-errors.js';
import type { KubeClients } from '../kube/kube-clients.js';
import type { WorkResult } from '../kube/work-queue.js';
import type { OperatorMetrics } from '../observability/operator-metrics.js';
import { buildPlatformStatus, type StatusInputs } from '../status/platform-status.js';
import { componentStatuses, podBaseUrl, readyComponentPods } from '../status/platform-workloads.js';
import { fetchQueueDepths, totalWaiting } from '../status/queue-metrics.js';
import { canonicalJson } from '../api/canonical-json.js';
import { type ChatPlatform, CHAT_PLATFORM_API, ROTATE_NOW_ANNOTATION, splitPlatformKey } from '../api/chat-platform-resource.js';
import type { ChatPlatformStatus } from '../api/chat-platform-status.js';
import { parseChatPlatformSpec, type PlatformSettings } from '../api/chat-platform-spec.js';

export interface PlatformReconcilerDeps {
  kube: KubeClients;
  logger: Logger;
  metrics: OperatorMetrics;
  balancer: SocketBalancer;
  /** The informers' caches (objects matching WATCH_LABEL_SELECTOR). */
  deployments(namespace: string): readonly V1Deployment[];
  pods(namespace: string): readonly V1Pod[];
  pollIntervalMs: number;
  podRequestTimeoutMs: number;
}

/** Never requeue sooner than this after a timed action (a key activating or retiring). */
const MIN_REQUEUE_MS = 50;

/**
 * One reconcile of one ChatPlatform: read its latest state, bring the signing keys forward,
 * sample sockets and queues, rebalance if needed, and write `status`. Every step is idempotent
 * (it compares what is with what should be), so running it again, after a crash or on another
 * replica, converges to the same place.
 */
export async function reconcilePlatform(deps: PlatformReconcilerDeps, key: string): Promise<WorkResult> {
  const { kube, balancer } = deps;
  const { namespace, name } = splitPlatformKey(key);
  let platform: ChatPlatform;
  try {
    platform = (await kube.custom.getNamespacedCustomObject({ ...CHAT_PLATFORM_API, namespace, name })) as ChatPlatform;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    // Deleted: the garbage collector removes what it owned (owner references).
    balancer.forget(key);
    return {};
  }
  if (platform.metadata.deletionTimestamp) return {};

  const nowMs = Date.now();
  const generation = platform.metadata.generation ?? 0;
  const parsed = parseChatPlatformSpec(platform.spec);
  if (!parsed.ok) {
    await writeStatus(deps, platform, buildPlatformStatus({ ...emptyInputs(platform, generation, nowMs), specProblems: parsed.problems }));
    return {};
  }
  const settings = parsed.settings;
  const problems: string[] = [];
  let failure: unknown;

  const keys = await reconcileKeysStep(deps, platform, settings, nowMs).catch((error: unknown): SigningKeysOutcome => {
    failure = error;
    return { observation: { state: 'error', message: `signing keys: ${describeApiError(error)}` }, forceHandled: false };
  });
  if (keys.forceHandled) await removeRotateNowAnnotation(deps, platform);

  const pods = deps.pods(namespace);
  const sockets = await balancer.observe(key, namespace, settings, readyComponentPods(pods, settings.selector, settings.sockets.component), nowMs);
  problems.push(...sockets.problems);
  const queue = await sampleQueues(deps, pods, settings, problems);

  const status = buildPlatformStatus({
    generation,
    ...(platform.status ? { previous: platform.status } : {}),
    now: new Date(nowMs),
    expectedComponents: settings.components,
    components: componentStatuses(deps.deployments(namespace), settings.selector),
    keys: keys.observation,
    balance: sockets.balance,
    ...(sockets.sockets ? { sockets: sockets.sockets } : {}),
    ...(queue ? { queue } : {}),
    problems: [...problems, ...skippedKeyFiles(keys)],
  });
  await writeStatus(deps, platform, status);
  if (failure !== undefined) throw failure;

  const delays = [deps.pollIntervalMs];
  if (keys.nextActionAtMs !== undefined) delays.push(Math.max(MIN_REQUEUE_MS, keys.nextActionAtMs - Date.now() + MIN_REQUEUE_MS));
  return { requeueAfterMs: Math.min(...delays) };
}

function skippedKeyFiles(keys: SigningKeysOutcome): string[] {
  const { observation } = keys;
  if (observation.state !== 'ready' && observation.state !== 'no-usable-key') return [];
  return observation.invalidFiles.map((file) => `skipped key file ${file}`);
}

function emptyInputs(platform: ChatPlatform, generation: number, nowMs: number): StatusInputs {
  return {
    generation,
    ...(platform.status ? { previous: platform.status } : {}),
    now: new Date(nowMs),
    expectedComponents: [],
    components: {},
    keys: { state: 'error', message: 'not reconciled' },
    balance: { state: 'unknown', why: 'not reconciled' },
    problems: [],
  };
}

function reconcileKeysStep(deps: PlatformReconcilerDeps, platform: ChatPlatform, settings: PlatformSettings, nowMs: number) {
  const forced = platform.metadata.annotations?.[ROTATE_NOW_ANNOTATION] !== undefined;
  return reconcileSigningKeys({ core: deps.kube.core, logger: deps.logger, metrics: deps.metrics }, platform, settings, forced, nowMs);
}

/** Removes the rotate-now annotation, only if it still has the value this reconcile acted on. */
async function removeRotateNowAnnotation(deps: PlatformReconcilerDeps, platform: ChatPlatform): Promise<void> {
  const value = platform.metadata.annotations?.[ROTATE_NOW_ANNOTATION];
  if (value === undefined) return;
  const path = `/metadata/annotations/${ROTATE_NOW_ANNOTATION.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  try {
    await deps.kube.custom.patchNamespacedCustomObject({
      ...CHAT_PLATFORM_API,
      namespace: platform.metadata.namespace,
      name: platform.metadata.name,
      body: [
        { op: 'test', path, value },
        { op: 'remove', path },
      ],
    });
  } catch (error) {
    // 422: changed meanwhile (a new request, handled by the next reconcile); 404: gone.
    if (![404, 409, 422].includes(statusCodeOf(error) ?? 0)) throw error;
  }
}

async function sampleQueues(deps: PlatformReconcilerDeps, pods: readonly V1Pod[], settings: PlatformSettings, problems: string[]): Promise<ChatPlatformStatus['queue']> {
  const workers = readyComponentPods(pods, settings.selector, settings.queues.component);
  for (const pod of workers) {
    const baseUrl = podBaseUrl(pod, 'metrics');
    if (!baseUrl) continue;
    try {
      const queues = await fetchQueueDepths(baseUrl, deps.podRequestTimeoutMs);
      return { waiting: totalWaiting(queues), queues };
    } catch (error) {
      problems.push(`queue depths unavailable from ${pod.metadata?.name}: ${errorMessageOf(error)}`);
    }
  }
  return undefined;
}

/** Patches `status` (JSON patch on the status subresource) when it changed. */
async function writeStatus(deps: PlatformReconcilerDeps, platform: ChatPlatform, status: ChatPlatformStatus): Promise<void> {
  if (canonicalJson(platform.status ?? {}) === canonicalJson(status)) return;
  try {
    await deps.kube.custom.patchNamespacedCustomObjectStatus({
      ...CHAT_PLATFORM_API,
      namespace: platform.metadata.namespace,
      name: platform.metadata.name,
      body: [{ op: 'add', path: '/status', value: status }],
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
