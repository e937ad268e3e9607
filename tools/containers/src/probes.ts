import type { Container, Probe } from './kube-objects.js';
import type { Podman } from './podman.js';
import type { PodNetwork } from './pod-network.js';

export type ProbeKind = 'startupProbe' | 'readinessProbe' | 'livenessProbe';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function portOf(container: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  const named = container.ports?.find((candidate) => candidate.name === port);
  if (!named) throw new Error(`${container.name}: probe port "${port}" is not a named container port`);
  return named.containerPort;
}

export function describeProbe(container: Container, probe: Probe): string {
  if (probe.httpGet) return `httpGet :${portOf(container, probe.httpGet.port)}${probe.httpGet.path ?? '/'}`;
  if (probe.tcpSocket) return `tcpSocket :${portOf(container, probe.tcpSocket.port)}`;
  return `exec ${JSON.stringify(probe.exec?.command ?? [])}`;
}

/**
 * One attempt of a probe, as the kubelet runs it: httpGet succeeds on 200–399, exec on exit 0
 * inside the container, tcpSocket when the port accepts. Undefined on success, else why not.
 */
export async function probeOnce(podman: Podman, network: PodNetwork, containerId: string, container: Container, probe: Probe): Promise<string | undefined> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) {
      if ((probe.httpGet.scheme ?? 'HTTP') !== 'HTTP') return `scheme ${probe.httpGet.scheme} is not supported by the stand-in kubelet`;
      const answer = await network.http(portOf(container, probe.httpGet.port), probe.httpGet.path ?? '/', { timeoutMs });
      return answer.status >= 200 && answer.status < 400 ? undefined : `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
    }
    if (probe.tcpSocket) return (await network.tcpOpens(portOf(container, probe.tcpSocket.port), timeoutMs)) ? undefined : 'connection refused';
    if (probe.exec) {
      const result = await podman.run(['exec', containerId, ...probe.exec.command], { timeoutMs: timeoutMs + 2_000 });
      return result.code === 0 ? undefined : `exit ${result.code}: ${(result.stdout + result.stderr).trim().slice(-200)}`;
    }
    return 'the probe has no handler';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Repeats a probe every periodSeconds until it succeeds; gives up after failureThreshold
 * failures (a startup or liveness probe: the kubelet would restart the container) or, for
 * readiness, at `readinessDeadlineMs`. Also stops early when the container is no longer running.
 */
export async function probeUntilSuccess(
  podman: Podman,
  network: PodNetwork,
  containerId: string,
  container: Container,
  kind: ProbeKind,
  options: { readinessDeadlineMs: number; running: () => Promise<boolean> },
): Promise<{ attempts: number }> {
  const probe = container[kind];
  if (!probe) throw new Error(`${container.name} has no ${kind}`);
  const periodMs = (probe.periodSeconds ?? 10) * 1000;
  const threshold = probe.failureThreshold ?? 3;
  const deadline = kind === 'readinessProbe' ? Date.now() + options.readinessDeadlineMs : Number.POSITIVE_INFINITY;
  await sleep((probe.initialDelaySeconds ?? 0) * 1000);
  let failures = 0;
  let problem = '';
  for (;;) {
    const outcome = await probeOnce(podman, network, containerId, container, probe);
    if (outcome === undefined) return { attempts: failures + 1 };
    failures += 1;
    problem = outcome;
    if (!(await options.running())) throw new Error(`the container is not running (last probe: ${problem})`);
    if ((kind !== 'readinessProbe' && failures >= threshold) || Date.now() > deadline) {
      throw new Error(`failed ${failures} times (${problem})`);
    }
    await sleep(periodMs);
  }
}
