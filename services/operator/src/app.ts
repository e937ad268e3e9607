import { randomInt } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Express } from 'express';
import { createHealthRouter } from '@parley/health';
import { createHttpApp, finishHttpApp } from '@parley/http';
import type { ServableApp } from '@parley/lifecycle';
import { createLogger, type Logger } from '@parley/logger';
import { createServiceMetrics, type Registry } from '@parley/metrics';
import { PlatformController } from './controller/platform-controller.js';
import type { OperatorConfig } from './config.js';
import { createKubeClients, loadKubeConfig, resolveIdentity, resolveOwnNamespace } from './kube/kube-clients.js';
import { type LeaderElector, startLeaderElection } from './kube/leader-election.js';
import { createOperatorMetrics } from './observability/operator-metrics.js';

export interface OperatorAppOptions {
  /** Where the API server is (tests point it at a fake one); default from KUBE_API_URL or the environment. */
  kubeConfig?: KubeConfig;
  logger?: Logger;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /**
   * Called when this replica loses the Lease while running (not on close). The process should
   * exit then, as controller-runtime managers do: a request that hangs past the renew deadline
   * could otherwise still land after another replica took over. Without it the replica stops its
   * controller and competes again (what the tests observe).
   */
  onLeadershipLost?: () => void;
}

export interface OperatorApp extends ServableApp {
  app: Express;
  logger: Logger;
  registry: Registry;
  identity: string;
  elector: LeaderElector;
  /** The running controller while this replica leads. */
  readonly controller: PlatformController | undefined;
}

/**
 * The operator process: an HTTP server for /healthz, /readyz and /metrics, and a leader
 * election on a Lease; the replica that wins runs the ChatPlatform controller. It starts without
 * an API server (readiness reports 503 until Lease calls succeed) and never exits over one.
 */
export async function createOperatorApp(config: OperatorConfig, options: OperatorAppOptions = {}): Promise<OperatorApp> {
  const logger = options.logger ?? createLogger({ service: 'operator', level: config.LOG_LEVEL });
  const serviceMetrics = createServiceMetrics('operator');
  const metrics = createOperatorMetrics(serviceMetrics.registry);
  const kubeConfig = options.kubeConfig ?? loadKubeConfig(config.KUBE_API_URL);
  const kube = createKubeClients(kubeConfig);
  const namespace = resolveOwnNamespace(config.POD_NAMESPACE, kubeConfig);
  const watchNamespace = config.WATCH_NAMESPACE === '*' ? undefined : config.WATCH_NAMESPACE || namespace;
  const identity = resolveIdentity(config.POD_NAME);
  const random = options.random ?? (() => randomInt(0, 1_000_000) / 1_000_000);

  let controller: PlatformController | undefined;
  const elector = startLeaderElection({
    coordination: kube.coordination,
    namespace,
    leaseName: config.LEADER_ELECTION_LEASE_NAME,
    identity,
    leaseDurationMs: config.LEADER_ELECTION_LEASE_DURATION_MS,
    renewDeadlineMs: config.LEADER_ELECTION_RENEW_DEADLINE_MS,
    retryPeriodMs: config.LEADER_ELECTION_RETRY_PERIOD_MS,
    logger,
    onStartedLeading() {
      metrics.leader.set(1);
      controller = new PlatformController({
        kube,
        ...(watchNamespace ? { watchNamespace } : {}),
        labelSelector: config.WATCH_LABEL_SELECTOR,
        logger,
        metrics,
        resyncIntervalMs: config.RESYNC_INTERVAL_MS,
        pollIntervalMs: config.POLL_INTERVAL_MS,
        podRequestTimeoutMs: config.POD_REQUEST_TIMEOUT_MS,
        shedBatchPauseMs: config.SHED_BATCH_PAUSE_MS,
        random,
      });
      controller.start();
    },
    async onStoppedLeading(why) {
      metrics.leader.set(0);
      const stopping = controller;
      controller = undefined;
      if (why === 'lost') options.onLeadershipLost?.();
      await stopping?.stop();
    },
  });
  logger.info({ identity, namespace, watching: watchNamespace ?? 'all namespaces', lease: config.LEADER_ELECTION_LEASE_NAME }, 'operator started');

  const health = createHealthRouter({
    kubernetesApi: async () => {
      if (!elector.apiReachable) throw new Error('the Kubernetes API server is not reachable');
    },
    informers: async () => {
      if (controller && !controller.synced) throw new Error('the informer caches are not synced yet');
    },
  });
  const app = createHttpApp({ logger, metrics: serviceMetrics, health: health.router, corsOrigins: [] });
  finishHttpApp(app);

  return {
    app,
    handler: app,
    logger,
    registry: serviceMetrics.registry,
    identity,
    elector,
    get controller() {
      return controller;
    },
    markDraining() {
      health.markDraining();
    },
    async close() {
      // Stops the controller if leading, then releases the Lease for the next replica.
      await elector.stop();
    },
  };
}
