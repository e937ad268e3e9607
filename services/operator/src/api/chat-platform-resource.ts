import type { KubernetesObject, V1ObjectMeta } from '@kubernetes/client-node';
import type { ChatPlatformStatus } from './chat-platform-status.js';

/** The ChatPlatform custom resource (CRD: charts/parley/crds/chatplatforms.parley.dev.yaml). */
export const CHAT_PLATFORM = {
  group: 'parley.dev',
  version: 'v1alpha1',
  plural: 'chatplatforms',
  kind: 'ChatPlatform',
  apiVersion: 'parley.dev/v1alpha1',
} as const;

/** The request parameters the CustomObjectsApi needs to address ChatPlatforms. */
export const CHAT_PLATFORM_API = { group: CHAT_PLATFORM.group, version: CHAT_PLATFORM.version, plural: CHAT_PLATFORM.plural } as const;

/** Annotation that forces a signing-key rotation; the operator removes it once the new key is published. */
export const ROTATE_NOW_ANNOTATION = 'parley.dev/rotate-now';

export interface ChatPlatform extends KubernetesObject {
  metadata: V1ObjectMeta & { name: string; namespace: string };
  /** Validated by `parseChatPlatformSpec`; the API server applied the CRD defaults already. */
  spec?: unknown;
  status?: ChatPlatformStatus;
}

/** `namespace/name`, the work queue key of a ChatPlatform. */
export const platformKey = (namespace: string, name: string) => `${namespace}/${name}`;

export function splitPlatformKey(key: string): { namespace: string; name: string } {
  const [namespace = '', name = ''] = key.split('/');
  return { namespace, name };
}
