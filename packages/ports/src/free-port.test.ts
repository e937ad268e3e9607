import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ephemeralPortRange, freePort } from './free-port.js';

const servers: Server[] = [];
const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
    servers.push(server);
  });

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('freePort', () => {
  it('returns a port that can be listened on, below the range the kernel gives outgoing connections', async () => {
    const port = await freePort();
    const [ephemeralLow] = ephemeralPortRange();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(ephemeralLow);
    await expect(listen(port)).resolves.toBeDefined();
  });

  it('never returns a port that is already taken', async () => {
    const taken = new Set<number>();
    for (let index = 0; index < 20; index += 1) {
      const port = await freePort();
      expect(taken.has(port)).toBe(false);
      await listen(port);
      taken.add(port);
    }
  });

  it('never hands the same port to two callers, although neither has bound it yet', async () => {
    // Both start their search at the same place, as two parallel tests could by chance.
    const first = await freePort('127.0.0.1', { random: () => 0.5 });
    const second = await freePort('127.0.0.1', { random: () => 0.5 });
    expect(second).not.toBe(first);
  });
});
