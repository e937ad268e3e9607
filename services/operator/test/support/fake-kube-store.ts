import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { applySchemaDefaults, type StructuralSchema } from './crd-defaults.js';
import { applyJsonPatch, applyMergePatch, PatchError } from './json-patch.js';
import { parseLabelSelector } from './label-selector.js';

/**
 * The object store behind the fake Kubernetes API server (a test double): objects per resource
 * with a cluster-wide resourceVersion counter, optimistic concurrency on writes, status
 * subresources, metadata.generation, CRD defaulting, an event history that watches replay from
 * any resourceVersion, and background garbage collection by owner references.
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { uid: string; kind: string; name: string; apiVersion: string; controller?: boolean }[];
    [field: string]: unknown;
  };
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

export interface ResourceType {
  plural: string;
  kind: string;
  apiVersion: string;
  /** `api/v1` or `apis/<group>/<version>`. */
  groupVersionPath: string;
  statusSubresource: boolean;
  tracksGeneration: boolean;
  defaults?: (object: KubeObject) => KubeObject;
}

const CRD_FILE = fileURLToPath(new URL('../../../../charts/parley/crds/chatplatforms.parley.dev.yaml', import.meta.url));

function chatPlatformDefaults(): (object: KubeObject) => KubeObject {
  const crd = parse(readFileSync(CRD_FILE, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: StructuralSchema } }[] } };
  const schema = crd.spec.versions[0]?.schema.openAPIV3Schema as StructuralSchema;
  return (object) => applySchemaDefaults(object, schema) as KubeObject;
}

export const RESOURCE_TYPES: ResourceType[] = [
  { plural: 'secrets', kind: 'Secret', apiVersion: 'v1', groupVersionPath: 'api/v1', statusSubresource: false, tracksGeneration: false },
  { plural: 'pods', kind: 'Pod', apiVersion: 'v1', groupVersionPath: 'api/v1', statusSubresource: true, tracksGeneration: false },
  { plural: 'deployments', kind: 'Deployment', apiVersion: 'apps/v1', groupVersionPath: 'apis/apps/v1', statusSubresource: true, tracksGeneration: true },
  {
    plural: 'leases',
    kind: 'Lease',
    apiVersion: 'coordination.k8s.io/v1',
    groupVersionPath: 'apis/coordination.k8s.io/v1',
    statusSubresource: false,
    tracksGeneration: false,
  },
  {
    plural: 'chatplatforms',
    kind: 'ChatPlatform',
    apiVersion: 'parley.dev/v1alpha1',
    groupVersionPath: 'apis/parley.dev/v1alpha1',
    statusSubresource: true,
    tracksGeneration: true,
    defaults: chatPlatformDefaults(),
  },
];

/** An API error, rendered as a Kubernetes `Status`. */
export class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }

  toStatus() {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
  }
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface HistoryEvent {
  resourceVersion: number;
  type: WatchEventType;
  plural: string;
  object: KubeObject;
  previous?: KubeObject;
}

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface WatchRequest {
  plural: string;
  namespace?: string;
  labelSelector?: string | null;
  /** Replay events after this resourceVersion; absent or "0": every current object as ADDED first. */
  resourceVersion?: string | null;
}

const clone = <T>(value: T): T => structuredClone(value);
const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;
const now = () => `${new Date().toISOString().slice(0, 19)}Z`;
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export class FakeKubeStore {
  private revision = 100;
  /** Watches from before this resourceVersion get 410 Gone (etcd compaction). */
  private compactedBefore = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: HistoryEvent[] = [];
  private readonly watchers = new Set<(event: HistoryEvent) => void>();

  resourceType(groupVersionPath: string, plural: string): ResourceType | undefined {
    return RESOURCE_TYPES.find((type) => type.groupVersionPath === groupVersionPath && type.plural === plural);
  }

  private type(plural: string): ResourceType {
    const type = RESOURCE_TYPES.find((candidate) => candidate.plural === plural);
    if (!type) throw new Error(`fake API server: unknown resource ${plural}`);
    return type;
  }

  private bucket(plural: string): Map<string, KubeObject> {
    let bucket = this.objects.get(plural);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(plural, bucket);
    }
    return bucket;
  }

  get latestResourceVersion(): string {
    return String(this.revision);
  }

  get(plural: string, namespace: string | undefined, name: string): KubeObject {
    const found = this.bucket(plural).get(keyOf(namespace, name));
    if (!found) throw new ApiFailure(404, 'NotFound', `${plural} "${name}" not found`);
    return clone(found);
  }

  find(plural: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(plural).get(keyOf(namespace, name));
    return found ? clone(found) : undefined;
  }

  list(plural: string, namespace?: string, labelSelector?: string | null): KubeObject[] {
    const matches = parseLabelSelector(labelSelector);
    return [...this.bucket(plural).values()]
      .filter((object) => (namespace === undefined || object.metadata.namespace === namespace) && matches(object.metadata.labels ?? {}))
      .map(clone);
  }

  create(plural: string, namespace: string | undefined, body: KubeObject): KubeObject {
    const type = this.type(plural);
    if (!body?.metadata?.name) throw new ApiFailure(422, 'Invalid', 'metadata.name: Required value');
    if (body.metadata.namespace && namespace && body.metadata.namespace !== namespace) {
      throw new ApiFailure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    const bucket = this.bucket(plural);
    const key = keyOf(namespace, body.metadata.name);
    if (bucket.has(key)) throw new ApiFailure(409, 'AlreadyExists', `${plural} "${body.metadata.name}" already exists`);
    let object: KubeObject = clone(body);
    object.apiVersion = type.apiVersion;
    object.kind = type.kind;
    if (type.statusSubresource && plural === 'chatplatforms') delete object.status;
    if (type.defaults) object = type.defaults(object);
    object.metadata = {
      ...object.metadata,
      ...(namespace ? { namespace } : {}),
      uid: randomUUID(),
      creationTimestamp: now(),
      resourceVersion: this.nextRevision(),
      ...(type.tracksGeneration ? { generation: 1 } : {}),
    };
    delete object.metadata.deletionTimestamp;
    bucket.set(key, object);
    this.record('ADDED', plural, object);
    this.collectIfOrphaned(plural, object);
    return clone(object);
  }

  /** PUT: the whole object (or its status), guarded by metadata.resourceVersion when given. */
  replace(plural: string, namespace: string | undefined, name: string, body: KubeObject, subresource?: 'status'): KubeObject {
    const previous = this.bucket(plural).get(keyOf(namespace, name));
    if (!previous) throw new ApiFailure(404, 'NotFound', `${plural} "${name}" not found`);
    if (body?.metadata?.name && body.metadata.name !== name) throw new ApiFailure(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    const given = body?.metadata?.resourceVersion;
    if (given && given !== previous.metadata.resourceVersion) {
      throw new ApiFailure(409, 'Conflict', `Operation cannot be fulfilled on ${plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    return this.write(plural, previous, body, subresource);
  }

  patch(plural: string, namespace: string | undefined, name: string, patch: unknown, contentType: string, subresource?: 'status'): KubeObject {
    const previous = this.bucket(plural).get(keyOf(namespace, name));
    if (!previous) throw new ApiFailure(404, 'NotFound', `${plural} "${name}" not found`);
    let patched: KubeObject;
    try {
      if (contentType.startsWith('application/json-patch+json')) patched = applyJsonPatch(previous, patch);
      else if (contentType.startsWith('application/merge-patch+json')) patched = applyMergePatch(previous, patch);
      else throw new ApiFailure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format (${contentType})`);
    } catch (error) {
      if (error instanceof PatchError) throw new ApiFailure(422, 'Invalid', error.message);
      throw error;
    }
    if (patched.metadata?.resourceVersion && patched.metadata.resourceVersion !== previous.metadata.resourceVersion) {
      throw new ApiFailure(409, 'Conflict', `Operation cannot be fulfilled on ${plural} "${name}": the object has been modified`);
    }
    return this.write(plural, previous, patched, subresource);
  }

  delete(plural: string, namespace: string | undefined, name: string): KubeObject {
    const bucket = this.bucket(plural);
    const key = keyOf(namespace, name);
    const previous = bucket.get(key);
    if (!previous) throw new ApiFailure(404, 'NotFound', `${plural} "${name}" not found`);
    bucket.delete(key);
    const deleted = clone(previous);
    deleted.metadata.resourceVersion = this.nextRevision();
    this.record('DELETED', plural, deleted, previous);
    // The garbage collector removes dependents in the background.
    const uid = previous.metadata.uid;
    setImmediate(() => {
      if (uid) this.collectDependents(uid);
    });
    return clone(deleted);
  }

  /** Writes as a cluster component would (kubelet, deployment controller): spec and status as given. */
  put(object: KubeObject): KubeObject {
    const plural = RESOURCE_TYPES.find((type) => type.kind === object.kind)?.plural;
    if (!plural) throw new Error(`fake API server: unknown kind ${object.kind}`);
    const previous = this.bucket(plural).get(keyOf(object.metadata.namespace, object.metadata.name));
    if (!previous) return this.create(plural, object.metadata.namespace, object);
    return this.write(plural, previous, clone(object), 'raw');
  }

  /** Forgets the event history, as etcd compaction does: older resourceVersions get 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.compactedBefore = this.revision + 1;
  }

  /** True when a watch from this resourceVersion can no longer be served. */
  isExpired(resourceVersion: string | null | undefined): boolean {
    const since = Number(resourceVersion || 0);
    return since !== 0 && since < this.compactedBefore;
  }

  watch(request: WatchRequest, send: (event: WatchEvent) => void): () => void {
    const matches = parseLabelSelector(request.labelSelector);
    const inScope = (event: HistoryEvent) => event.plural === request.plural && (request.namespace === undefined || event.object.metadata.namespace === request.namespace);
    const deliver = (event: HistoryEvent) => {
      if (!inScope(event)) return;
      const now = matches(event.object.metadata.labels ?? {});
      const before = event.previous ? matches(event.previous.metadata.labels ?? {}) : false;
      if (event.type === 'MODIFIED') {
        if (now && before) send({ type: 'MODIFIED', object: clone(event.object) });
        else if (now) send({ type: 'ADDED', object: clone(event.object) });
        else if (before) send({ type: 'DELETED', object: clone(event.object) });
      } else if (event.type === 'DELETED' ? before : now) {
        send({ type: event.type, object: clone(event.object) });
      }
    };
    const since = Number(request.resourceVersion || 0);
    if (since === 0) {
      for (const object of this.list(request.plural, request.namespace, request.labelSelector)) send({ type: 'ADDED', object });
    } else {
      for (const event of this.history) if (event.resourceVersion > since) deliver(event);
    }
    this.watchers.add(deliver);
    return () => this.watchers.delete(deliver);
  }

  private write(plural: string, previous: KubeObject, body: KubeObject, subresource: 'status' | 'raw' | undefined): KubeObject {
    const type = this.type(plural);
    let next: KubeObject;
    if (subresource === 'status') next = { ...clone(previous), status: clone(body.status) };
    else if (type.statusSubresource && subresource !== 'raw') next = { ...clone(body), status: clone(previous.status) };
    else next = clone(body);
    if (next.status === undefined) delete next.status;
    if (type.defaults && subresource !== 'status') next = type.defaults(next);
    next.apiVersion = type.apiVersion;
    next.kind = type.kind;
    const specChanged = !sameJson(previous.spec, next.spec);
    next.metadata = {
      ...(subresource === 'status' ? previous.metadata : next.metadata),
      name: previous.metadata.name,
      ...(previous.metadata.namespace ? { namespace: previous.metadata.namespace } : {}),
      uid: previous.metadata.uid,
      creationTimestamp: previous.metadata.creationTimestamp,
      resourceVersion: previous.metadata.resourceVersion,
      ...(type.tracksGeneration ? { generation: (previous.metadata.generation ?? 1) + (specChanged ? 1 : 0) } : {}),
    };
    if (sameJson(previous, next)) return clone(previous); // a no-op write keeps the resourceVersion
    next.metadata.resourceVersion = this.nextRevision();
    this.bucket(plural).set(keyOf(previous.metadata.namespace, previous.metadata.name), next);
    this.record('MODIFIED', plural, next, previous);
    return clone(next);
  }

  /** Like the garbage collector: an object whose owners are all gone is deleted (it may be created after its owner went). */
  private collectIfOrphaned(plural: string, object: KubeObject): void {
    const owners = object.metadata.ownerReferences ?? [];
    if (owners.length === 0) return;
    setImmediate(() => {
      const current = this.bucket(plural).get(keyOf(object.metadata.namespace, object.metadata.name));
      if (!current || current.metadata.uid !== object.metadata.uid) return;
      const alive = (uid: string) => [...this.objects.values()].some((bucket) => [...bucket.values()].some((candidate) => candidate.metadata.uid === uid));
      if (!(current.metadata.ownerReferences ?? []).some((reference) => alive(reference.uid))) this.delete(plural, current.metadata.namespace, current.metadata.name);
    });
  }

  private collectDependents(ownerUid: string): void {
    for (const [plural, bucket] of this.objects) {
      for (const object of [...bucket.values()]) {
        if (object.metadata.ownerReferences?.some((reference) => reference.uid === ownerUid)) {
          this.delete(plural, object.metadata.namespace, object.metadata.name);
        }
      }
    }
  }

  private nextRevision(): string {
    this.revision += 1;
    return String(this.revision);
  }

  private record(type: WatchEventType, plural: string, object: KubeObject, previous?: KubeObject): void {
    const event: HistoryEvent = { resourceVersion: Number(object.metadata.resourceVersion), type, plural, object: clone(object), ...(previous ? { previous: clone(previous) } : {}) };
    this.history.push(event);
    for (const watcher of this.watchers) watcher(event);
  }
}
