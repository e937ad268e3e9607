import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createHealthRouter } from '@parley/health';
import { createAdminApp, createHttpApp, finishHttpApp } from '@parley/http';
import { createLogger } from '@parley/logger';
import { createServiceMetrics } from '@parley/metrics';
import { serveHttpApp } from '@parley/lifecycle';

const logger = createLogger({ service: 'lifecycle-test', level: 'silent' });
const portOf = (server: { address(): unknown }) => (server.address() as AddressInfo).port;

function buildApp() {
  const metrics = createServiceMetrics('lifecycle-test');
  const health = createHealthRouter({});
  const app = createHttpApp({ logger, metrics, health: health.router, corsOrigins: [], publicMetrics: false });
  app.get('/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  finishHttpApp(app);
  let closed = false;
  return {
    servable: {
      handler: app,
      adminHandler: createAdminApp({ metrics, health: health.router }),
      markDraining: health.markDraining,
      close: async () => {
        closed = true;
      },
    },
    closed: () => closed,
  };
}

describe('serveHttpApp with an admin port', () => {
  it('serves /metrics on the admin port only, health on both, and the API on the public port only', async () => {
    const { servable, closed } = buildApp();
    let exitCode: number | undefined;
    const serving = await serveHttpApp(servable, {
      name: 'lifecycle-test',
      host: '127.0.0.1',
      port: 0,
      adminPort: 0,
      logger,
      shutdownTimeoutMs: 1_000,
      exit: (code) => {
        exitCode = code;
      },
    });
    const publicUrl = `http://127.0.0.1:${portOf(serving.server)}`;
    const adminUrl = `http://127.0.0.1:${portOf(serving.adminServer!)}`;
    expect(portOf(serving.adminServer!)).not.toBe(portOf(serving.server));

    expect((await fetch(`${publicUrl}/hello`)).status).toBe(200);
    expect((await fetch(`${publicUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${publicUrl}/readyz`)).status).toBe(200);

    const scrape = await fetch(`${adminUrl}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const text = await scrape.text();
    expect(text).toContain('parley_process_cpu_seconds_total');
    const helloCount = text.split('\n').find((line) => line.startsWith('parley_http_request_duration_seconds_count{') && line.includes('route="/hello"'));
    expect(helloCount).toContain('service="lifecycle-test"');
    expect(helloCount).toMatch(/ 1$/);
    expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${adminUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${adminUrl}/hello`)).status).toBe(404);

    await serving.shutdown.shutdown('test');
    expect(closed()).toBe(true);
    expect(exitCode).toBe(0);
    expect(serving.server.listening).toBe(false);
    expect(serving.adminServer!.listening).toBe(false);
  });

  it('starts no admin server without an admin port, and fails to start when the admin port is taken', async () => {
    const { servable } = buildApp();
    const serving = await serveHttpApp(servable, { name: 'no-admin', host: '127.0.0.1', port: 0, logger, shutdownTimeoutMs: 1_000, exit: () => undefined });
    expect(serving.adminServer).toBeUndefined();

    const taken = portOf(serving.server);
    const { servable: second } = buildApp();
    await expect(
      serveHttpApp(second, { name: 'clash', host: '127.0.0.1', port: 0, adminPort: taken, logger, shutdownTimeoutMs: 1_000, exit: () => undefined }),
    ).rejects.toThrow(/EADDRINUSE/);
    await serving.shutdown.shutdown('test');
  });

  it('keeps /metrics on the public app for services without an admin port', async () => {
    const metrics = createServiceMetrics('legacy');
    const app = createHttpApp({ logger, metrics, health: createHealthRouter({}).router, corsOrigins: [] });
    finishHttpApp(app);
    const server = express().use(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      expect((await fetch(`http://127.0.0.1:${portOf(server)}/metrics`)).status).toBe(200);
    } finally {
      server.close();
    }
  });
});
