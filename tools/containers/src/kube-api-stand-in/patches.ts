/** JSON merge patch (RFC 7386): objects merge, null removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

const unescape = (token: string) => token.replaceAll('~1', '/').replaceAll('~0', '~');

/** JSON patch (RFC 6902) add, remove, replace and test; a missing path is an error, as on a real server. */
export function jsonPatch(document: unknown, operations: JsonPatchOperation[]): unknown {
  const root = structuredClone(document) as Record<string, unknown>;
  for (const operation of operations) {
    const tokens = operation.path.split('/').slice(1).map(unescape);
    const last = tokens.pop();
    if (last === undefined) throw new Error(`invalid JSON patch path "${operation.path}"`);
    let parent: unknown = root;
    for (const token of tokens) {
      parent = (parent as Record<string, unknown> | undefined)?.[token];
      if (parent === undefined || parent === null || typeof parent !== 'object') throw new Error(`JSON patch path "${operation.path}" does not exist`);
    }
    const record = parent as Record<string, unknown>;
    const list = Array.isArray(parent) ? (parent as unknown[]) : undefined;
    const exists = list ? Number(last) < list.length : last in record;
    if (operation.op === 'test') {
      if (JSON.stringify(list ? list[Number(last)] : record[last]) !== JSON.stringify(operation.value)) throw new Error(`JSON patch test failed at "${operation.path}"`);
    } else if (operation.op === 'remove') {
      if (!exists) throw new Error(`JSON patch path "${operation.path}" does not exist`);
      if (list) list.splice(Number(last), 1);
      else delete record[last];
    } else if (operation.op === 'replace') {
      if (!exists) throw new Error(`JSON patch path "${operation.path}" does not exist`);
      if (list) list[Number(last)] = operation.value;
      else record[last] = operation.value;
    } else if (list && last === '-') list.push(operation.value);
    else if (list) list.splice(Number(last), 0, operation.value);
    else record[last] = operation.value;
  }
  return root;
}
