import { readFileSync } from 'node:fs';
import { configSchema } from './config.js';
import type { SigningKeySecretTarget } from './signing-key-secret.js';

const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export class BootstrapSettingsError extends Error {
  override name = 'BootstrapSettingsError';
}

/**
 * Where the Secret goes, from the environment the chart's hook Job sets (see configSchema):
 * the namespace falls back to the service account's namespace file.
 */
export function readBootstrapSettings(
  env: Record<string, string | undefined> = process.env,
  readNamespaceFile: () => string = () => readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8'),
): SigningKeySecretTarget {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new BootstrapSettingsError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  const config = parsed.data;
  let namespace = config.POD_NAMESPACE?.trim();
  if (!namespace) {
    try {
      namespace = readNamespaceFile().trim();
    } catch {
      throw new BootstrapSettingsError('POD_NAMESPACE is unset and no service-account namespace file exists');
    }
  }
  return {
    name: config.SIGNING_KEYS_SECRET,
    namespace,
    ...(config.SIGNING_KEYS_SECRET_LABELS ? { labels: config.SIGNING_KEYS_SECRET_LABELS } : {}),
    ...(config.SIGNING_KEYS_SECRET_ANNOTATIONS ? { annotations: config.SIGNING_KEYS_SECRET_ANNOTATIONS } : {}),
  };
}
