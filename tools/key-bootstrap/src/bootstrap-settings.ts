import { readFileSync } from 'node:fs';
import type { SigningKeySecretTarget } from './signing-key-secret.js';

const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export class BootstrapSettingsError extends Error {
  override name = 'BootstrapSettingsError';
}

const parseLabels = (name: string, text: string | undefined): Record<string, string> | undefined => {
  if (text === undefined || text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BootstrapSettingsError(`${name} must be a JSON object of strings`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BootstrapSettingsError(`${name} must be a JSON object of strings`);
  }
  const entries = Object.entries(parsed);
  if (!entries.every(([, value]) => typeof value === 'string')) {
    throw new BootstrapSettingsError(`${name} must be a JSON object of strings`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
};

/**
 * Where the Secret goes, from the environment the chart's hook job sets:
 * SIGNING_KEYS_SECRET (name, required), POD_NAMESPACE (else the service account's namespace
 * file), SIGNING_KEYS_SECRET_LABELS and SIGNING_KEYS_SECRET_ANNOTATIONS (JSON objects).
 */
export function readBootstrapSettings(
  env: Record<string, string | undefined> = process.env,
  readNamespaceFile: () => string = () => readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8'),
): SigningKeySecretTarget {
  const name = env.SIGNING_KEYS_SECRET?.trim();
  if (!name || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
    throw new BootstrapSettingsError('SIGNING_KEYS_SECRET must name a Secret (a DNS subdomain)');
  }
  let namespace = env.POD_NAMESPACE?.trim();
  if (!namespace) {
    try {
      namespace = readNamespaceFile().trim();
    } catch {
      throw new BootstrapSettingsError('POD_NAMESPACE is unset and no service-account namespace file exists');
    }
  }
  const labels = parseLabels('SIGNING_KEYS_SECRET_LABELS', env.SIGNING_KEYS_SECRET_LABELS);
  const annotations = parseLabels('SIGNING_KEYS_SECRET_ANNOTATIONS', env.SIGNING_KEYS_SECRET_ANNOTATIONS);
  return { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
}
