import { mkdirSync, openSync, closeSync, statSync, unlinkSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOWEST_PORT = 20_000;
const ATTEMPTS = 200;
/** Where ports handed out lately are claimed, for every process of this machine (one file each). */
const CLAIMS = join(tmpdir(), 'parley-port-claims');
/** Longer than any process takes from being given a port to binding it. */
const CLAIM_MS = 10 * 60_000;

/**
 * Claims `port` for this caller unless another process (a parallel test, another launcher)
 * was handed it within CLAIM_MS: the port stays free until its process binds it, so a bind
 * test alone cannot tell two callers apart.
 */
function claim(port: number): boolean {
  const file = join(CLAIMS, String(port));
  try {
    mkdirSync(CLAIMS, { recursive: true });
  } catch {
    return true; // Nowhere to claim (a read-only filesystem): the bind test alone decides.
  }
  try {
    if (Date.now() - statSync(file).mtimeMs < CLAIM_MS) return false;
    unlinkSync(file);
  } catch {
    // No claim yet (or another caller removed the stale one first).
  }
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EEXIST';
  }
}

/**
 * The range the kernel picks source ports of outgoing connections from (Linux:
 * `net.ipv4.ip_local_port_range`; elsewhere the IANA range).
 */
export function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // Not Linux: fall through.
  }
  return [49_152, 65_535];
}

/**
 * A port free on `host` right now, for a process that will listen on it a moment later. Taken
 * below the ephemeral range: a port the OS hands out for `listen(0)` is also a candidate source
 * port for the next outgoing connection (a database client, a Redis connection), which can take
 * it before the process binds it (EADDRINUSE). Ports outside that range are only ever taken by
 * someone binding them on purpose; the random start keeps parallel callers apart.
 */
export async function freePort(host = '127.0.0.1', options: { random?: () => number } = {}): Promise<number> {
  const [ephemeralLow] = ephemeralPortRange();
  const highest = ephemeralLow - 1;
  if (highest - LOWEST_PORT < ATTEMPTS) return listenOnce(host, 0);
  const span = highest - LOWEST_PORT + 1;
  const start = LOWEST_PORT + Math.floor((options.random ?? Math.random)() * span);
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const port = LOWEST_PORT + ((start - LOWEST_PORT + attempt) % span);
    const bound = await listenOnce(host, port).catch(() => undefined);
    if (bound !== undefined && claim(bound)) return bound;
  }
  return listenOnce(host, 0);
}

function listenOnce(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}
