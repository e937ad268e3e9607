import { builtServiceEntry, runScriptToCompletion, startServiceProcess, type ServiceProcess } from '@parley/testing';

export type { ServiceProcess };

/** `services/<dir>/dist/<script>`; says how to build when it is missing. */
export { builtServiceEntry as builtScript } from '@parley/testing';

export { freePort } from '@parley/ports';

/** Runs a script to completion (migrations). */
export const runToCompletion = runScriptToCompletion;

/** Starts `node services/<dir>/dist/main.js` and waits until /readyz answers 200 (see startServiceProcess). */
export function startService(name: string, dir: string, env: Record<string, string>, timeoutMs = 30_000): Promise<ServiceProcess> {
  return startServiceProcess(name, builtServiceEntry(dir), env, timeoutMs);
}
