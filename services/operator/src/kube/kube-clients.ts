import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';

/** The API groups the operator talks to, all from one KubeConfig. */
export interface KubeClients {
  config: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  coordination: CoordinationV1Api;
}

export function createKubeClients(config: KubeConfig): KubeClients {
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    coordination: config.makeApiClient(CoordinationV1Api),
  };
}

/**
 * Where the API server is: KUBE_API_URL (no credentials, e.g. `kubectl proxy`), else the
 * client's defaults (KUBECONFIG, ~/.kube/config, the in-cluster service account).
 */
export function loadKubeConfig(apiUrl?: string): KubeConfig {
  const config = new KubeConfig();
  if (apiUrl) {
    config.loadFromOptions({
      // The client refuses an http:// server unless skipTLSVerify is set (there is no TLS to
      // verify); an https:// URL keeps certificate verification.
      clusters: [{ name: 'api', server: apiUrl, skipTLSVerify: new URL(apiUrl).protocol === 'http:' }],
      users: [{ name: 'anonymous' }],
      contexts: [{ name: 'api', cluster: 'api', user: 'anonymous' }],
      currentContext: 'api',
    });
  } else {
    config.loadFromDefault();
  }
  return config;
}

const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** POD_NAMESPACE, else the service account's namespace file, else the kubeconfig context's, else `default`. */
export function resolveOwnNamespace(configured: string | undefined, config: KubeConfig): string {
  if (configured) return configured;
  try {
    const fromFile = readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8').trim();
    if (fromFile) return fromFile;
  } catch {
    // not in a pod
  }
  const context = config.getContextObject(config.getCurrentContext());
  return context?.namespace || 'default';
}

export const resolveIdentity = (configured: string | undefined) => configured ?? hostname();
