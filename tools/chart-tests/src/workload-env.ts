import { findObject, type Container, type K8sObject, podSpecOf } from './manifests.js';

/** Where a container's variable comes from, as rendered. */
export type EnvSource =
  | { kind: 'value'; value: string }
  | { kind: 'configMap'; name: string; key: string }
  | { kind: 'secret'; name: string; key: string }
  | { kind: 'field'; fieldPath: string };

/** Every variable one container of a workload receives, with its source (env wins over envFrom). */
export function containerEnvSources(objects: K8sObject[], workload: K8sObject, containerName?: string): Map<string, EnvSource> {
  const pod = podSpecOf(workload);
  if (!pod) throw new Error(`${workload.kind}/${workload.metadata.name} has no pod template`);
  const container: Container | undefined = containerName ? pod.containers.find((candidate) => candidate.name === containerName) : pod.containers[0];
  if (!container) throw new Error(`${workload.kind}/${workload.metadata.name} has no container ${containerName ?? ''}`);
  const sources = new Map<string, EnvSource>();
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) {
      const configMap = findObject(objects, 'ConfigMap', from.configMapRef.name);
      for (const [key, value] of Object.entries((configMap.data as Record<string, string> | undefined) ?? {})) {
        sources.set(key, { kind: 'value', value });
      }
    }
    if (from.secretRef) throw new Error('envFrom secretRef is not used by this chart');
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) sources.set(entry.name, { kind: 'value', value: entry.value });
    else if (entry.valueFrom?.secretKeyRef) sources.set(entry.name, { kind: 'secret', ...entry.valueFrom.secretKeyRef });
    else if (entry.valueFrom?.configMapKeyRef) sources.set(entry.name, { kind: 'configMap', ...entry.valueFrom.configMapKeyRef });
    else if (entry.valueFrom?.fieldRef) sources.set(entry.name, { kind: 'field', fieldPath: entry.valueFrom.fieldRef.fieldPath });
    else sources.set(entry.name, { kind: 'value', value: '' });
  }
  return sources;
}

/**
 * The environment as a process would see it: plain values and ConfigMap keys as rendered,
 * Secret keys from rendered Secrets when the chart generates them (undefined otherwise).
 */
export function resolveEnv(objects: K8sObject[], sources: Map<string, EnvSource>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [name, source] of sources) {
    if (source.kind === 'value') env[name] = source.value;
    else if (source.kind === 'configMap') {
      const configMap = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === source.name);
      env[name] = (configMap?.data as Record<string, string> | undefined)?.[source.key];
    } else if (source.kind === 'secret') {
      const secret = objects.find((object) => object.kind === 'Secret' && object.metadata.name === source.name);
      const encoded = (secret?.data as Record<string, string> | undefined)?.[source.key];
      env[name] = encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
    } else env[name] = undefined;
  }
  return env;
}
