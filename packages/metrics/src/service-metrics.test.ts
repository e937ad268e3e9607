import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceMetrics } from '@parley/metrics';

describe('HTTP request metrics', () => {
  const metrics = createServiceMetrics('metrics-test');
  let base: string;
  let server: ReturnType<ReturnType<typeof express>['listen']>;

  beforeAll(async () => {
    const app = express();
    app.use(metrics.httpMetrics);
    const router = express.Router();
    router.get('/items/:id', (_req, res) => {
      res.json({});
    });
    router.post('/login', () => {
      throw Object.assign(new Error('no'), { status: 401 });
    });
    app.use('/api/v1/things', router);
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(401).json({});
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.close();
  });

  const countOf = async (route: string, status: string) => {
    const text = await metrics.registry.metrics();
    const line = text
      .split('\n')
      .find((candidate) => candidate.startsWith('parley_http_request_duration_seconds_count{') && candidate.includes(`route="${route}"`) && candidate.includes(`status_code="${status}"`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  it('labels requests with the full route template, never the raw URL', async () => {
    await fetch(`${base}/api/v1/things/items/42`);
    await fetch(`${base}/api/v1/things/items/43`);
    expect(await countOf('/api/v1/things/items/:id', '200')).toBe(2);
    expect(await metrics.registry.metrics()).not.toContain('/api/v1/things/items/42');
  });

  it('keeps the mount path for requests whose handler threw', async () => {
    await fetch(`${base}/api/v1/things/login`, { method: 'POST' });
    expect(await countOf('/api/v1/things/login', '401')).toBe(1);
  });

  it('labels requests that matched no route `unmatched`', async () => {
    await fetch(`${base}/nowhere/at/all`);
    expect(await countOf('unmatched', '404')).toBe(1);
  });

  it('exports every status class at 0 from a fresh registry, before any request', async () => {
    const fresh = await createServiceMetrics('fresh-process').registry.metrics();
    for (const statusClass of ['2xx', '3xx', '4xx', '5xx']) {
      expect(fresh).toContain(`parley_http_responses_total{status_class="${statusClass}",service="fresh-process"} 0`);
    }
  });

  it('exports build info (version, revision, Node.js version) with the value 1', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(new RegExp(`parley_build_info\\{version="[^"]+",revision="[^"]+",node_version="${process.versions.node}",service="metrics-test"\\} 1`));
  });

  it('counts responses by status class', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/parley_http_responses_total\{status_class="4xx",service="metrics-test"\} [1-9]/);
  });

  it('labels every series with the service, default metrics included', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/parley_process_cpu_seconds_total\{service="metrics-test"\} /);
    expect(text).toContain('parley_nodejs_eventloop_lag_p99_seconds{service="metrics-test"}');
  });
});
