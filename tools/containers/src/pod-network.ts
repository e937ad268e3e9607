import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The host's way into the pod's loopback-only network (pod-agent.ts, entered with nsenter):
 * HTTP and TCP to pod ports, and pod connections to ports the host serves.
 */
export class PodNetwork {
  private agent?: ChildProcess;

  constructor(readonly dir: string) {}

  async start(infraPid: number, toPorts: number[], fromPorts: number[]): Promise<void> {
    const script = join(fileURLToPath(new URL('.', import.meta.url)), 'pod-agent.js');
    const agent = spawn('nsenter', ['--target', String(infraPid), '--net', '--', process.execPath, script, this.dir, toPorts.join(','), fromPorts.join(',')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.agent = agent;
    await new Promise<void>((resolve, reject) => {
      agent.once('exit', (code) => reject(new Error(`pod agent exited ${code}`)));
      agent.stdout?.once('data', () => resolve());
    });
  }

  stop(): void {
    this.agent?.kill('SIGTERM');
  }

  socketPath(port: number): string {
    return join(this.dir, `to-${port}.sock`);
  }

  /** Where a host server must listen to be reachable in the pod as 127.0.0.1:<port>. */
  hostSocketFor(port: number): string {
    return join(this.dir, `from-${port}.sock`);
  }

  http(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { socketPath: this.socketPath(port), path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...options.headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(options.timeoutMs ?? 5_000, () => req.destroy(new Error(`timeout after ${options.timeoutMs ?? 5_000} ms`)));
      req.on('error', reject);
      req.end(options.body);
    });
  }

  /** A TCP connection to the pod port opens (the agent closes at once when nothing listens). */
  tcpOpens(port: number, timeoutMs = 1_000): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = createConnection(this.socketPath(port));
      let closed = false;
      socket.on('error', () => (closed = true));
      socket.on('close', () => {
        closed = true;
        resolve(false);
      });
      setTimeout(() => {
        socket.destroy();
        if (!closed) resolve(true);
      }, Math.min(timeoutMs, 500));
    });
  }
}
