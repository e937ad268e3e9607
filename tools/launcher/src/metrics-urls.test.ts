import { describe, expect, it } from 'vitest';
import { instanceKey, metricsUrls, SERVICES, type PlatformContext } from './service-catalog.js';

describe('the metrics URLs the launcher prints', () => {
  it('names each instance’s admin port, the web static server’s included (its public port answers 404)', () => {
    const instances = SERVICES.flatMap((service) => Array.from({ length: service.instances ?? 1 }, (_, index) => ({ service, key: instanceKey(service.name, index) })));
    const ports: Record<string, number> = {};
    const metricsPorts: Record<string, number> = {};
    instances.forEach(({ key }, index) => {
      ports[key] = 4000 + index;
      metricsPorts[key] = 4100 + index;
    });
    const context = { host: '127.0.0.1', ports, metricsPorts } as unknown as PlatformContext;
    const urls = Object.fromEntries(metricsUrls(context, instances).map(({ key, url }) => [key, url]));
    expect(urls.web).toBe(`http://127.0.0.1:${metricsPorts.web}/metrics`);
    expect(urls['chat-socket#2']).toBe(`http://127.0.0.1:${metricsPorts['chat-socket#2']}/metrics`);
    expect(urls.auth).toBe(`http://127.0.0.1:${metricsPorts.auth}/metrics`);
    for (const { key } of instances) expect(urls[key]).not.toContain(`:${ports[key]}/`);
  });
});
