/**
 * Runs inside the pod's network namespace (started with `nsenter --net`), the way
 * `kubectl port-forward` reaches a pod: for every `to` port it listens on the unix socket
 * <dir>/to-<port>.sock and connects each connection to 127.0.0.1:<port> in the pod; for every
 * `from` port it listens on 127.0.0.1:<port> in the pod and connects to <dir>/from-<port>.sock,
 * where the host serves (the Kubernetes API server stand-in). Prints `ready` once listening.
 *
 * Usage: node pod-agent.js <dir> <to-ports,comma-separated> <from-ports,comma-separated>
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const [dir = '', toList = '', fromList = ''] = process.argv.slice(2);
const ports = (list: string) => list.split(',').filter(Boolean).map(Number);

function pipe(client: Socket, upstream: Socket) {
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
}

const listening: Promise<void>[] = [];
for (const port of ports(toList)) {
  const path = join(dir, `to-${port}.sock`);
  rmSync(path, { force: true });
  const server = createServer((client) => {
    client.pause();
    const upstream = createConnection({ port, host: '127.0.0.1' }, () => client.resume());
    pipe(client, upstream);
  });
  listening.push(new Promise((resolve) => server.listen(path, resolve)));
}
for (const port of ports(fromList)) {
  const server = createServer((client) => pipe(client, createConnection(join(dir, `from-${port}.sock`))));
  listening.push(new Promise((resolve) => server.listen(port, '127.0.0.1', resolve)));
}
void Promise.all(listening).then(() => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
