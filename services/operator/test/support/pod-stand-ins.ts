import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stand-ins for pods' HTTP endpoints (test doubles: the real chat-socket and worker are not
 * started here). The socket one answers `/admin/v1/sockets` like a chat-socket pod and RECORDS
 * every shed request; the worker one serves `parley_queue_jobs` on /metrics.
 */
export interface RecordingSocketAdminServer {
  port: number;
  /** Connected sockets it reports; shedding lowers it. */
  count: number;
  /** Every `POST /admin/v1/sockets/shed` body count, with its time. */
  shedRequests: { atMs: number; count: number }[];
  /** Authorization headers seen (to check the token). */
  authorizations: string[];
  /** Called after each shed with the sockets let go (a test can make them "reconnect" elsewhere). */
  onShed?: (shedding: number) => void;
  close(): Promise<void>;
}

export async function startRecordingSocketAdminServer(initialCount: number, adminToken: string): Promise<RecordingSocketAdminServer> {
  const state: Omit<RecordingSocketAdminServer, 'port' | 'close'> = { count: initialCount, shedRequests: [], authorizations: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.authorizations.push(req.headers.authorization ?? '');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${adminToken}`) return json(401, { error: { code: 'unauthorized', message: 'Admin endpoints require the admin token' } });
      if (req.method === 'GET' && req.url === '/admin/v1/sockets') return json(200, { count: state.count });
      if (req.method === 'POST' && req.url === '/admin/v1/sockets/shed') {
        const { count } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { count: number };
        state.shedRequests.push({ atMs: Date.now(), count });
        const shedding = Math.min(count, state.count);
        state.count -= shedding;
        json(202, { shedding });
        state.onShed?.(shedding);
        return;
      }
      return json(404, { error: { code: 'not_found', message: 'not found' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { port: (server.address() as AddressInfo).port, close: () => closeServer(server) });
}

export interface WorkerMetricsStandIn {
  port: number;
  /** Waiting jobs per queue it reports. */
  waiting: Record<string, number>;
  close(): Promise<void>;
}

export async function startWorkerMetricsStandIn(waiting: Record<string, number>): Promise<WorkerMetricsStandIn> {
  const state = { waiting };
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const lines = ['# HELP parley_queue_jobs Jobs per queue and state, sampled from BullMQ at scrape time.', '# TYPE parley_queue_jobs gauge'];
    for (const [queue, count] of Object.entries(state.waiting)) {
      lines.push(`parley_queue_jobs{queue="${queue}",state="waiting",service="persistence-worker"} ${count}`);
      lines.push(`parley_queue_jobs{queue="${queue}",state="active",service="persistence-worker"} 1`);
      lines.push(`parley_queue_jobs{queue="${queue}",state="delayed",service="persistence-worker"} 0`);
      lines.push(`parley_queue_jobs{queue="${queue}",state="failed",service="persistence-worker"} 2`);
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { port: (server.address() as AddressInfo).port, close: () => closeServer(server) });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
