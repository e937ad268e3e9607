import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, chatPlatform, internalApiSecret, NAMESPACE, pod, putReadyDeployments, RELEASE } from './support/cluster-objects.js';
import { type FakeKubeApiServer, startFakeKubeApiServer } from './support/fake-kube-api-server.js';
import { type RecordingSocketAdminServer, startRecordingSocketAdminServer } from './support/pod-stand-ins.js';
import { eventually, type RunningOperator, sleep, startOperator } from './support/operator-harness.js';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

describe('socket rebalancing, with chat-socket pods stood in by recording admin servers', () => {
  let kube: FakeKubeApiServer;
  let running: RunningOperator | undefined;
  let pods: RecordingSocketAdminServer[] = [];

  beforeEach(async () => {
    kube = await startFakeKubeApiServer();
    kube.store.put(internalApiSecret());
    putReadyDeployments(kube.store, 3);
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await Promise.all(pods.map((server) => server.close()));
    pods = [];
    await kube.close();
  });

  /** Three chat-socket pods with these connection counts. */
  const startPods = async (counts: number[], token = ADMIN_TOKEN) => {
    pods = await Promise.all(counts.map((count) => startRecordingSocketAdminServer(count, token)));
    pods.forEach((server, index) => kube.store.put(pod('chat-socket', `${RELEASE}-chat-socket-${index}`, server.port)));
  };
  const shedTotal = () => pods.reduce((sum, server) => sum + server.shedRequests.reduce((total, request) => total + request.count, 0), 0);
  const balanced = () =>
    ((kube.store.find('chatplatforms', NAMESPACE, RELEASE)?.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find(
      (condition) => condition.type === 'Balanced',
    );
  const socketsStatus = () => (kube.store.find('chatplatforms', NAMESPACE, RELEASE)?.status as { sockets?: { total: number; pods: { pod: string; count: number }[] } })?.sockets;

  it('asks the busiest pod to shed its excess once the imbalance outlasts the window, in batches, within the per-minute budget', async () => {
    await startPods([300, 10, 10]);
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform({ rebalance: { window: '1s', maxShedPerMinute: 150, batchSize: 40 } }));
    const startedAt = Date.now();
    running = await startOperator(kube);

    const imbalanced = await eventually(() => (balanced()?.status === 'False' ? balanced() : undefined), 'Balanced=False');
    expect(imbalanced?.message).toContain(`${RELEASE}-chat-socket-0 holds 300 sockets`);
    await eventually(() => (pods[0]?.shedRequests.length ? true : undefined), 'a shed request', 5_000);
    expect((pods[0]?.shedRequests[0]?.atMs ?? 0) - startedAt).toBeGreaterThanOrEqual(1_000);

    // The excess over the mean is 193; the budget allows 150 a minute, sent as 40 + 40 + 40 + 30.
    await eventually(() => (shedTotal() >= 150 ? true : undefined), 'the whole budget to be shed', 5_000);
    await sleep(1_000);
    expect(pods[0]?.shedRequests.map((request) => request.count)).toEqual([40, 40, 40, 30]);
    expect(pods[1]?.shedRequests).toEqual([]);
    expect(pods[2]?.shedRequests).toEqual([]);
    expect(shedTotal()).toBe(150);
    expect(pods[0]?.authorizations.every((header) => header === `Bearer ${ADMIN_TOKEN}`)).toBe(true);
    // The pod is still above the threshold (150 vs a mean of 57), but the minute's budget is spent.
    expect(balanced()).toMatchObject({ status: 'False', reason: 'Imbalanced' });
    expect(balanced()?.message).toContain('shed budget (150) is spent');
    expect(socketsStatus()?.total).toBe(170);

    const metrics = await (await fetch(`${running.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/parley_operator_sockets_shed_total\{[^}]*\} 150/);
    expect(metrics).toMatch(/parley_operator_shed_requests_total\{[^}]*result="accepted"[^}]*\} 4/);
  }, 20_000);

  it('settles once shed clients reconnect to the other pods, and sheds nothing more', async () => {
    await startPods([300, 10, 10]);
    // Shed clients reconnect through the Service, landing on the other pods.
    const [busy, second, third] = pods as [RecordingSocketAdminServer, RecordingSocketAdminServer, RecordingSocketAdminServer];
    busy.onShed = (count) => {
      second.count += Math.ceil(count / 2);
      third.count += Math.floor(count / 2);
    };
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform({ rebalance: { window: '500ms', maxShedPerMinute: 1000, batchSize: 100 } }));
    running = await startOperator(kube);

    await eventually(() => (balanced()?.status === 'True' && shedTotal() > 0 ? true : undefined), 'Balanced=True after shedding', 8_000);
    expect(shedTotal()).toBe(193);
    expect(pods.map((server) => server.count)).toEqual([107, 107, 106]);
    const requestsSoFar = busy.shedRequests.length;
    await sleep(1_500);
    expect(busy.shedRequests.length).toBe(requestsSoFar);
    expect(balanced()).toMatchObject({ status: 'True', reason: 'Balanced' });
  }, 20_000);

  it('never sheds from a balanced set of pods', async () => {
    await startPods([100, 95, 110]);
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform({ rebalance: { window: '300ms' } }));
    running = await startOperator(kube);
    await eventually(() => (balanced()?.status === 'True' ? true : undefined), 'Balanced=True');
    await sleep(1_500);
    expect(shedTotal()).toBe(0);
    expect(socketsStatus()).toEqual({
      total: 305,
      pods: [
        { pod: `${RELEASE}-chat-socket-0`, count: 100 },
        { pod: `${RELEASE}-chat-socket-1`, count: 95 },
        { pod: `${RELEASE}-chat-socket-2`, count: 110 },
      ],
    });
  });

  it('does not shed for an imbalance shorter than the window', async () => {
    await startPods([300, 10, 10]);
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform({ rebalance: { window: '2s' } }));
    running = await startOperator(kube);
    await eventually(() => (balanced()?.reason === 'Imbalanced' ? true : undefined), 'the imbalance to be seen');
    expect(balanced()?.message).toContain('shedding starts when this lasts 2s');
    // The hot pod cools down by itself (clients left) before the window is over.
    (pods[0] as RecordingSocketAdminServer).count = 12;
    await eventually(() => (balanced()?.status === 'True' ? true : undefined), 'Balanced=True');
    await sleep(2_500);
    expect(shedTotal()).toBe(0);
  });

  it('reports an imbalance but never sheds when rebalancing is disabled', async () => {
    await startPods([300, 10, 10]);
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform({ rebalance: { enabled: false, window: '100ms' } }));
    running = await startOperator(kube);
    const condition = await eventually(() => (balanced()?.status === 'False' ? balanced() : undefined), 'Balanced=False');
    expect(condition?.reason).toBe('ImbalancedNotActing');
    await sleep(800);
    expect(shedTotal()).toBe(0);
  });

  it('leaves pods alone and reports Balanced=Unknown when the admin token is wrong', async () => {
    await startPods([300, 10, 10], 'a-different-admin-token-000000');
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform({ rebalance: { window: '100ms' } }));
    running = await startOperator(kube);
    const condition = await eventually(() => (balanced()?.status === 'Unknown' ? balanced() : undefined), 'Balanced=Unknown');
    expect(condition).toMatchObject({ reason: 'SocketCountsUnavailable', message: 'no chat-socket pod answered its socket count' });
    const degraded = ((kube.store.find('chatplatforms', NAMESPACE, RELEASE)?.status as { conditions: Condition[] }).conditions).find((candidate) => candidate.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'ReconcileError' });
    expect(degraded?.message).toContain('answered 401');
    expect(shedTotal()).toBe(0);
  });

  it('counts only ready pods', async () => {
    await startPods([300, 10, 10]);
    kube.store.put(pod('chat-socket', `${RELEASE}-chat-socket-1`, pods[1]?.port ?? 0, false));
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform({ rebalance: { window: '100ms' } }));
    running = await startOperator(kube);
    const sockets = await eventually(() => (socketsStatus()?.pods.length === 2 ? socketsStatus() : undefined), 'two counted pods');
    expect(sockets?.pods.map((entry) => entry.pod)).toEqual([`${RELEASE}-chat-socket-0`, `${RELEASE}-chat-socket-2`]);
  });
});
