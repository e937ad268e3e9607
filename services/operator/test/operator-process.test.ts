import { describe, expect, it } from 'vitest';
import { loadOperatorConfig } from '../src/config.js';
import { startFakeKubeApiServer } from './support/fake-kube-api-server.js';
import { eventually, startOperator } from './support/operator-harness.js';

describe('the operator process', () => {
  it('starts without an API server: alive, not ready, and ready once the API server is reachable', async () => {
    const kube = await startFakeKubeApiServer();
    kube.denyToken('operator-a');
    const running = await startOperator(kube, 'operator-a');
    try {
      expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const notReady = await fetch(`${running.baseUrl}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ checks: { kubernetesApi: 'failed: the Kubernetes API server is not reachable' } });

      kube.allowToken('operator-a');
      await eventually(async () => ((await fetch(`${running.baseUrl}/readyz`)).status === 200 ? true : undefined), 'readiness');
      expect(running.operator.elector.isLeader).toBe(true);
    } finally {
      await running.close();
      await kube.close();
    }
  });

  it('serves its own metrics: reconciles, errors, durations, rotations, sheds and leadership', async () => {
    const kube = await startFakeKubeApiServer();
    const running = await startOperator(kube, 'operator-a');
    try {
      await eventually(() => (running.operator.elector.isLeader ? true : undefined), 'leadership');
      const text = await (await fetch(`${running.baseUrl}/metrics`)).text();
      for (const name of [
        'parley_operator_reconciles_total',
        'parley_operator_reconcile_errors_total',
        'parley_operator_reconcile_duration_seconds',
        'parley_operator_key_rotations_total',
        'parley_operator_shed_requests_total',
        'parley_operator_sockets_shed_total',
      ]) {
        expect(text).toContain(`# TYPE ${name}`);
      }
      expect(text).toMatch(/parley_operator_leader\{service="operator"\} 1/);
      expect((await fetch(`${running.baseUrl}/nothing-here`)).status).toBe(404);
    } finally {
      await running.close();
      await kube.close();
    }
  });

  it('rejects leader-election timings that would let two replicas act at once', () => {
    expect(() => loadOperatorConfig({ LEADER_ELECTION_LEASE_DURATION_MS: '5000', LEADER_ELECTION_RENEW_DEADLINE_MS: '5000' })).toThrow(
      /LEADER_ELECTION_RENEW_DEADLINE_MS: must be below LEADER_ELECTION_LEASE_DURATION_MS/,
    );
    expect(() => loadOperatorConfig({ WATCH_NAMESPACE: 'Not A Namespace' })).toThrow(/WATCH_NAMESPACE/);
  });
});
