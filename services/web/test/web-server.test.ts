import { createServer, type Server } from 'node:http';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { serveHttpApp } from '@parley/lifecycle';
import { createLogger } from '@parley/logger';
import { rawGet } from '@parley/testing';
import { createWebApp, type WebApp } from '../server/app.js';
import { loadWebConfig } from '../server/config.js';

const STYLE = 'body{color:red}';
const INDEX = `<!doctype html><html><head><title>Parley</title><style>${STYLE}</style></head><body><div id="root"></div></body></html>`;
const HASHED = 'index-D_mKs-0b.js';
const SCRIPT = `console.log("parley");${' '.repeat(2_000)}`;


let staticDir: string;
let web: WebApp;
let server: Server;
let base: string;

async function start(dir: string): Promise<{ web: WebApp; server: Server; base: string }> {
  const app = await createWebApp(loadWebConfig({ STATIC_DIR: dir, LOG_LEVEL: 'silent' }), { logger: createLogger({ service: 'web', level: 'silent' }) });
  const listening = createServer(app.handler);
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const address = listening.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { web: app, server: listening, base: `http://127.0.0.1:${port}` };
}

const stop = (listening: Server) => new Promise<void>((resolve) => listening.close(() => resolve()));

beforeAll(async () => {
  staticDir = await mkdtemp(join(tmpdir(), 'parley-web-'));
  await mkdir(join(staticDir, 'assets'));
  await writeFile(join(staticDir, 'index.html'), INDEX);
  await writeFile(join(staticDir, 'index.html.br'), brotliCompressSync(INDEX));
  await writeFile(join(staticDir, 'index.html.gz'), gzipSync(INDEX));
  await writeFile(join(staticDir, 'assets', HASHED), SCRIPT);
  await writeFile(join(staticDir, 'assets', `${HASHED}.br`), brotliCompressSync(SCRIPT));
  await writeFile(join(staticDir, 'assets', `${HASHED}.gz`), gzipSync(SCRIPT));
  await writeFile(join(staticDir, 'assets', `${HASHED}.map`), '{"version":3}');
  await writeFile(join(staticDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  ({ web, server, base } = await start(staticDir));
});

afterAll(async () => {
  await stop(server);
  await web.close();
  await rm(staticDir, { recursive: true, force: true });
});

describe('the web server', () => {
  it('serves index.html at / with no-cache, so a deploy is picked up at once', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toBe(INDEX);
  });

  it('sends the stored brotli or gzip file by Accept-Encoding (q-values respected), varying by it, and the plain file to others', async () => {
    const asset = `${base}/assets/${HASHED}`;
    const brotli = await rawGet(asset, { 'accept-encoding': 'gzip, deflate, br' });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers['content-type']).toMatch(/javascript/);
    expect(brotli.headers.vary).toMatch(/Accept-Encoding/i);
    expect(brotli.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(brotli.body).toString()).toBe(SCRIPT);
    expect(brotli.body.length).toBeLessThan(SCRIPT.length / 10);

    const gzip = await rawGet(asset, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);
    expect((await rawGet(asset, { 'accept-encoding': 'br;q=0.1, gzip;q=0.9' })).headers['content-encoding']).toBe('gzip');

    const plain = await rawGet(asset, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
    expect(plain.body.toString()).toBe(SCRIPT);

    // Each representation has its own validator, so a 304 never confirms the wrong one.
    expect(brotli.headers.etag).not.toBe(gzip.headers.etag);
    expect((await rawGet(asset, { 'accept-encoding': 'br', 'if-none-match': String(brotli.headers.etag) })).status).toBe(304);
  });

  it('sends index.html compressed too, for / and for client-side routes', async () => {
    for (const path of ['/', '/rooms/6f1c1b0e-8a5a-4c4e-9a53-0e0f6f7b6c1d', '/index.html']) {
      const page = await rawGet(`${base}${path}`, { 'accept-encoding': 'br' });
      expect(page.headers['content-encoding'], path).toBe('br');
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(brotliDecompressSync(page.body).toString()).toBe(INDEX);
    }
  });

  it('never serves a source map, even one left in the build folder', async () => {
    const map = await fetch(`${base}/assets/${HASHED}.map`);
    expect(map.status).toBe(404);
    expect(await map.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('does not serve files outside the build folder or dotfiles', async () => {
    for (const path of ['/..%2Fpackage.json', '/assets/..%2F..%2Fetc%2Fpasswd', '/.env', '/%E0%A4%A']) {
      const response = await rawGet(`${base}${path}`);
      expect(response.status === 404 || response.body.toString() === INDEX, path).toBe(true);
    }
  });

  it('answers client-side routes (a reload on /rooms/<id>) with index.html', async () => {
    const response = await fetch(`${base}/rooms/6f1c1b0e-8a5a-4c4e-9a53-0e0f6f7b6c1d`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toBe(INDEX);
  });

  it('caches content-hashed assets for a year, as immutable', async () => {
    const response = await fetch(`${base}/assets/${HASHED}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('revalidates files without a content hash', async () => {
    const response = await fetch(`${base}/favicon.svg`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers 404 for a missing asset instead of the app page', async () => {
    for (const path of ['/assets/index-gone1234.js', '/missing.png']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('never answers API or socket paths with the app page', async () => {
    for (const path of ['/api/v1/rooms', '/socket.io/?EIO=4', '/internal/v1/x']) {
      expect((await fetch(`${base}${path}`)).status).toBe(404);
    }
  });

  it('sends a strict Content-Security-Policy and the other security headers', async () => {
    const response = await fetch(`${base}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws: wss:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    // The inline style sheet of index.html, and only it, by its hash.
    expect(csp).toContain(`style-src 'self' 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`);
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('refuses other methods than GET and HEAD on pages', async () => {
    expect((await fetch(`${base}/`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${base}/rooms`, { method: 'POST' })).status).toBe(404);
  });

  it('serves /healthz and /readyz, but not /metrics, on its public port (the Ingress routes `/` there)', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { build: 'ok' } });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(404);
    expect(await metrics.text()).not.toContain('parley_http_request_duration_seconds');
  });

  it('serves /metrics, /healthz and /readyz on its admin port (METRICS_PORT), as main.ts runs it', async () => {
    const config = loadWebConfig({ STATIC_DIR: staticDir, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0' });
    expect(loadWebConfig({ STATIC_DIR: staticDir }).METRICS_PORT).toBe(9468);
    const logger = createLogger({ service: 'web', level: 'silent' });
    const app = await createWebApp(config, { logger });
    const serving = await serveHttpApp(app, {
      name: 'web server',
      host: config.HOST,
      port: config.PORT,
      adminPort: config.METRICS_PORT,
      logger,
      shutdownTimeoutMs: 1_000,
      exit: () => undefined,
    });
    try {
      const publicUrl = `http://127.0.0.1:${(serving.server.address() as AddressInfo).port}`;
      const adminUrl = `http://127.0.0.1:${(serving.adminServer!.address() as AddressInfo).port}`;
      expect(adminUrl).not.toBe(publicUrl);
      expect((await fetch(`${publicUrl}/`)).status).toBe(200);
      expect((await fetch(`${publicUrl}/metrics`)).status).toBe(404);
      const metrics = await fetch(`${adminUrl}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain('parley_http_request_duration_seconds');
      expect(text).toContain('service="web"');
      expect((await fetch(`${adminUrl}/readyz`)).status).toBe(200);
      expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200);
      // The admin port serves nothing of the site.
      expect((await fetch(`${adminUrl}/`)).status).toBe(404);
    } finally {
      await serving.shutdown.shutdown('test');
    }
  });

  it('is not ready while there is no build, and says so instead of serving a broken page', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'parley-web-empty-'));
    const unbuilt = await start(empty);
    try {
      const ready = await fetch(`${unbuilt.base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'unavailable', checks: { build: expect.stringMatching(/^failed: no index.html/) } });
      const page = await fetch(`${unbuilt.base}/`);
      expect(page.status).toBe(503);
      expect(await page.json()).toMatchObject({ error: { code: 'unavailable' } });
    } finally {
      await stop(unbuilt.server);
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('turns readiness off when draining, for the load balancer, while still serving', async () => {
    const draining = await start(staticDir);
    try {
      draining.web.markDraining();
      expect((await fetch(`${draining.base}/readyz`)).status).toBe(503);
      expect((await fetch(`${draining.base}/`)).status).toBe(200);
    } finally {
      await stop(draining.server);
    }
  });
});

describe('the web server configuration', () => {
  it('defaults to port 8085 and the dist folder beside the server', () => {
    const config = loadWebConfig({});
    expect(config.PORT).toBe(8085);
    expect(config.STATIC_DIR).toMatch(/services[\\/]web[\\/]dist$/);
  });

  it('lists every invalid variable at once', () => {
    expect(() => loadWebConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(/PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/);
  });

  it('resolves a relative STATIC_DIR from the working directory', () => {
    expect(loadWebConfig({ STATIC_DIR: 'somewhere/dist' }).STATIC_DIR).toBe(join(process.cwd(), 'somewhere/dist'));
  });
});
