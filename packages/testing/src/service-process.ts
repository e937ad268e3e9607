import { spawn, type ChildProcess } from 'node:child_process';

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

/** Runs a script to completion (migrations). */
export function runScriptToCompletion(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** The ports a service logged when it started listening (LOG_LEVEL info or lower). */
function loggedPorts(output: string): { http?: number; admin?: number } {
  const ports: { http?: number; admin?: number } = {};
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    if (typeof entry.port !== 'number' || !entry.msg) continue;
    if (entry.msg.includes('admin server listening')) ports.admin = entry.port;
    else if (entry.msg.endsWith(' listening')) ports.http = entry.port;
  }
  return ports;
}

/**
 * Starts `node <entry>` (a built service's main.js) and waits until /readyz answers 200. Ports
 * are chosen by the service itself (0) and read back from its log, except a PORT the caller
 * fixed (other services need it in advance): a port picked here and bound later could be taken
 * by a parallel test in between, and that process would then answer in this service's place.
 * Needs LOG_LEVEL info (or lower) for the "listening" lines.
 */
// 90 s: on a shared 2-core machine five processes importing at once have taken 30 s just to listen.
export async function startServiceProcess(name: string, entry: string, env: Record<string, string>, timeoutMs = 90_000): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env, PORT: env.PORT ?? '0', METRICS_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  const failed = (why: string) => {
    child.kill('SIGKILL');
    return new Error(`${name} ${why}:\n${output}`);
  };
  let ports = loggedPorts(output);
  while (ports.http === undefined || ports.admin === undefined) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw failed(`did not log its ports within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    ports = loggedPorts(output);
  }
  const service: ServiceProcess = {
    name,
    url: `http://127.0.0.1:${ports.http}`,
    adminUrl: `http://127.0.0.1:${ports.admin}`,
    child,
    output: () => output,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    const readiness = await fetch(`${service.adminUrl}/readyz`).then(
      async (response) => ({ ready: response.status === 200, body: await response.text() }),
      (error: unknown) => ({ ready: false, body: String(error) }),
    );
    if (readiness.ready) return service;
    if (Date.now() > deadline) throw failed(`not ready within ${timeoutMs} ms (last /readyz: ${readiness.body})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
