import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface TcpProxySettings {
  target: { host?: string; port: number };
}

/** How the proxy treats the link right now. */
export type TcpProxyMode = 'open' | 'cut' | 'blackhole';

/**
 * A TCP link between a process and a server that a test controls: cut it, make it silent, slow
 * it down, heal it. Point the process at `127.0.0.1:port` instead of the server.
 */
export interface TcpProxy {
  port: number;
  /** `redis://127.0.0.1:<port>`, for a proxy in front of Redis. */
  url: string;
  mode(): TcpProxyMode;
  /** Open connections through the proxy right now. */
  connectionCount(): number;
  /**
   * A hard partition: every open connection is reset, and new ones are accepted and reset at
   * once (the peer sees ECONNRESET, as when a firewall rejects), until `restore()`.
   */
  cut(): void;
  /**
   * A silent partition: connections stay open and new ones are accepted, but no byte goes
   * either way. Bytes are held, not dropped, as TCP retransmits them: a link healed within the
   * retransmission timeout delivers them late, in order. Only a timeout of the peer's own
   * notices anything.
   */
  blackhole(): void;
  /** Adds `ms` before each chunk is forwarded, both ways (0: none); order is kept. */
  delay(ms: number): void;
  /** Heals the link: held bytes flow, new connections pass through; the delay stays as set. */
  restore(): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

interface Direction {
  to: Socket;
  queue: Array<{ due: number; chunk: Buffer }>;
  timer: NodeJS.Timeout | undefined;
}

interface Link {
  client: Socket;
  server: Socket;
  /** Chunks held while the link is silent, per direction, in order. */
  held: Array<{ to: Socket; chunk: Buffer }>;
}

export async function startTcpProxy(settings: TcpProxySettings): Promise<TcpProxy> {
  const host = settings.target.host ?? '127.0.0.1';
  const links = new Set<Link>();
  let mode: TcpProxyMode = 'open';
  let delayMs = 0;
  // Every chunk waits out the delay in its direction's queue and meets the link's state when it
  // is due: a direction's chunks reach the peer (or the held list) in the order they came, even
  // when the delay shrinks meanwhile.
  const deliver = (link: Link, to: Socket, chunk: Buffer) => {
    if (mode === 'blackhole') link.held.push({ to, chunk });
    else if (mode === 'open' && !to.destroyed) to.write(chunk);
  };
  const pump = (link: Link, direction: Direction) => {
    direction.timer = undefined;
    const now = Date.now();
    while (direction.queue.length > 0 && direction.queue[0]!.due <= now) deliver(link, direction.to, direction.queue.shift()!.chunk);
    if (direction.queue.length > 0) direction.timer = setTimeout(() => pump(link, direction), direction.queue[0]!.due - now);
  };
  const forward = (link: Link, direction: Direction, chunk: Buffer) => {
    if (delayMs === 0 && direction.queue.length === 0) {
      deliver(link, direction.to, chunk);
      return;
    }
    direction.queue.push({ due: Date.now() + delayMs, chunk });
    if (!direction.timer) pump(link, direction);
  };

  const destroy = (link: Link) => {
    links.delete(link);
    link.client.resetAndDestroy();
    link.server.resetAndDestroy();
  };

  const listener = createServer((client) => {
    client.on('error', () => undefined);
    if (mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const server = connect(settings.target.port, host);
    const link: Link = { client, server, held: [] };
    links.add(link);
    const upstream: Direction = { to: server, queue: [], timer: undefined };
    const downstream: Direction = { to: client, queue: [], timer: undefined };
    client.on('data', (chunk: Buffer) => forward(link, upstream, chunk));
    server.on('data', (chunk: Buffer) => forward(link, downstream, chunk));
    const end = () => {
      clearTimeout(upstream.timer);
      clearTimeout(downstream.timer);
      if (!links.has(link)) return;
      links.delete(link);
      client.destroy();
      server.destroy();
    };
    server.on('error', end);
    client.on('close', end);
    server.on('close', end);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    mode: () => mode,
    connectionCount: () => links.size,
    cut() {
      mode = 'cut';
      for (const link of [...links]) destroy(link);
    },
    blackhole() {
      mode = 'blackhole';
    },
    delay(ms) {
      delayMs = Math.max(0, ms);
    },
    restore() {
      mode = 'open';
      for (const link of links) {
        const held = link.held.splice(0);
        for (const { to, chunk } of held) if (!to.destroyed) to.write(chunk);
      }
    },
    async close() {
      for (const link of [...links]) destroy(link);
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
