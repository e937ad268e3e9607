import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of Redis that can stop the world after one command: armed with a marker,
 * it forwards client commands whole (RESP arrays, parsed as they stream), and once it has
 * forwarded the first command containing the marker it forwards nothing more from any client
 * and drops their connections. With the server killed right then, Redis crashed exactly after
 * that command: whatever a client meant to send after it never arrived. Until `reopen()`, new
 * connections are closed at once (the test looks at what Redis kept before any client can add
 * to it); afterwards they pass through untouched.
 */
export interface CommandCutProxy {
  url: string;
  /** Cut after the next command whose bytes contain `marker`; resolves once it was forwarded. */
  cutAfter(marker: string): Promise<void>;
  /** Lets clients connect again after a cut. */
  reopen(): void;
  close(): Promise<void>;
}

export async function startCommandCutProxy(target: { host: string; port: number }): Promise<CommandCutProxy> {
  const connections = new Set<{ client: Socket; server: Socket }>();
  let marker: Buffer | undefined;
  let onCut: (() => void) | undefined;
  let closedToNewClients = false;

  const cut = () => {
    marker = undefined;
    closedToNewClients = true;
    for (const { client, server } of connections) {
      client.destroy();
      server.destroy();
    }
    connections.clear();
    onCut?.();
  };

  const proxy: Server = createServer((client) => {
    if (closedToNewClients) {
      client.destroy();
      return;
    }
    const server = connect(target.port, target.host);
    const pair = { client, server };
    connections.add(pair);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (!marker) {
        server.write(chunk);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const length = commandLength(pending);
        if (length < 0) return;
        const command = pending.subarray(0, length);
        pending = pending.subarray(length);
        server.write(command);
        if (marker && command.includes(marker)) {
          cut();
          return;
        }
      }
    });
    server.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => {
      connections.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', close);
    server.on('error', close);
    client.on('close', close);
    server.on('close', close);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;

  return {
    url: `redis://127.0.0.1:${port}`,
    cutAfter(text) {
      marker = Buffer.from(text);
      return new Promise((resolve) => {
        onCut = resolve;
      });
    },
    reopen() {
      closedToNewClients = false;
    },
    async close() {
      for (const { client, server } of connections) {
        client.destroy();
        server.destroy();
      }
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

/** Bytes of the complete RESP command (array of bulk strings) at the start of `buffer`, or -1. */
function commandLength(buffer: Buffer): number {
  if (buffer.length === 0 || buffer[0] !== 0x2a /* '*' */) return buffer.length > 0 ? buffer.length : -1;
  let offset = 0;
  const line = (): number | undefined => {
    const end = buffer.indexOf('\r\n', offset);
    if (end < 0) return undefined;
    const value = Number(buffer.subarray(offset + 1, end).toString());
    offset = end + 2;
    return value;
  };
  const count = line();
  if (count === undefined) return -1;
  for (let index = 0; index < count; index += 1) {
    const size = line();
    if (size === undefined || buffer.length < offset + size + 2) return -1;
    offset += size + 2;
  }
  return offset;
}
