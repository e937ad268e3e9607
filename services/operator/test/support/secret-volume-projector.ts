import { mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FakeKubeStore } from './fake-kube-store.js';

/**
 * A stand-in for the kubelet's Secret volume (test double): it materialises a Secret from the
 * fake API server into a directory the way the kubelet's atomic writer does. Each version goes
 * into a fresh `..<timestamp>` directory, the `..data` symlink is swapped to it atomically, and
 * every key is a top-level symlink `<key> -> ..data/<key>`, so a reader never sees half an
 * update. It polls, as the kubelet syncs volumes periodically.
 */
export interface SecretVolumeProjector {
  /** resourceVersion of the Secret last projected. */
  readonly projectedVersion: string | undefined;
  stop(): Promise<void>;
}

export function projectSecretVolume(store: FakeKubeStore, namespace: string, name: string, dir: string, syncMs = 100): SecretVolumeProjector {
  let projected: string | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let generation = 0;

  const project = async () => {
    const secret = store.find('secrets', namespace, name);
    const version = secret?.metadata.resourceVersion;
    if (!secret || version === projected) return;
    const data = (secret.data as Record<string, string> | undefined) ?? {};
    await mkdir(dir, { recursive: true });
    generation += 1;
    const versionDir = `..${Date.now()}_${generation}`;
    await mkdir(join(dir, versionDir), { mode: 0o755 });
    for (const [key, value] of Object.entries(data)) await writeFile(join(dir, versionDir, key), Buffer.from(value, 'base64'), { mode: 0o440 });
    const previousDir = await readlink(join(dir, '..data')).catch(() => undefined);
    await rm(join(dir, '..data_tmp'), { force: true });
    await symlink(versionDir, join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    const entries = await readdir(dir);
    for (const key of Object.keys(data)) if (!entries.includes(key)) await symlink(join('..data', key), join(dir, key));
    for (const entry of entries) if (!entry.startsWith('..') && !(entry in data)) await rm(join(dir, entry), { force: true });
    if (previousDir) await rm(join(dir, previousDir), { recursive: true, force: true });
    projected = version;
  };

  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(project).catch(() => undefined);
  }, syncMs);

  return {
    get projectedVersion() {
      return projected;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
