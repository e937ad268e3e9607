import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, EnvVar, PodSpec, SecurityContext, Volume } from './kube-objects.js';
import type { Podman } from './podman.js';
import { writeAtomicVolume } from './pod-volumes.js';

/** What the kubelet stand-in reads from the cluster: Secrets, ConfigMaps, service account tokens. */
export interface ClusterSources {
  namespace: string;
  secret(name: string): Map<string, Buffer> | undefined;
  configMap(name: string): Map<string, Buffer> | undefined;
  serviceAccountToken(serviceAccount: string): string;
  caCertificate: string;
  apiServerPort: number;
}

export interface PodToRun {
  /** The pod's name (Deployment `parley-auth` → `parley-auth-0`). */
  name: string;
  labels: Record<string, string>;
  spec: PodSpec;
}

export class PodNotReadyToStart extends Error {}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** `$(VAR)` references in env values, command and args, as the kubelet expands them. */
const expand = (text: string, env: Record<string, string>) => text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);

/**
 * A kubelet stand-in: runs a rendered pod's containers with `podman run --pod`, with the
 * pod's env and envFrom, Secret, ConfigMap and emptyDir volumes, the service account token,
 * and its security context (user, group, read-only root filesystem, capabilities,
 * no privilege escalation, runAsNonRoot refused for images that would run as root).
 */
export class PodRunner {
  private readonly imageUsers = new Map<string, string>();

  constructor(
    private readonly podman: Podman,
    private readonly dir: string,
    private readonly pod: string,
    private readonly hostsFile: string,
    private readonly sources: ClusterSources,
  ) {}

  containerName(pod: PodToRun, container: Container): string {
    return `${pod.name}-${container.name}`;
  }

  private resolveEnv(pod: PodToRun, container: Container): Record<string, string> {
    const env: Record<string, string> = {};
    const fail = (what: string) => {
      throw new PodNotReadyToStart(`${pod.name}/${container.name}: ${what}`);
    };
    for (const from of container.envFrom ?? []) {
      const ref = from.configMapRef ?? from.secretRef;
      if (!ref) continue;
      const data = from.configMapRef ? this.sources.configMap(ref.name) : this.sources.secret(ref.name);
      if (!data) {
        if (ref.optional) continue;
        fail(`envFrom ${from.configMapRef ? 'ConfigMap' : 'Secret'} ${ref.name} does not exist`);
      }
      for (const [key, value] of data ?? []) env[key] = value.toString('utf8');
    }
    for (const variable of container.env ?? []) env[variable.name] = this.resolveVariable(pod, variable, env, fail);
    return env;
  }

  private resolveVariable(pod: PodToRun, variable: EnvVar, env: Record<string, string>, fail: (what: string) => never): string {
    if (variable.value !== undefined) return expand(variable.value, env);
    const from = variable.valueFrom;
    const keyRef = from?.secretKeyRef ?? from?.configMapKeyRef;
    if (keyRef) {
      const data = from?.secretKeyRef ? this.sources.secret(keyRef.name) : this.sources.configMap(keyRef.name);
      const value = data?.get(keyRef.key);
      if (value === undefined) {
        if (keyRef.optional) return '';
        return fail(`${variable.name}: key ${keyRef.key} of ${from?.secretKeyRef ? 'Secret' : 'ConfigMap'} ${keyRef.name} does not exist`);
      }
      return value.toString('utf8');
    }
    const field = from?.fieldRef?.fieldPath;
    if (field === 'metadata.name') return pod.name;
    if (field === 'metadata.namespace') return this.sources.namespace;
    if (field === 'status.podIP' || field === 'status.hostIP') return '127.0.0.1';
    if (field === 'spec.nodeName') return 'stand-in-node';
    if (field === 'spec.serviceAccountName') return pod.spec.serviceAccountName ?? 'default';
    const label = field && /^metadata\.labels\['(.+)'\]$/.exec(field);
    if (label) return pod.labels[label[1] as string] ?? '';
    if (from?.resourceFieldRef) return '0';
    return fail(`${variable.name}: unsupported valueFrom ${JSON.stringify(from)}`);
  }

  /** Writes (or refreshes) the pod's Secret and ConfigMap volumes; the kubelet's sync loop. */
  syncVolumes(pod: PodToRun): void {
    for (const volume of pod.spec.volumes ?? []) this.writeVolume(pod, volume);
  }

  private writeVolume(pod: PodToRun, volume: Volume): string | undefined {
    const source = volume.secret ?? volume.configMap;
    if (!source) return undefined;
    const name = volume.secret ? volume.secret.secretName : (volume.configMap?.name ?? '');
    const data = volume.secret ? this.sources.secret(name) : this.sources.configMap(name);
    const path = join(this.dir, 'volumes', pod.name, volume.name);
    if (!data) {
      if (source.optional) {
        mkdirSync(path, { recursive: true });
        return path;
      }
      throw new PodNotReadyToStart(`${pod.name}: volume ${volume.name}: ${volume.secret ? 'Secret' : 'ConfigMap'} ${name} does not exist`);
    }
    writeAtomicVolume(path, data, source.items, source.defaultMode ?? 0o644, pod.spec.securityContext?.fsGroup);
    return path;
  }

  private async imageUser(image: string): Promise<string> {
    let user = this.imageUsers.get(image);
    if (user === undefined) {
      user = await this.podman.ok(['image', 'inspect', '--format', '{{.Config.User}}', image]);
      this.imageUsers.set(image, user);
    }
    return user;
  }

  /** The `podman run` arguments of one container (without `run` and `--detach`). */
  async runArguments(pod: PodToRun, container: Container): Promise<string[]> {
    const context: SecurityContext = { ...pod.spec.securityContext, ...container.securityContext };
    const env = this.resolveEnv(pod, container);
    const args = ['--pod', this.pod, '--name', this.containerName(pod, container), '--pull=never', '--volume', `${this.hostsFile}:/etc/hosts:ro`];

    const imageUser = await this.imageUser(container.image);
    const uid = context.runAsUser ?? Number(imageUser.split(':')[0] || '0');
    if (context.runAsNonRoot && (Number.isNaN(uid) || uid === 0)) {
      throw new Error(`${pod.name}/${container.name}: runAsNonRoot, but the image runs as "${imageUser || 'root'}" (the kubelet refuses to start it)`);
    }
    if (context.runAsUser !== undefined) args.push('--user', context.runAsGroup !== undefined ? `${context.runAsUser}:${context.runAsGroup}` : String(context.runAsUser));
    else if (context.runAsGroup !== undefined) args.push('--user', `${uid}:${context.runAsGroup}`);
    if (pod.spec.securityContext?.fsGroup !== undefined) args.push('--group-add', String(pod.spec.securityContext.fsGroup));
    if (context.readOnlyRootFilesystem) args.push('--read-only', '--read-only-tmpfs=false');
    if (context.privileged) args.push('--privileged');
    if (context.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
    for (const capability of context.capabilities?.drop ?? []) args.push('--cap-drop', capability.toLowerCase() === 'all' ? 'all' : capability);
    for (const capability of context.capabilities?.add ?? []) args.push('--cap-add', capability);

    const volumes = new Map((pod.spec.volumes ?? []).map((volume) => [volume.name, volume]));
    for (const mount of container.volumeMounts ?? []) {
      const volume = volumes.get(mount.name);
      if (!volume) throw new Error(`${pod.name}/${container.name}: volumeMount ${mount.name} has no volume`);
      if (mount.subPath) throw new Error(`${pod.name}/${container.name}: subPath mounts are not supported by the stand-in`);
      if (volume.emptyDir) {
        // As the kubelet makes an emptyDir: a fresh folder with mode 0777 on the node (a podman
        // tmpfs would take the mode of the image's folder at that path instead).
        const emptyDir = join(this.dir, 'volumes', pod.name, `empty-dir-${volume.name}`);
        mkdirSync(emptyDir, { recursive: true });
        chmodSync(emptyDir, 0o777);
        args.push('--volume', `${emptyDir}:${mount.mountPath}${mount.readOnly ? ':ro' : ''}`);
      }
      else if (volume.secret || volume.configMap) args.push('--volume', `${this.writeVolume(pod, volume)}:${mount.mountPath}:ro`);
      else if (volume.persistentVolumeClaim) {
        // A local persistent volume, writable by any uid (as kind's local-path provisioner makes them).
        const claim = join(this.dir, 'persistent-volumes', (volume.persistentVolumeClaim as { claimName: string }).claimName);
        mkdirSync(claim, { recursive: true });
        chmodSync(claim, 0o777);
        args.push('--volume', `${claim}:${mount.mountPath}${mount.readOnly ? ':ro' : ''}`);
      } else throw new Error(`${pod.name}: volume ${volume.name} of an unsupported type (${Object.keys(volume).join(', ')})`);
    }

    if (pod.spec.automountServiceAccountToken !== false) {
      const account = pod.spec.serviceAccountName ?? 'default';
      const tokenDir = join(this.dir, 'volumes', pod.name, 'kube-api-access');
      mkdirSync(tokenDir, { recursive: true });
      writeFileSync(join(tokenDir, 'token'), this.sources.serviceAccountToken(account), { mode: 0o644 });
      writeFileSync(join(tokenDir, 'ca.crt'), this.sources.caCertificate, { mode: 0o644 });
      writeFileSync(join(tokenDir, 'namespace'), this.sources.namespace, { mode: 0o644 });
      args.push('--volume', `${tokenDir}:${SERVICE_ACCOUNT_DIR}:ro`);
      env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
      env.KUBERNETES_SERVICE_PORT = String(this.sources.apiServerPort);
      env.KUBERNETES_SERVICE_PORT_HTTPS = String(this.sources.apiServerPort);
    }
    for (const [name, value] of Object.entries(env)) args.push('--env', `${name}=${value}`);
    if (container.workingDir) args.push('--workdir', container.workingDir);
    if (container.command) args.push('--entrypoint', JSON.stringify(container.command.map((part) => expand(part, env))));
    args.push(container.image, ...(container.args ?? []).map((part) => expand(part, env)));
    return args;
  }

  /** Starts every container of a long-running pod (init containers first, to completion). */
  async start(pod: PodToRun): Promise<void> {
    for (const init of pod.spec.initContainers ?? []) {
      const result = await this.podman.run(['run', ...(await this.runArguments(pod, init))], { timeoutMs: 5 * 60_000 });
      if (result.code !== 0) throw new Error(`${pod.name}: init container ${init.name} exited ${result.code}: ${(result.stderr + result.stdout).trim().slice(-1500)}`);
    }
    for (const container of pod.spec.containers) await this.podman.ok(['run', '--detach', ...(await this.runArguments(pod, container))]);
  }

  /** Runs a Job's pod to completion: its single container's exit code and output. */
  async runToCompletion(pod: PodToRun, timeoutMs: number): Promise<{ code: number | null; output: string }> {
    const container = pod.spec.containers[0];
    if (!container || pod.spec.containers.length > 1) throw new Error(`${pod.name}: a Job pod with one container is expected`);
    const result = await this.podman.run(['run', ...(await this.runArguments(pod, container))], { timeoutMs });
    return { code: result.code, output: (result.stdout + result.stderr).trim() };
  }

  async logs(pod: PodToRun, container: Container, lines = 40): Promise<string> {
    const result = await this.podman.run(['logs', '--tail', String(lines), this.containerName(pod, container)]);
    return (result.stdout + result.stderr).trim();
  }

  async isRunning(pod: PodToRun, container: Container): Promise<boolean> {
    const result = await this.podman.run(['inspect', '--format', '{{.State.Running}}', this.containerName(pod, container)]);
    return result.stdout.trim() === 'true';
  }
}
