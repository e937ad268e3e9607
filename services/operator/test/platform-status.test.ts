import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatPlatform, deployment, internalApiSecret, NAMESPACE, pod, RELEASE } from './support/cluster-objects.js';
import { type FakeKubeApiServer, startFakeKubeApiServer } from './support/fake-kube-api-server.js';
import { startWorkerMetricsStandIn, type WorkerMetricsStandIn } from './support/pod-stand-ins.js';
import { eventually, type RunningOperator, startOperator } from './support/operator-harness.js';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration: number;
  lastTransitionTime: string;
}
interface Status {
  observedGeneration?: number;
  conditions?: Condition[];
  components?: Record<string, { replicas: number; readyReplicas: number }>;
  readyComponents?: string;
  queue?: { waiting: number; queues: Record<string, { waiting: number; active: number; delayed: number; failed: number }> };
}

describe('ChatPlatform status', () => {
  let kube: FakeKubeApiServer;
  let running: RunningOperator | undefined;
  let worker: WorkerMetricsStandIn | undefined;

  beforeEach(async () => {
    kube = await startFakeKubeApiServer();
    kube.store.put(internalApiSecret());
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await worker?.close();
    worker = undefined;
    await kube.close();
  });

  const status = () => kube.store.find('chatplatforms', NAMESPACE, RELEASE)?.status as Status | undefined;
  const condition = (type: string) => status()?.conditions?.find((candidate) => candidate.type === type);
  const conditionIs = (type: string, value: string, reason?: string) =>
    eventually(() => {
      const found = condition(type);
      return found?.status === value && (!reason || found.reason === reason) ? found : undefined;
    }, `${type}=${value}${reason ? ` (${reason})` : ''}`);

  it('moves the conditions as the components come up, roll out and fail', async () => {
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform());
    running = await startOperator(kube);

    // Nothing deployed yet: not ready, degraded, but the keys are there.
    const missing = await conditionIs('Ready', 'False', 'ComponentMissing');
    expect(missing.message).toContain('auth has no Deployment');
    await conditionIs('KeysReady', 'True', 'SigningKeyActive');
    expect(condition('Degraded')).toMatchObject({ status: 'True', reason: 'ComponentUnavailable' });

    // Deployments created, pods starting.
    for (const component of ['auth', 'user', 'chat-socket', 'persistence-worker']) kube.store.put(deployment(component, 2, 0, 2));
    const unavailable = await conditionIs('Ready', 'False', 'ComponentUnavailable');
    expect(unavailable.message).toContain('auth has no ready pod');
    expect(condition('Progressing')).toMatchObject({ status: 'True', reason: 'ComponentsUpdating' });

    // One ready pod each: serving, still progressing.
    for (const component of ['auth', 'user', 'chat-socket', 'persistence-worker']) kube.store.put(deployment(component, 2, 1, 2));
    const ready = await conditionIs('Ready', 'True', 'PlatformReady');
    expect(condition('Progressing')?.status).toBe('True');
    expect(condition('Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected' });
    expect(status()?.readyComponents).toBe('0/4');

    // Fully rolled out.
    for (const component of ['auth', 'user', 'chat-socket', 'persistence-worker']) kube.store.put(deployment(component, 2, 2, 2));
    await conditionIs('Progressing', 'False', 'Stable');
    expect(status()?.readyComponents).toBe('4/4');
    expect(status()?.components?.auth).toEqual({ replicas: 2, readyReplicas: 2, updatedReplicas: 2 });
    expect(condition('Ready')?.lastTransitionTime).toBe(ready.lastTransitionTime);

    // The worker loses every pod.
    kube.store.put(deployment('persistence-worker', 2, 0, 2));
    const lost = await conditionIs('Ready', 'False', 'ComponentUnavailable');
    expect(lost.message).toBe('persistence-worker has no ready pod');
    expect(condition('Degraded')).toMatchObject({ status: 'True', reason: 'ComponentUnavailable' });
  });

  it('keeps up after the API server drops every watch and compacts its history (informers relist on 410 Gone)', async () => {
    for (const component of ['auth', 'user', 'chat-socket', 'persistence-worker']) kube.store.put(deployment(component, 1, 1, 1));
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform());
    running = await startOperator(kube, 'operator-a', { RESYNC_INTERVAL_MS: '60000', POLL_INTERVAL_MS: '60000' });
    await conditionIs('Ready', 'True');
    const watchesBefore = kube.requests.filter((request) => request.query.includes('watch=true')).length;
    const deploymentLists = () => kube.requests.filter((request) => request.path.endsWith('/deployments') && !request.query.includes('watch=true')).length;
    const listsBefore = deploymentLists();

    kube.store.compact();
    kube.dropWatches();
    kube.store.put(deployment('user', 1, 0, 1));
    // Only a watch event can bring this news (resync and polling are a minute away).
    await conditionIs('Ready', 'False', 'ComponentUnavailable');
    expect(kube.requests.filter((request) => request.query.includes('watch=true')).length).toBeGreaterThan(watchesBefore);
    expect(deploymentLists()).toBe(listsBefore + 1); // the relist after 410 Gone
  });

  it('stamps observedGeneration and reports an invalid spec', async () => {
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform());
    running = await startOperator(kube);
    await eventually(() => (status()?.observedGeneration === 1 ? true : undefined), 'observedGeneration 1');
    expect(status()?.conditions?.every((entry) => entry.observedGeneration === 1)).toBe(true);

    kube.store.patch('chatplatforms', NAMESPACE, RELEASE, { spec: { auth: { keyRotation: { interval: '5m', publishAhead: '10m' } } } }, 'application/merge-patch+json');
    const invalid = await conditionIs('Ready', 'False', 'InvalidSpec');
    expect(invalid.message).toContain('interval: must be longer than spec.auth.keyRotation.publishAhead');
    expect(invalid.observedGeneration).toBe(2);
    expect(status()?.observedGeneration).toBe(2);
  });

  it('reports queue depths read from parley_queue_jobs on a worker pod\'s metrics port (not its http port)', async () => {
    worker = await startWorkerMetricsStandIn({ messages: 12, notifications: 3, mail: 0 });
    // The http port leads nowhere: /metrics lives only on the admin port named `metrics`.
    kube.store.put(pod('persistence-worker', `${RELEASE}-persistence-worker-0`, 1, true, worker.port));
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform());
    running = await startOperator(kube);
    const queue = await eventually(() => status()?.queue, 'status.queue');
    expect(queue).toEqual({
      waiting: 15,
      queues: {
        messages: { waiting: 12, active: 1, delayed: 0, failed: 2 },
        notifications: { waiting: 3, active: 1, delayed: 0, failed: 2 },
        mail: { waiting: 0, active: 1, delayed: 0, failed: 2 },
      },
    });
    worker.waiting.messages = 40;
    await eventually(() => (status()?.queue?.waiting === 43 ? true : undefined), 'the new queue depth');
  });

  it('writes status through the status subresource with a JSON patch, and only when it changed', async () => {
    for (const component of ['auth', 'user', 'chat-socket', 'persistence-worker']) kube.store.put(deployment(component, 1, 1, 1));
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform({ adminTokenSecretRef: null }));
    running = await startOperator(kube);
    await conditionIs('Ready', 'True');
    const statusWrites = () => kube.requests.filter((request) => request.method === 'PATCH' && request.path.endsWith('/status'));
    const writes = statusWrites().length;
    expect(statusWrites()[0]?.contentType).toBe('application/json-patch+json');
    // Several polls later, nothing changed, nothing written.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(statusWrites().length).toBe(writes);
    expect(condition('Balanced')).toMatchObject({ status: 'Unknown', reason: 'SocketCountsUnavailable' });
  });
});
