import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@parley/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { createOperatorApp } from '../src/app.js';
import { loadOperatorConfig } from '../src/config.js';
import { describeApiError, redactCredentials } from '../src/kube/api-errors.js';
import { loadKubeConfig } from '../src/kube/kube-clients.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from './support/fake-kube-api-server.js';
import { eventually, FAST_ENV, startOperator } from './support/operator-harness.js';

/** How the operator reaches the API server: the documented KUBE_API_URL mode and a service-account token file. */
describe('the operator connecting to the Kubernetes API server', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const fakeApi = async (): Promise<FakeKubeApiServer> => {
    const kube = await startFakeKubeApiServer();
    cleanups.push(() => kube.close());
    return kube;
  };

  it('works with KUBE_API_URL=http://… (kubectl proxy): it takes the Lease and reports ready', async () => {
    const kube = await fakeApi();
    expect(kube.url).toMatch(/^http:\/\//);
    const running = await startOperator(undefined, 'operator-a', { KUBE_API_URL: kube.url });
    cleanups.push(() => running.close());
    await eventually(async () => ((await fetch(`${running.baseUrl}/readyz`)).status === 200 ? true : undefined), 'readiness');
    expect(running.operator.elector.isLeader).toBe(true);
    // No credentials in this mode.
    expect(kube.requests.some((request) => request.path.includes('/leases'))).toBe(true);
    expect(kube.requests.every((request) => request.token === undefined)).toBe(true);
  });

  it('keeps verifying certificates when KUBE_API_URL is https://', () => {
    const config = loadKubeConfig('https://kubernetes.example:6443');
    expect(config.getCurrentCluster()).toMatchObject({ server: 'https://kubernetes.example:6443', skipTLSVerify: false });
    expect(loadKubeConfig('http://127.0.0.1:8001').getCurrentCluster()?.skipTLSVerify).toBe(true);
  });

  it('never logs its bearer token when the token file is malformed, and stays not ready', async () => {
    const kube = await fakeApi();
    const directory = mkdtempSync(join(tmpdir(), 'operator-token-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const tokenFile = join(directory, 'token');
    // A token file with a line break inside: the HTTP client refuses the header and quotes it.
    writeFileSync(tokenFile, 'sa-token-TOPSECRET\nsecond-half-TOPSECRET\n');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'api', server: kube.url, skipTLSVerify: true }],
      users: [{ name: 'sa', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
      contexts: [{ name: 'api', cluster: 'api', user: 'sa' }],
      currentContext: 'api',
    });
    const lines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const logger = createLogger({ service: 'operator', level: 'debug', destination });
    const config = loadOperatorConfig({ ...FAST_ENV, LOG_LEVEL: 'debug', POD_NAME: 'operator-a' });
    const operator = await createOperatorApp(config, { kubeConfig, logger });
    cleanups.push(() => operator.close());

    const warning = await eventually(() => lines.find((line) => line.includes('cannot reach the leader-election Lease')), 'the Lease warning');
    expect(warning).toContain('Bearer [redacted]');
    expect(lines.join('\n')).not.toContain('TOPSECRET');
    expect(operator.elector.apiReachable).toBe(false);
    expect(kube.requests).toEqual([]);
  });

  it('redacts credentials in every wording the HTTP clients use', () => {
    expect(redactCredentials('Bearer abc\ndef is not a legal HTTP header value')).toBe('Bearer [redacted] is not a legal HTTP header value');
    expect(redactCredentials('Headers.append: "Bearer a\u0001b c" is an invalid header value.')).toBe(
      'Headers.append: "Bearer [redacted]" is an invalid header value.',
    );
    expect(redactCredentials('Basic dXNlcjpwYXNz')).toBe('Basic [redacted]');
    expect(describeApiError(new TypeError('Bearer secret-token\n is not a legal HTTP header value'))).toBe('Bearer [redacted] is not a legal HTTP header value');
    expect(describeApiError(Object.assign(new Error('HTTP-Code: 403'), { code: 403, body: '{"message":"forbidden"}' }))).toBe('HTTP 403: forbidden');
  });
});
