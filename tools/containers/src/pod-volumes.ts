import { chmodSync, chownSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyToPath } from './kube-objects.js';

/**
 * Writes a Secret or ConfigMap volume the way the kubelet does: the files in a timestamped
 * folder, `..data` a symlink to it, and each key a symlink through `..data`, so an update
 * swaps all files at once (auth reloads rotated signing keys from such a folder).
 */
export function writeAtomicVolume(dir: string, data: Map<string, Buffer>, items: KeyToPath[] | undefined, mode: number, fsGroup?: number): void {
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, Buffer>();
  if (items && items.length > 0) {
    for (const item of items) {
      const value = data.get(item.key);
      if (value === undefined) throw new Error(`key ${item.key} is missing`);
      files.set(item.path, value);
    }
  } else {
    for (const [key, value] of data) files.set(key, value);
  }
  const version = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${Math.random().toString(36).slice(2, 8)}`;
  const versionDir = join(dir, version);
  mkdirSync(versionDir);
  for (const [path, value] of files) {
    mkdirSync(join(versionDir, path, '..'), { recursive: true });
    writeFileSync(join(versionDir, path), value);
    // With an fsGroup the kubelet gives the files to that group and lets it read them.
    if (fsGroup !== undefined) chownSync(join(versionDir, path), 0, fsGroup);
    chmodSync(join(versionDir, path), fsGroup !== undefined ? mode | 0o440 : mode);
  }
  chmodSync(versionDir, 0o755);
  symlinkSync(version, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  const current = new Set([...files.keys()].map((path) => path.split('/')[0] as string));
  for (const entry of readdirSync(dir)) {
    if (entry === '..data' || entry === version) continue;
    if (entry.startsWith('..') || !current.has(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  for (const top of current) {
    try {
      symlinkSync(join('..data', top), join(dir, top));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
