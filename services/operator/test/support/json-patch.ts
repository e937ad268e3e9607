/**
 * The two patch formats the Kubernetes client sends, as the API server applies them:
 * JSON Patch (RFC 6902, `application/json-patch+json`) and JSON Merge Patch (RFC 7386,
 * `application/merge-patch+json`). Part of the fake API server (a test double).
 */
export class PatchError extends Error {
  override name = 'PatchError';
}

type Json = unknown;
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: Json;
  from?: string;
}

const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function parentOf(document: Json, tokens: string[]): { parent: Record<string, Json> | Json[]; key: string } {
  let current: Json = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else current = undefined;
    if (current === undefined) throw new PatchError(`path does not exist: /${tokens.join('/')}`);
  }
  if (!Array.isArray(current) && !isObject(current)) throw new PatchError(`path does not exist: /${tokens.join('/')}`);
  return { parent: current, key: tokens[tokens.length - 1] ?? '' };
}

function read(document: Json, path: string): Json {
  let current: Json = document;
  for (const token of pointer(path)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current) && Object.hasOwn(current, token)) current = current[token];
    else throw new PatchError(`path does not exist: ${path}`);
  }
  return current;
}

function add(document: Json, path: string, value: Json): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(document, tokens);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new PatchError(`bad array index in ${path}`);
    parent.splice(index, 0, structuredClone(value));
  } else {
    parent[key] = structuredClone(value);
  }
  return document;
}

function remove(document: Json, path: string): Json {
  const tokens = pointer(path);
  const { parent, key } = parentOf(document, tokens);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!(index >= 0 && index < parent.length)) throw new PatchError(`path does not exist: ${path}`);
    parent.splice(index, 1);
  } else {
    if (!Object.hasOwn(parent, key)) throw new PatchError(`path does not exist: ${path}`);
    delete parent[key];
  }
  return document;
}

const deepEqual = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);

export function applyJsonPatch<T>(target: T, operations: unknown): T {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be an array of operations');
  let document: Json = structuredClone(target);
  for (const operation of operations as JsonPatchOperation[]) {
    switch (operation.op) {
      case 'add':
        document = add(document, operation.path, operation.value);
        break;
      case 'remove':
        document = remove(document, operation.path);
        break;
      case 'replace':
        read(document, operation.path);
        document = add(remove(document, operation.path), operation.path, operation.value);
        break;
      case 'test':
        if (!deepEqual(read(document, operation.path), operation.value)) throw new PatchError(`test operation failed at ${operation.path}`);
        break;
      case 'move': {
        const value = read(document, operation.from ?? '');
        document = add(remove(document, operation.from ?? ''), operation.path, value);
        break;
      }
      case 'copy':
        document = add(document, operation.path, read(document, operation.from ?? ''));
        break;
      default:
        throw new PatchError(`unknown JSON patch op ${(operation as { op: string }).op}`);
    }
  }
  return document as T;
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. */
export function applyMergePatch<T>(target: T, patch: unknown): T {
  if (!isObject(patch)) return structuredClone(patch) as T;
  const result: Record<string, Json> = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result as T;
}
