import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { BootstrapSettingsError, readBootstrapSettings } from './bootstrap-settings.js';
import { ensureSigningKeySecret } from './signing-key-secret.js';

/**
 * The chart's pre-install/pre-upgrade hook: creates the auth signing-key Secret (one ES256
 * private JWK) when it is missing, so no private key ever passes through values or the Helm
 * release history. Uses the pod's service account (in-cluster) or the local kubeconfig.
 */
async function main(): Promise<number> {
  let target;
  try {
    target = readBootstrapSettings();
  } catch (error) {
    if (!(error instanceof BootstrapSettingsError)) throw error;
    console.error(`key-bootstrap: ${error.message}`);
    return 2;
  }
  const config = new KubeConfig();
  config.loadFromDefault();
  const api = config.makeApiClient(CoreV1Api);
  try {
    const result = await ensureSigningKeySecret(api, target);
    const log =
      result.outcome === 'created'
        ? { msg: 'signing-key Secret created', kid: result.kid }
        : { msg: 'signing-key Secret already exists; left unchanged' };
    console.log(JSON.stringify({ level: 'info', service: 'key-bootstrap', secret: `${target.namespace}/${target.name}`, ...log }));
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(JSON.stringify({ level: 'error', service: 'key-bootstrap', secret: `${target.namespace}/${target.name}`, msg: message }));
    return 1;
  }
}

process.exitCode = await main();
