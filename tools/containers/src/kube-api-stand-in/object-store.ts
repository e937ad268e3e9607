import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../kube-objects.js';

/** Which stored collection an object belongs to: API group (empty for core) and plural resource. */
export interface ResourceType {
  group: string;
  resource: string;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  resourceVersion: number;
}

export class StoreError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** `Secret` → `secrets`, `Ingress` → `ingresses`, `NetworkPolicy` → `networkpolicies`. */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('ss')) return `${lower}es`;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

export const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '');

const typeKey = (type: ResourceType) => `${type.group}/${type.resource}`;
const objectKey = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/** Equality-based label selectors (`a=b,c!=d,e,!f`), as the operator's informers send them. */
export function matchesSelector(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const requirement = term.trim();
    if (!requirement) return true;
    const notEqual = /^([^!=]+)!=(.*)$/.exec(requirement);
    if (notEqual) return labels?.[notEqual[1] as string] !== notEqual[2];
    const equal = /^([^!=]+)==?(.*)$/.exec(requirement);
    if (equal) return labels?.[equal[1] as string] === equal[2];
    if (requirement.startsWith('!')) return labels?.[requirement.slice(1)] === undefined;
    return labels?.[requirement] !== undefined;
  });
}

/**
 * The objects of the Kubernetes API server stand-in, with one resourceVersion counter and the
 * history of changes, so a watch can resume from any resourceVersion it listed.
 */
export class ObjectStore {
  private readonly collections = new Map<string, Map<string, KubeObject>>();
  private readonly history: (WatchEvent & { type_: string })[] = [];
  private readonly listeners = new Set<(event: WatchEvent, type: ResourceType) => void>();
  private version = 1;

  get resourceVersion(): number {
    return this.version;
  }

  private collection(type: ResourceType): Map<string, KubeObject> {
    const key = typeKey(type);
    let collection = this.collections.get(key);
    if (!collection) {
      collection = new Map();
      this.collections.set(key, collection);
    }
    return collection;
  }

  private record(type: ResourceType, eventType: WatchEvent['type'], object: KubeObject): void {
    const event = { type: eventType, object: structuredClone(object), resourceVersion: this.version, type_: typeKey(type) };
    this.history.push(event);
    for (const listener of this.listeners) listener(event, type);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.collection(type).get(objectKey(namespace, name));
    if (!object) throw new StoreError(404, 'NotFound', `${type.resource} "${name}" not found`);
    return structuredClone(object);
  }

  find(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.collection(type).get(objectKey(namespace, name));
    return object ? structuredClone(object) : undefined;
  }

  list(type: ResourceType, namespace: string | undefined, selector?: string): KubeObject[] {
    return [...this.collection(type).values()]
      .filter((object) => (namespace === undefined || object.metadata.namespace === namespace) && matchesSelector(object.metadata.labels, selector))
      .map((object) => structuredClone(object));
  }

  create(type: ResourceType, object: KubeObject): KubeObject {
    const collection = this.collection(type);
    const key = objectKey(object.metadata.namespace, object.metadata.name);
    if (collection.has(key)) throw new StoreError(409, 'AlreadyExists', `${type.resource} "${object.metadata.name}" already exists`);
    this.version += 1;
    const stored: KubeObject = structuredClone(object);
    stored.metadata = {
      ...stored.metadata,
      uid: randomUUID(),
      resourceVersion: String(this.version),
      creationTimestamp: new Date().toISOString(),
      generation: 1,
    };
    collection.set(key, stored);
    this.record(type, 'ADDED', stored);
    return structuredClone(stored);
  }

  /** Replaces an object; a stale metadata.resourceVersion is a 409 Conflict, as on a real server. */
  replace(type: ResourceType, object: KubeObject, onlyStatus = false): KubeObject {
    const collection = this.collection(type);
    const key = objectKey(object.metadata.namespace, object.metadata.name);
    const current = collection.get(key);
    if (!current) throw new StoreError(404, 'NotFound', `${type.resource} "${object.metadata.name}" not found`);
    const expected = object.metadata.resourceVersion;
    if (expected !== undefined && expected !== current.metadata.resourceVersion) {
      throw new StoreError(409, 'Conflict', `Operation cannot be fulfilled on ${type.resource} "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    this.version += 1;
    const next: KubeObject = onlyStatus ? { ...structuredClone(current), status: structuredClone(object.status) } : structuredClone(object);
    const specChanged = JSON.stringify(next.spec) !== JSON.stringify(current.spec);
    next.metadata = {
      ...(onlyStatus ? current.metadata : next.metadata),
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      resourceVersion: String(this.version),
      generation: Number(current.metadata.generation ?? 1) + (specChanged && !onlyStatus ? 1 : 0),
    };
    collection.set(key, next);
    this.record(type, 'MODIFIED', next);
    return structuredClone(next);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const collection = this.collection(type);
    const current = collection.get(objectKey(namespace, name));
    if (!current) throw new StoreError(404, 'NotFound', `${type.resource} "${name}" not found`);
    collection.delete(objectKey(namespace, name));
    this.version += 1;
    this.record(type, 'DELETED', { ...current, metadata: { ...current.metadata, resourceVersion: String(this.version) } });
    return current;
  }

  /** Changes after `sinceVersion`, then every later one, until the returned stop is called. */
  watch(type: ResourceType, sinceVersion: number, onEvent: (event: WatchEvent) => void): () => void {
    const wanted = typeKey(type);
    for (const event of this.history) if (event.type_ === wanted && event.resourceVersion > sinceVersion) onEvent(event);
    const listener = (event: WatchEvent, eventType: ResourceType) => {
      if (typeKey(eventType) === wanted) onEvent(event);
    };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
