import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/repo-root.js';

/** A built service running as its own process, as the launcher and Kubernetes run it. */
export interface ServiceProcess {
  name: string;
  url: string;
  /** The admin server: /metrics, /healthz, /readyz. */
  adminUrl: string;
  child: ChildProcess;
  /** Everything it printed so far (JSON log lines). */
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `services/<dir>/dist/<script>`; says how to build when it is missing. */
export function builtScript(dir: string, script = 'main.js'): string {
  const path = join(REPO_ROOT, 'services', dir, 'dist', script);
  if (!existsSync(path)) throw new Error(`${path} is missing: build with \`npm run build\` (root \`npm test\` builds first)`);
  return path;
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a script to completion (migrations). */
export function runToCompletion(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** Starts `node services/<dir>/dist/main.js` on fresh ports and waits until /readyz answers 200. */
export async function startService(name: string, dir: string, env: Record<string, string>, timeoutMs = 30_000): Promise<ServiceProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [builtScript(dir)], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env, PORT: String(port), METRICS_PORT: String(metricsPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service: ServiceProcess = {
    name,
    url: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${metricsPort}`,
    child,
    output: () => output,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${service.adminUrl}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return service;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
