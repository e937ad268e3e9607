import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, loosely typed: callers narrow what they read. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export interface Probe {
  httpGet?: { path?: string; port: number | string; scheme?: string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { resource: string };
  };
}

export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  fsGroup?: number;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }[];
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface Volume {
  name: string;
  emptyDir?: Record<string, unknown>;
  secret?: { secretName: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  configMap?: { name: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  projected?: unknown;
  persistentVolumeClaim?: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  securityContext?: SecurityContext;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  restartPolicy?: string;
}

export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  // YAML 1.1, as Kubernetes reads manifests: `defaultMode: 0440` is octal there.
  for (const document of parseAllDocuments(text, { version: '1.1' })) {
    if (document.errors.length > 0) throw new Error(`invalid YAML in the rendered chart: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    const object = value as KubeObject;
    if (typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') throw new Error('a rendered object lacks kind or metadata.name');
    objects.push(object);
  }
  return objects;
}

/** The pod template of a Deployment, StatefulSet or Job. */
export function podTemplateOf(object: KubeObject): { labels: Record<string, string>; spec: PodSpec } | undefined {
  const spec = object.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } } | undefined;
  if (!spec?.template?.spec) return undefined;
  return { labels: spec.template.metadata?.labels ?? {}, spec: spec.template.spec };
}

export const hookOf = (object: KubeObject) => object.metadata.annotations?.['helm.sh/hook'];
export const hookWeightOf = (object: KubeObject) => Number(object.metadata.annotations?.['helm.sh/hook-weight'] ?? '0');

/** Data of a Secret (base64 `data` and plain `stringData`) or a ConfigMap, as bytes. */
export function objectData(object: KubeObject): Map<string, Buffer> {
  const data = new Map<string, Buffer>();
  const encoded = (object.data as Record<string, string> | undefined) ?? {};
  for (const [key, value] of Object.entries(encoded)) data.set(key, object.kind === 'Secret' ? Buffer.from(value, 'base64') : Buffer.from(value, 'utf8'));
  for (const [key, value] of Object.entries((object.stringData as Record<string, string> | undefined) ?? {})) data.set(key, Buffer.from(value, 'utf8'));
  for (const [key, value] of Object.entries((object.binaryData as Record<string, string> | undefined) ?? {})) data.set(key, Buffer.from(value, 'base64'));
  return data;
}
