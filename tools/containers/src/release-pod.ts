import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Checks } from './checks.js';
import { hookOf, hookWeightOf, type KubeObject, objectData, podTemplateOf } from './kube-objects.js';
import { KubeApiStandIn } from './kube-api-stand-in/api-server.js';
import { createServingCertificate } from './kube-api-stand-in/certificate.js';
import { groupOf, ObjectStore, pluralOf, type ResourceType } from './kube-api-stand-in/object-store.js';
import { Rbac } from './kube-api-stand-in/rbac.js';
import type { Podman } from './podman.js';
import { PodNetwork } from './pod-network.js';
import { PodNotReadyToStart, PodRunner, type PodToRun } from './pod-runner.js';
import { describeProbe, type ProbeKind, probeUntilSuccess } from './probes.js';
import type { Release } from './chart-render.js';

export const API_SERVER_PORT = 6443;
export const INFRA_IMAGE = 'localhost/parley-pod-infra:stand-in';
const SECRETS: ResourceType = { group: '', resource: 'secrets' };
const CONFIG_MAPS: ResourceType = { group: '', resource: 'configmaps' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const typeOf = (object: KubeObject): ResourceType => ({ group: groupOf(object.apiVersion), resource: pluralOf(object.kind) });

export interface RunningWorkload {
  object: KubeObject;
  pod: PodToRun;
}

/**
 * A release in one podman pod: every workload's pod shares the pod's loopback network (the
 * chart's Service names resolve to 127.0.0.1 through the pod's hosts file; every component
 * listens on its own port), the Kubernetes API server stand-in holds the release's objects
 * and serves the operator, and the kubelet stand-in (PodRunner) runs the rendered pod specs.
 */
export class ReleasePod {
  readonly store = new ObjectStore();
  readonly network: PodNetwork;
  readonly api: KubeApiStandIn;
  readonly runner: PodRunner;
  readonly running: RunningWorkload[] = [];
  private readonly tokens = new Map<string, string>();
  private syncTimer?: NodeJS.Timeout;

  constructor(
    private readonly podman: Podman,
    private readonly dir: string,
    readonly release: Release,
    private readonly checks: Checks,
  ) {
    const namespace = release.namespace;
    mkdirSync(join(dir, 'net'), { recursive: true });
    const tls = createServingCertificate();
    const rbacObjects = release.objects.filter((object) => /^(Cluster)?Role(Binding)?$/.test(object.kind));
    this.api = new KubeApiStandIn(this.store, new Rbac(() => rbacObjects), tls);
    this.network = new PodNetwork(join(dir, 'net'));
    const secretOrConfigMap = (type: ResourceType) => (name: string) => {
      const object = this.store.find(type, namespace, name);
      return object ? objectData(object) : undefined;
    };
    const hostsFile = join(dir, 'hosts');
    this.runner = new PodRunner(podman, dir, release.name, hostsFile, {
      namespace,
      secret: secretOrConfigMap(SECRETS),
      configMap: secretOrConfigMap(CONFIG_MAPS),
      serviceAccountToken: (account) => {
        let token = this.tokens.get(account);
        if (!token) {
          token = this.api.issueServiceAccountToken(namespace, account);
          this.tokens.set(account, token);
        }
        return token;
      },
      caCertificate: tls.cert,
      apiServerPort: API_SERVER_PORT,
    });
  }

  /** Token of a service account of the release (the same one its pods get). */
  tokenFor(account: string): string {
    let token = this.tokens.get(account);
    if (!token) {
      token = this.api.issueServiceAccountToken(this.release.namespace, account);
      this.tokens.set(account, token);
    }
    return token;
  }

  /**
   * What `helm install` creates before its hooks: every non-hook object, namespaced to the
   * release. The host reaches every container port of the release, and `alsoForward` (ports
   * nothing in the release listens on, for the negative control).
   */
  async create(alsoForward: number[] = []): Promise<void> {
    const { namespace, objects } = this.release;
    for (const object of objects.filter((candidate) => !hookOf(candidate))) {
      this.store.create(typeOf(object), { ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? namespace } });
    }
    const names = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc'];
    for (const service of objects.filter((object) => object.kind === 'Service')) {
      const name = service.metadata.name;
      names.push(name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`);
    }
    writeFileSync(join(this.dir, 'hosts'), `127.0.0.1 localhost\n::1 localhost\n127.0.0.1 ${names.join(' ')}\n`);

    await this.podman.ok(['pod', 'create', '--name', this.release.name, '--network', 'none', '--infra-image', INFRA_IMAGE]);
    await this.podman.ok(['pod', 'start', this.release.name]);
    const infra = await this.podman.ok(['pod', 'inspect', '--format', '{{.InfraContainerID}}', this.release.name]);
    const pid = Number(await this.podman.ok(['inspect', '--format', '{{.State.Pid}}', infra]));
    const ports = new Set<number>(alsoForward);
    for (const object of objects) {
      for (const container of podTemplateOf(object)?.spec.containers ?? []) for (const port of container.ports ?? []) ports.add(port.containerPort);
    }
    await this.network.start(pid, [...ports], [API_SERVER_PORT]);
    rmSync(this.network.hostSocketFor(API_SERVER_PORT), { force: true });
    await this.api.listen(this.network.hostSocketFor(API_SERVER_PORT));
    // The kubelet's sync loop: Secret and ConfigMap volumes follow their objects (rotated keys).
    this.syncTimer = setInterval(() => {
      for (const workload of this.running) {
        try {
          this.runner.syncVolumes(workload.pod);
        } catch {
          // a source that disappeared: the kubelet keeps the last files too
        }
      }
    }, 1_000);
  }

  workloads(kinds: string[]): RunningWorkload[] {
    return this.release.objects
      .filter((object) => kinds.includes(object.kind) && !hookOf(object))
      .map((object) => {
        const template = podTemplateOf(object);
        if (!template) throw new Error(`${object.kind}/${object.metadata.name} has no pod template`);
        // A StatefulSet's volumeClaimTemplates: one claim per pod, bound to a local volume.
        const claims = ((object.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] }).volumeClaimTemplates ?? []).map((claim) => ({
          name: claim.metadata.name,
          persistentVolumeClaim: { claimName: `${claim.metadata.name}-${object.metadata.name}-0` },
        }));
        const spec = { ...template.spec, volumes: [...(template.spec.volumes ?? []), ...claims] };
        return { object, pod: { name: `${object.metadata.name}-0`, labels: template.labels, spec } };
      });
  }

  /**
   * Starts the workloads' pods; a pod whose Secret or ConfigMap does not exist yet waits, as
   * in ContainerCreating (auth waits for the operator's signing-key Secret). One check each,
   * in the release's tally unless another is given (the negative control's).
   */
  async start(workloads: RunningWorkload[], timeoutMs: number, tally = this.checks): Promise<RunningWorkload[]> {
    const pending = [...workloads];
    const started: RunningWorkload[] = [];
    const deadline = Date.now() + timeoutMs;
    const waiting = new Map<string, string>();
    while (pending.length > 0 && Date.now() < deadline) {
      for (const workload of [...pending]) {
        try {
          await this.runner.start(workload.pod);
          pending.splice(pending.indexOf(workload), 1);
          started.push(workload);
          this.running.push(workload);
          this.publishPod(workload, false);
          tally.pass(`start ${workload.object.kind}/${workload.object.metadata.name}`, workload.pod.spec.containers.map((container) => container.image).join(', '));
        } catch (error) {
          if (!(error instanceof PodNotReadyToStart)) {
            pending.splice(pending.indexOf(workload), 1);
            tally.fail(`start ${workload.object.kind}/${workload.object.metadata.name}`, error instanceof Error ? error.message : String(error));
          } else waiting.set(workload.object.metadata.name, error.message);
        }
      }
      if (pending.length > 0) await sleep(1_000);
    }
    for (const workload of pending) tally.fail(`start ${workload.object.kind}/${workload.object.metadata.name}`, `still waiting: ${waiting.get(workload.object.metadata.name)}`);
    return started;
  }

  /** The Pod and its Deployment's status in the API stand-in, as the operator reads them. */
  publishPod(workload: RunningWorkload, ready: boolean): void {
    const namespace = this.release.namespace;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: workload.pod.name, namespace, labels: workload.pod.labels },
      spec: workload.pod.spec,
      status: { phase: 'Running', podIP: '127.0.0.1', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    };
    const pods: ResourceType = { group: '', resource: 'pods' };
    const existing = this.store.find(pods, namespace, workload.pod.name);
    if (existing) this.store.replace(pods, { ...pod, metadata: { ...existing.metadata, labels: workload.pod.labels } });
    else this.store.create(pods, pod);
    const type = typeOf(workload.object);
    const owner = this.store.find(type, namespace, workload.object.metadata.name);
    if (owner) {
      const count = ready ? 1 : 0;
      this.store.replace(type, { ...owner, status: { replicas: 1, updatedReplicas: 1, readyReplicas: count, availableReplicas: count, observedGeneration: owner.metadata.generation } }, true);
    }
  }

  /** Every rendered probe of the workloads, run until it passes: startup, then readiness, then liveness. */
  async probe(workloads: RunningWorkload[], tally = this.checks): Promise<void> {
    await Promise.all(
      workloads.map(async (workload) => {
        for (const container of workload.pod.spec.containers) {
          const id = this.runner.containerName(workload.pod, container);
          const kinds: ProbeKind[] = ['startupProbe', 'readinessProbe', 'livenessProbe'];
          let ready = true;
          for (const kind of kinds) {
            const probe = container[kind];
            if (!probe) continue;
            const name = `${kind} ${workload.pod.name}/${container.name} ${describeProbe(container, probe)}`;
            const result = await tally.check(
              name,
              () => probeUntilSuccess(this.podman, this.network, id, container, kind, { readinessDeadlineMs: 180_000, running: () => this.runner.isRunning(workload.pod, container) }),
              (outcome) => `${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}`,
            );
            if (!result) {
              ready = false;
              console.log((await this.runner.logs(workload.pod, container)).replace(/^/gm, '        | '));
              break;
            }
          }
          if (ready) this.publishPod(workload, true);
        }
      }),
    );
  }

  /**
   * The hooks of one kind in Helm's order (weight, then name): ConfigMaps and Secrets are
   * created, Jobs run to completion with their backoffLimit. One check per Job.
   */
  async runHooks(hook: string, timeoutMs: number): Promise<void> {
    const hooks = this.release.objects
      .filter((object) => (hookOf(object) ?? '').split(',').map((part) => part.trim()).includes(hook))
      .sort((a, b) => hookWeightOf(a) - hookWeightOf(b) || a.metadata.name.localeCompare(b.metadata.name));
    for (const object of hooks) {
      if (object.kind !== 'Job') {
        const namespaced = { ...object, metadata: { ...object.metadata, namespace: this.release.namespace } };
        if (this.store.find(typeOf(object), this.release.namespace, object.metadata.name)) this.store.replace(typeOf(object), namespaced);
        else this.store.create(typeOf(object), namespaced);
        continue;
      }
      await this.runJob(hook, object, timeoutMs);
    }
  }

  /** One hook Job to completion, retried up to its backoffLimit: one check. */
  async runJob(hook: string, job: KubeObject, timeoutMs: number, tally = this.checks): Promise<void> {
    const template = podTemplateOf(job);
    if (!template) return;
    const backoffLimit = (job.spec as { backoffLimit?: number }).backoffLimit ?? 6;
    await tally.check(`${hook} hook Job/${job.metadata.name} (weight ${hookWeightOf(job)})`, async () => {
      let last = '';
      for (let attempt = 0; attempt <= backoffLimit; attempt += 1) {
        const pod: PodToRun = { name: `${job.metadata.name}-${attempt}`, labels: template.labels, spec: template.spec };
        const result = await this.runner.runToCompletion(pod, timeoutMs);
        if (result.code === 0) return attempt;
        last = `exit ${result.code}: ${result.output.slice(-1500)}`;
        await sleep(Math.min(10_000, 1_000 * 2 ** attempt));
      }
      throw new Error(`failed ${backoffLimit + 1} times; last ${last}`);
    }, (retries) => (retries === 0 ? 'first attempt' : `after ${retries} retries`));
  }

  async tearDown(): Promise<void> {
    clearInterval(this.syncTimer);
    this.api.close();
    this.network.stop();
    await this.podman.run(['pod', 'rm', '--force', '--time', '5', this.release.name]);
  }
}
