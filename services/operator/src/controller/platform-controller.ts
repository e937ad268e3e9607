import type { KubernetesListObject, KubernetesObject, V1Deployment, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Logger } from '@parley/logger';
import { SocketBalancer } from '../balance/socket-balancer.js';
import { describeApiError } from '../kube/api-errors.js';
import type { KubeClients } from '../kube/kube-clients.js';
import { type ResourceInformer, startResourceInformer } from '../kube/resource-informer.js';
import { WorkQueue } from '../kube/work-queue.js';
import type { OperatorMetrics } from '../observability/operator-metrics.js';
import { type ChatPlatform, CHAT_PLATFORM, CHAT_PLATFORM_API, platformKey } from '../api/chat-platform-resource.js';
import { reconcilePlatform } from './platform-reconciler.js';

export interface PlatformControllerSettings {
  kube: KubeClients;
  /** Namespace to watch; undefined: every namespace. */
  watchNamespace?: string;
  /** Selector of the Secrets, Deployments and Pods watched. */
  labelSelector: string;
  logger: Logger;
  metrics: OperatorMetrics;
  resyncIntervalMs: number;
  pollIntervalMs: number;
  podRequestTimeoutMs: number;
  shedBatchPauseMs: number;
  random: () => number;
}

/** What, of a ChatPlatform, warrants a reconcile: not its status (which the operator writes itself). */
const triggerOf = (platform: ChatPlatform) =>
  JSON.stringify([platform.metadata.generation, platform.metadata.annotations ?? {}, platform.metadata.deletionTimestamp ?? null]);

/**
 * The ChatPlatform controller, shaped like a controller-runtime one: informers for
 * ChatPlatforms and for the Secrets, Deployments and Pods it looks at (label-filtered) turn
 * events into `namespace/name` keys of the affected ChatPlatforms; a de-duplicating work queue
 * feeds them to the reconciler one at a time, with exponential backoff on failure, requeue-after
 * for timed work, and a periodic resync. Only the leader runs one.
 */
export class PlatformController {
  private readonly queue: WorkQueue;
  private readonly balancer: SocketBalancer;
  private readonly informers: ResourceInformer<KubernetesObject>[] = [];
  private platforms: ResourceInformer<ChatPlatform> | undefined;
  private deployments: ResourceInformer<V1Deployment> | undefined;
  private pods: ResourceInformer<V1Pod> | undefined;
  private readonly triggers = new Map<string, string>();
  private resync: NodeJS.Timeout | undefined;

  constructor(private readonly settings: PlatformControllerSettings) {
    const { kube, logger, metrics } = settings;
    this.balancer = new SocketBalancer({
      core: kube.core,
      logger,
      metrics,
      podRequestTimeoutMs: settings.podRequestTimeoutMs,
      batchPauseMs: settings.shedBatchPauseMs,
      random: settings.random,
    });
    this.queue = new WorkQueue({
      baseBackoffMs: 500,
      maxBackoffMs: 60_000,
      process: (key) => this.process(key),
      onError: (key, error, retryInMs) => {
        metrics.reconcileErrors.inc();
        logger.warn({ platform: key, problem: describeApiError(error), retryInMs }, 'reconcile failed; retrying with backoff');
      },
    });
  }

  /** True once every informer has listed its objects. */
  get synced(): boolean {
    return this.informers.length > 0 && this.informers.every((informer) => informer.synced);
  }

  start(): void {
    const { kube, watchNamespace: ns, labelSelector, logger } = this.settings;
    const path = (prefix: string, plural: string) => (ns ? `${prefix}/namespaces/${ns}/${plural}` : `${prefix}/${plural}`);
    const inform = <T extends KubernetesObject>(name: string, collection: string, list: () => Promise<KubernetesListObject<T>>, onChange: (object: T) => void, selector?: string) => {
      const informer = startResourceInformer<T>({
        name,
        kubeConfig: kube.config,
        path: collection,
        list,
        onChange,
        logger,
        ...(selector ? { labelSelector: selector } : {}),
      });
      this.informers.push(informer as unknown as ResourceInformer<KubernetesObject>);
      return informer;
    };
    const crPrefix = `/apis/${CHAT_PLATFORM.group}/${CHAT_PLATFORM.version}`;

    this.platforms = inform<ChatPlatform>(
      'chatplatforms',
      path(crPrefix, CHAT_PLATFORM.plural),
      async () =>
        (ns
          ? await kube.custom.listNamespacedCustomObject({ ...CHAT_PLATFORM_API, namespace: ns })
          : await kube.custom.listClusterCustomObject({ ...CHAT_PLATFORM_API })) as KubernetesListObject<ChatPlatform>,
      (platform) => this.onPlatformEvent(platform),
    );
    const related = (object: KubernetesObject) => this.enqueueNamespace(object.metadata?.namespace);
    inform<V1Secret>(
      'secrets',
      path('/api/v1', 'secrets'),
      () => (ns ? kube.core.listNamespacedSecret({ namespace: ns, labelSelector }) : kube.core.listSecretForAllNamespaces({ labelSelector })),
      related,
      labelSelector,
    );
    this.deployments = inform<V1Deployment>(
      'deployments',
      path('/apis/apps/v1', 'deployments'),
      () => (ns ? kube.apps.listNamespacedDeployment({ namespace: ns, labelSelector }) : kube.apps.listDeploymentForAllNamespaces({ labelSelector })),
      related,
      labelSelector,
    );
    this.pods = inform<V1Pod>(
      'pods',
      path('/api/v1', 'pods'),
      () => (ns ? kube.core.listNamespacedPod({ namespace: ns, labelSelector }) : kube.core.listPodForAllNamespaces({ labelSelector })),
      related,
      labelSelector,
    );

    this.resync = setInterval(() => {
      for (const platform of this.platforms?.list() ?? []) this.queue.add(platformKey(platform.metadata.namespace, platform.metadata.name));
    }, this.settings.resyncIntervalMs);
    this.resync.unref();
  }

  /** Stops watching, lets the reconcile in progress finish, stops shedding. */
  async stop(): Promise<void> {
    clearInterval(this.resync);
    await Promise.all(this.informers.map((informer) => informer.stop()));
    await this.queue.stop();
    await this.balancer.stop();
  }

  private onPlatformEvent(platform: ChatPlatform): void {
    const key = platformKey(platform.metadata.namespace, platform.metadata.name);
    const deleted = this.platforms?.get(platform.metadata.name, platform.metadata.namespace) === undefined;
    if (deleted) {
      this.triggers.delete(key);
      this.queue.add(key);
      return;
    }
    const trigger = triggerOf(platform);
    if (this.triggers.get(key) === trigger) return; // only its status changed
    this.triggers.set(key, trigger);
    this.queue.add(key);
  }

  private enqueueNamespace(namespace: string | undefined): void {
    if (!namespace) return;
    for (const platform of this.platforms?.list(namespace) ?? []) this.queue.add(platformKey(namespace, platform.metadata.name));
  }

  private async process(key: string) {
    if (!this.synced) return { requeueAfterMs: 200 };
    const { metrics } = this.settings;
    const stop = metrics.reconcileDuration.startTimer();
    try {
      const result = await reconcilePlatform(
        {
          kube: this.settings.kube,
          logger: this.settings.logger,
          metrics,
          balancer: this.balancer,
          deployments: (namespace) => this.deployments?.list(namespace) ?? [],
          pods: (namespace) => this.pods?.list(namespace) ?? [],
          pollIntervalMs: this.settings.pollIntervalMs,
          podRequestTimeoutMs: this.settings.podRequestTimeoutMs,
        },
        key,
      );
      metrics.reconciles.inc({ result: 'success' });
      return result;
    } catch (error) {
      metrics.reconciles.inc({ result: 'error' });
      throw error;
    } finally {
      stop();
    }
  }
}
