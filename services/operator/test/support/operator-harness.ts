import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOperatorApp, type OperatorApp, type OperatorAppOptions } from '../../src/app.js';
import { loadOperatorConfig } from '../../src/config.js';
import type { FakeKubeApiServer } from './fake-kube-api-server.js';

/** Fast timings, so leases, polls and shed batches fit in a test. */
export const FAST_ENV: Record<string, string> = {
  LOG_LEVEL: 'silent',
  POD_NAMESPACE: 'chat',
  LEADER_ELECTION_LEASE_NAME: 'parley-operator',
  LEADER_ELECTION_LEASE_DURATION_MS: '2000',
  LEADER_ELECTION_RENEW_DEADLINE_MS: '1500',
  LEADER_ELECTION_RETRY_PERIOD_MS: '200',
  RESYNC_INTERVAL_MS: '2000',
  POLL_INTERVAL_MS: '200',
  POD_REQUEST_TIMEOUT_MS: '1000',
  SHED_BATCH_PAUSE_MS: '40',
};

export interface RunningOperator {
  operator: OperatorApp;
  /** Base URL of its HTTP server (/healthz, /readyz, /metrics). */
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the operator in-process against the fake API server, as replica `identity`. */
export async function startOperator(
  kube: FakeKubeApiServer | undefined,
  identity = 'operator-a',
  env: Record<string, string> = {},
  options: Omit<OperatorAppOptions, 'kubeConfig'> = {},
): Promise<RunningOperator> {
  const config = loadOperatorConfig({ ...FAST_ENV, POD_NAME: identity, ...env });
  const operator = await createOperatorApp(config, { ...options, ...(kube ? { kubeConfig: kube.kubeConfig(identity) } : {}) });
  const server: Server = createServer(operator.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed = false;
  return {
    operator,
    baseUrl,
    async close() {
      if (closed) return;
      closed = true;
      operator.markDraining();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await operator.close();
    },
  };
}

/** Polls `check` until it returns something other than undefined (or throws after the timeout). */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
