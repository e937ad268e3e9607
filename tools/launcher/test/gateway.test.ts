import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@parley/ports';
import { rawGet } from '@parley/testing';
import { createGateway } from '../src/gateway.js';
import { INGRESS_ROUTES } from '../src/ingress-routes.js';

const servers: Server[] = [];
let gatewayUrl: string;
let mailboxDir: string;

/** An upstream that answers with its own name and the path it saw. */
async function upstream(name: string): Promise<string> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, path: req.url, xff: req.headers['x-forwarded-for'] ?? null }));
  });
  servers.push(server);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}

const SCRIPT = `export const app = "parley";${' '.repeat(4_000)}`;

/** The web server's way with a hashed asset: a stored brotli file, cached for a year. */
async function precompressingUpstream(): Promise<string> {
  const body = brotliCompressSync(SCRIPT);
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/assets/')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: 'No such file' } }));
      return;
    }
    const brotli = /\bbr\b/.test(String(req.headers['accept-encoding'] ?? ''));
    res.writeHead(200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'Accept-Encoding',
      ...(brotli ? { 'content-encoding': 'br' } : {}),
    });
    res.end(brotli ? body : SCRIPT);
  });
  servers.push(server);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}


beforeAll(async () => {
  const deadPort = await freePort();
  mailboxDir = await mkdtemp(join(tmpdir(), 'parley-gateway-mailbox-'));
  const gateway = createGateway({
    mailboxDir,
    host: '127.0.0.1',
    port: 0,
    routes: INGRESS_ROUTES,
    upstreams: {
      auth: [await upstream('auth')],
      user: [`http://127.0.0.1:${deadPort}`],
      'chat-socket': [await upstream('chat-1'), await upstream('chat-2')],
      web: [await precompressingUpstream()],
    },
  });
  servers.push(gateway);
  const port = await freePort();
  await new Promise<void>((resolve) => gateway.listen(port, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(mailboxDir, { recursive: true, force: true });
});

describe('the local gateway', () => {
  it('routes by path prefix to the service, keeping the full path and adding X-Forwarded-For', async () => {
    const response = await fetch(`${gatewayUrl}/api/v1/auth/login?x=1`);
    expect(await response.json()).toEqual({ name: 'auth', path: '/api/v1/auth/login?x=1', xff: '127.0.0.1' });
  });

  it('passes the web server’s precompressed files through untouched, with their encoding and cache headers', async () => {
    const compressed = await rawGet(`${gatewayUrl}/assets/index-Abc12345.js`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(compressed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(compressed.headers.vary).toBe('Accept-Encoding');
    expect(compressed.body.length).toBeLessThan(SCRIPT.length / 10);
    expect(brotliDecompressSync(compressed.body).toString()).toBe(SCRIPT);
    // The Accept-Encoding of the browser reaches the web server as sent.
    const plain = await rawGet(`${gatewayUrl}/assets/index-Abc12345.js`, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it('answers 502 with the uniform error body when the service behind a path is down', async () => {
    const response = await fetch(`${gatewayUrl}/api/v1/users/me`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
  });

  it('answers 500 for a dev mailbox it cannot read, and keeps serving', async () => {
    const message = { to: 'ada@example.com', subject: 'Your code', text: '123456', from: 'parley@localhost', sentAt: new Date().toISOString() };
    await writeFile(join(mailboxDir, '1-1-1-ada@example.com.json'), JSON.stringify(message));
    const readable = await fetch(`${gatewayUrl}/dev/mailbox?to=ada@example.com`);
    expect(readable.status).toBe(200);
    expect(((await readable.json()) as { messages: unknown[] }).messages).toHaveLength(1);

    await writeFile(join(mailboxDir, '2-1-2-ada@example.com.json'), '{"to": "ada@exa');
    const broken = await fetch(`${gatewayUrl}/dev/mailbox?to=ada@example.com`);
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ error: { code: 'internal', message: 'Cannot read the dev mailbox' } });
    expect((await fetch(`${gatewayUrl}/healthz`)).status).toBe(200);
  });

  it('answers 404 for internal endpoints and unknown API paths', async () => {
    const response = await fetch(`${gatewayUrl}/internal/v1/blocks`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('pins a socket.io client to one instance with the affinity cookie and spreads new clients', async () => {
    const first = await fetch(`${gatewayUrl}/socket.io/?EIO=4&transport=polling`);
    const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^parley_affinity=\d$/);
    const firstName = ((await first.json()) as { name: string }).name;
    for (let i = 0; i < 3; i += 1) {
      const again = await fetch(`${gatewayUrl}/socket.io/?EIO=4&transport=polling&sid=x`, { headers: { cookie } });
      expect(((await again.json()) as { name: string }).name).toBe(firstName);
    }
    const other = await fetch(`${gatewayUrl}/socket.io/?EIO=4&transport=polling`);
    expect(((await other.json()) as { name: string }).name).not.toBe(firstName);
  });
});
