import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorApp, type OperatorApp } from '../src/app.js';
import { CHAT_PLATFORM_API } from '../src/api/chat-platform-resource.js';
import { loadOperatorConfig } from '../src/config.js';
import { eventually } from './support/operator-harness.js';

const CRD_FILE = fileURLToPath(new URL('../../../charts/parley/crds/chatplatforms.parley.dev.yaml', import.meta.url));
const statusOf = (error: unknown) => (error as { code?: number }).code;

/**
 * Opt-in end-to-end run against a REAL cluster: set KUBECONFIG (kind, minikube, ...) and run
 * `npx vitest run services/operator/test/real-cluster.e2e.test.ts`. It installs the CRD if it
 * is missing, works in a throwaway namespace it deletes afterwards, and runs the operator
 * in-process with the kubeconfig's credentials (which need rights on that namespace and on
 * CustomResourceDefinitions). Without KUBECONFIG the suite is skipped.
 */
describe.runIf(Boolean(process.env.KUBECONFIG))('against the cluster in KUBECONFIG (skipped unless KUBECONFIG is set)', () => {
  const namespace = `parley-operator-e2e-${randomBytes(3).toString('hex')}`;
  const kubeConfig = new KubeConfig();
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let operator: OperatorApp | undefined;

  beforeAll(async () => {
    kubeConfig.loadFromDefault();
    core = kubeConfig.makeApiClient(CoreV1Api);
    custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const crd = parse(readFileSync(CRD_FILE, 'utf8')) as V1CustomResourceDefinition;
    try {
      await kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: crd });
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // the new kind becomes servable
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const config = loadOperatorConfig({ LOG_LEVEL: 'warn', POD_NAMESPACE: namespace, POD_NAME: 'e2e-operator', POLL_INTERVAL_MS: '1000' });
    operator = await createOperatorApp(config, { kubeConfig });
  }, 60_000);

  afterAll(async () => {
    await operator?.close();
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  const readSecret = () => core.readNamespacedSecret({ name: 'e2e-signing-keys', namespace }).catch(() => undefined);

  it('creates the signing keys, reports status, rotates on request and cleans up with the ChatPlatform', async () => {
    await custom.createNamespacedCustomObject({
      ...CHAT_PLATFORM_API,
      namespace,
      body: {
        apiVersion: 'parley.dev/v1alpha1',
        kind: 'ChatPlatform',
        metadata: { name: 'e2e' },
        spec: {
          selector: { matchLabels: { 'app.kubernetes.io/instance': 'e2e' } },
          auth: { signingKeys: { secretName: 'e2e-signing-keys' }, keyRotation: { publishAhead: '30s' } },
        },
      },
    });
    const secret = await eventually(readSecret, 'the signing-key Secret', 60_000);
    expect(Object.keys(secret.data ?? {})).toHaveLength(1);
    const platform = await eventually(async () => {
      const current = (await custom.getNamespacedCustomObject({ ...CHAT_PLATFORM_API, namespace, name: 'e2e' })) as {
        spec: { auth: { keyRotation: { interval: string } } };
        status?: { conditions?: { type: string; status: string }[] };
      };
      return current.status?.conditions?.some((condition) => condition.type === 'KeysReady' && condition.status === 'True') ? current : undefined;
    }, 'KeysReady=True', 60_000);
    expect(platform.spec.auth.keyRotation.interval).toBe('30d'); // the CRD default, applied by the API server

    await custom.patchNamespacedCustomObject({
      ...CHAT_PLATFORM_API,
      namespace,
      name: 'e2e',
      body: [{ op: 'add', path: '/metadata/annotations', value: { 'parley.dev/rotate-now': 'e2e' } }],
    });
    await eventually(async () => (Object.keys((await readSecret())?.data ?? {}).length === 2 ? true : undefined), 'the next key', 60_000);

    await custom.deleteNamespacedCustomObject({ ...CHAT_PLATFORM_API, namespace, name: 'e2e' });
    await eventually(async () => ((await readSecret()) === undefined ? true : undefined), 'garbage collection of the Secret', 60_000);
  }, 240_000);
});
