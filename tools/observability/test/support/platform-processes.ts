import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runScriptToCompletion, startServiceProcess, type ServiceProcess } from '@parley/testing';
import { REPO_ROOT } from '../../src/repo-root.js';

export type { ServiceProcess };

/** `services/<dir>/dist/<script>`; says how to build when it is missing. */
export function builtScript(dir: string, script = 'main.js'): string {
  const path = join(REPO_ROOT, 'services', dir, 'dist', script);
  if (!existsSync(path)) throw new Error(`${path} is missing: build with \`npm run build\` (root \`npm test\` builds first)`);
  return path;
}

export { freePort } from '@parley/ports';

/** Runs a script to completion (migrations). */
export const runToCompletion = runScriptToCompletion;

/** Starts `node services/<dir>/dist/main.js` and waits until /readyz answers 200 (see startServiceProcess). */
export function startService(name: string, dir: string, env: Record<string, string>, timeoutMs = 30_000): Promise<ServiceProcess> {
  return startServiceProcess(name, builtScript(dir), env, timeoutMs);
}
