import { ADD, DELETE, ERROR, type KubeConfig, type KubernetesListObject, type KubernetesObject, makeInformer, UPDATE } from '@kubernetes/client-node';
import type { Logger } from '@parley/logger';
import { describeApiError } from './api-errors.js';

export interface ResourceInformerSettings<T extends KubernetesObject> {
  /** For logs and readiness, e.g. `pods`. */
  name: string;
  kubeConfig: KubeConfig;
  /** Collection path the watch runs on, e.g. `/api/v1/namespaces/chat/pods`. */
  path: string;
  list(): Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  /** Called for every add, update and delete (also for the synthetic ones of a relist). */
  onChange(object: T): void;
  logger: Logger;
  /** First restart delay after an error; doubles up to `maxRestartDelayMs`. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
}

export interface ResourceInformer<T extends KubernetesObject> {
  /** Objects as last listed or watched (the informer's cache). */
  list(namespace?: string): ReadonlyArray<T>;
  get(name: string, namespace?: string): T | undefined;
  /** True once a list succeeded, so the cache reflects the cluster. */
  readonly synced: boolean;
  stop(): Promise<void>;
}

/**
 * `makeInformer` (list, then watch from the list's resourceVersion, relist on 410 Gone) plus
 * what it leaves to the caller: it stops for good on any other error (API server restart,
 * network break, 403), so this restarts it with exponential backoff until stopped.
 */
export function startResourceInformer<T extends KubernetesObject>(settings: ResourceInformerSettings<T>): ResourceInformer<T> {
  const { logger, name } = settings;
  const informer = makeInformer<T>(settings.kubeConfig, settings.path, async () => {
    const list = await settings.list();
    synced = true;
    failures = 0;
    return list;
  }, settings.labelSelector);
  const baseDelay = settings.restartDelayMs ?? 500;
  const maxDelay = settings.maxRestartDelayMs ?? 30_000;
  let synced = false;
  let stopped = false;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  for (const verb of [ADD, UPDATE, DELETE] as const) informer.on(verb, (object) => settings.onChange(object));
  informer.on(ERROR, (error?: unknown) => {
    if (stopped) return;
    failures += 1;
    const delay = Math.min(maxDelay, baseDelay * 2 ** Math.min(failures - 1, 16));
    logger.warn({ informer: name, problem: describeApiError(error), retryInMs: delay }, 'watch failed; restarting the informer');
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      if (!stopped) void informer.start().catch(() => undefined);
    }, delay);
    restartTimer.unref();
  });
  void informer.start().catch(() => undefined);

  return {
    list: (namespace) => informer.list(namespace),
    get: (objectName, namespace) => informer.get(objectName, namespace),
    get synced() {
      return synced;
    },
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
