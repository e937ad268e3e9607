import { describe, expect, it } from 'vitest';
import type { Container } from '../src/kube-objects.js';
import type { PodNetwork } from '../src/pod-network.js';
import type { Podman } from '../src/podman.js';
import { probeOnce, probeUntilSuccess } from '../src/probes.js';

const network = (status: number) => ({ http: async () => ({ status, headers: {}, body: 'not ready' }) }) as unknown as PodNetwork;
const podman = (code: number) => ({ run: async () => ({ code, stdout: '', stderr: 'no' }) }) as unknown as Podman;
const container: Container = {
  name: 'auth',
  image: 'parley/auth:1',
  ports: [{ name: 'http', containerPort: 8081 }],
  startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 0, failureThreshold: 3 },
  readinessProbe: { exec: { command: ['true'] }, periodSeconds: 0 },
};
const running = async () => true;

describe('probes as the kubelet runs them', () => {
  it('passes an httpGet probe on 2xx and 3xx, fails it otherwise', async () => {
    expect(await probeOnce(podman(0), network(204), 'c', container, container.startupProbe ?? {})).toBeUndefined();
    expect(await probeOnce(podman(0), network(302), 'c', container, container.startupProbe ?? {})).toBeUndefined();
    expect(await probeOnce(podman(0), network(503), 'c', container, container.startupProbe ?? {})).toMatch(/HTTP 503/);
  });

  it('passes an exec probe only on exit 0', async () => {
    expect(await probeOnce(podman(0), network(200), 'c', container, container.readinessProbe ?? {})).toBeUndefined();
    expect(await probeOnce(podman(1), network(200), 'c', container, container.readinessProbe ?? {})).toMatch(/exit 1/);
  });

  it('gives up a startup probe after failureThreshold failures', async () => {
    await expect(probeUntilSuccess(podman(0), network(500), 'c', container, 'startupProbe', { readinessDeadlineMs: 60_000, running })).rejects.toThrow(/failed 3 times/);
  });

  it('gives up at once when the container stopped', async () => {
    await expect(
      probeUntilSuccess(podman(1), network(500), 'c', container, 'readinessProbe', { readinessDeadlineMs: 60_000, running: async () => false }),
    ).rejects.toThrow(/not running/);
  });
});
