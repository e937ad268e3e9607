import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { createSigningKeyJwk, encodeSigningKeyFile, signingKeyFileName, type PrivateSigningKeyJwk } from '@parley/signing-keys';

/** Secret `data` for one key: the file `<kid>.json`, base64-encoded as the API expects. */
export function signingKeySecretData(jwk: PrivateSigningKeyJwk): Record<string, string> {
  return { [signingKeyFileName(jwk.kid)]: Buffer.from(encodeSigningKeyFile(jwk)).toString('base64') };
}

export interface SigningKeySecretTarget {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type EnsureOutcome = { outcome: 'created'; kid: string } | { outcome: 'exists' };

/** The two calls this tool makes, so callers may pass a CoreV1Api or anything shaped like it. */
export type SecretApi = Pick<CoreV1Api, 'readNamespacedSecret' | 'createNamespacedSecret'>;

const statusOf = (error: unknown): number | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
};

/**
 * Creates the signing-key Secret with one new ES256 key unless it already exists. An existing
 * Secret is never modified: keys are rotated by the operator (issue #6) or by hand, and a
 * second pod racing us (409 on create) counts as "exists".
 */
export async function ensureSigningKeySecret(api: SecretApi, target: SigningKeySecretTarget): Promise<EnsureOutcome> {
  try {
    await api.readNamespacedSecret({ name: target.name, namespace: target.namespace });
    return { outcome: 'exists' };
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  const jwk = await createSigningKeyJwk();
  const body: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: target.name,
      namespace: target.namespace,
      ...(target.labels ? { labels: target.labels } : {}),
      ...(target.annotations ? { annotations: target.annotations } : {}),
    },
    data: signingKeySecretData(jwk),
  };
  try {
    await api.createNamespacedSecret({ namespace: target.namespace, body });
  } catch (error) {
    if (statusOf(error) === 409) return { outcome: 'exists' };
    throw error;
  }
  return { outcome: 'created', kid: jwk.kid };
}
