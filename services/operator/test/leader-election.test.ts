import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatPlatform, internalApiSecret, NAMESPACE, putReadyDeployments } from './support/cluster-objects.js';
import { type FakeKubeApiServer, startFakeKubeApiServer } from './support/fake-kube-api-server.js';
import { eventually, type RunningOperator, sleep, startOperator } from './support/operator-harness.js';

describe('leader election on a Lease', () => {
  let kube: FakeKubeApiServer;
  let replicas: RunningOperator[] = [];
  let sampler: NodeJS.Timeout | undefined;
  let bothLeading = 0;

  beforeEach(async () => {
    kube = await startFakeKubeApiServer();
    kube.store.put(internalApiSecret());
    putReadyDeployments(kube.store);
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform());
    bothLeading = 0;
  });
  afterEach(async () => {
    clearInterval(sampler);
    await Promise.all(replicas.map((replica) => replica.close()));
    replicas = [];
    await kube.close();
  });

  const lease = () => kube.store.find('leases', NAMESPACE, 'parley-operator');
  const holder = () => (lease()?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
  /** Watches, every 10 ms, that the two replicas never lead at the same time. */
  const watchForOverlap = () => {
    sampler = setInterval(() => {
      if (replicas.filter((replica) => replica.operator.elector.isLeader).length > 1) bothLeading += 1;
    }, 10);
  };
  const writesBy = (token: string) => kube.requests.filter((request) => request.token === token && request.method !== 'GET' && !request.path.includes('/leases'));

  it('lets exactly one of two replicas act, and the other take over when the leader\'s lease lapses', async () => {
    const lost: string[] = [];
    replicas = [
      await startOperator(kube, 'operator-a', {}, { onLeadershipLost: () => lost.push('operator-a') }),
      await startOperator(kube, 'operator-b', {}, { onLeadershipLost: () => lost.push('operator-b') }),
    ];
    watchForOverlap();
    const first = await eventually(() => replicas.find((replica) => replica.operator.elector.isLeader), 'a leader');
    const second = replicas.find((replica) => replica !== first) as RunningOperator;
    expect(holder()).toBe(first.operator.identity);
    await eventually(() => kube.store.find('secrets', NAMESPACE, 'parley-signing-keys'), 'the leader to create the keys');
    await sleep(600);
    expect(second.operator.elector.isLeader).toBe(false);
    expect(second.operator.controller).toBeUndefined();
    expect(writesBy(second.operator.identity)).toEqual([]);
    // Both can reach the API server, so both are ready (the follower stands by).
    expect((await fetch(`${second.baseUrl}/readyz`)).status).toBe(200);

    // The leader is cut off from the API server: it cannot renew, so it stops acting after the
    // renew deadline, and the other replica takes over once the lease has lapsed.
    const cutAt = Date.now();
    kube.denyToken(first.operator.identity);
    await eventually(() => (first.operator.elector.isLeader ? undefined : true), 'the old leader to stop', 5_000);
    const stoppedAfter = Date.now() - cutAt;
    await eventually(() => (second.operator.elector.isLeader ? true : undefined), 'the takeover', 5_000);
    const tookOverAfter = Date.now() - cutAt;
    expect(holder()).toBe(second.operator.identity);
    expect(stoppedAfter).toBeLessThan(tookOverAfter);
    expect((lease()?.spec as { leaseTransitions?: number }).leaseTransitions).toBe(1);
    expect(bothLeading).toBe(0);
    // The process is told, so it can exit (main.ts does) rather than keep a hung request alive.
    expect(lost).toEqual([first.operator.identity]);

    // The new leader reconciles: it writes the status.
    const before = writesBy(second.operator.identity).length;
    kube.store.patch('chatplatforms', NAMESPACE, 'parley', { metadata: { annotations: { 'parley.dev/rotate-now': 'after-takeover' } } }, 'application/merge-patch+json');
    await eventually(() => (writesBy(second.operator.identity).length > before ? true : undefined), 'the new leader to act');
    // The cut-off replica reports not ready (no API server), while the new leader is ready.
    expect((await fetch(`${first.baseUrl}/readyz`)).status).toBe(503);
    expect((await fetch(`${second.baseUrl}/readyz`)).status).toBe(200);
  }, 20_000);

  it('hands over at once when the leader shuts down and releases the lease', async () => {
    const lostOnClose: string[] = [];
    replicas = [await startOperator(kube, 'operator-a', {}, { onLeadershipLost: () => lostOnClose.push('operator-a') })];
    await eventually(() => (replicas[0]?.operator.elector.isLeader ? true : undefined), 'a leader');
    replicas.push(await startOperator(kube, 'operator-b', { LEADER_ELECTION_LEASE_DURATION_MS: '60000', LEADER_ELECTION_RENEW_DEADLINE_MS: '1500' }));
    watchForOverlap();
    await sleep(400);
    expect(replicas[1]?.operator.elector.isLeader).toBe(false);
    await replicas[0]?.close();
    expect(holder()).toBe('');
    expect(lostOnClose).toEqual([]);
    // Without the release, operator-b would wait out its 60 s lease duration.
    await eventually(() => (replicas[1]?.operator.elector.isLeader ? true : undefined), 'the takeover', 3_000);
    expect(bothLeading).toBe(0);
  });
});
