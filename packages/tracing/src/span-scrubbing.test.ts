import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parleyTracer, startTracing, type TracingHandle } from '@parley/tracing';
import { scrubAttributes } from './span-scrubbing.js';

describe('span attributes leave the process scrubbed', () => {
  it('drops client addresses and user agents, and replaces emails, IPs, JWTs and bearer tokens anywhere', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';
    const attributes: Record<string, unknown> = {
      'client.address': '203.0.113.9',
      'network.peer.address': '::ffff:10.0.0.1',
      'user_agent.original': 'Mozilla/5.0',
      'db.statement': 'eval parley:rl:login:alice@example.com:203.0.113.9 1',
      'db.statement.v6': 'get parley:rl:register:2001:db8:85a3:0:0:8a2e:370:7334',
      'http.request.header.authorization': [`Bearer ${jwt}`],
      'parley.note': `token ${jwt} for bob.smith+tag@mail.example.org`,
      'url.full': 'http://chat.example/api/v1/rooms/invites/Zm9vYmFyYmF6cXV4cXV1eGNvcmdl?token=secret',
      'http.target': '/api/v1/rooms/3f1c2a9e-1b2c-4d5e-8f90-123456789abc/messages?beforeSeq=4',
      'parley.message.id': '7254378391827382272',
      'db.system.name': 'redis',
    };
    scrubAttributes(attributes);
    expect(attributes).toEqual({
      'db.statement': 'eval parley:rl:login:[email]:[ip] 1',
      'db.statement.v6': 'get parley:rl:register:[ip]',
      'http.request.header.authorization': ['Bearer [token]'],
      'parley.note': 'token [token] for [email]',
      'url.full': 'http://chat.example/api/v1/rooms/invites/[token]',
      'http.target': '/api/v1/rooms/3f1c2a9e-1b2c-4d5e-8f90-123456789abc/messages',
      'parley.message.id': '7254378391827382272',
      'db.system.name': 'redis',
    });
  });

  describe('through the SDK as services start it', () => {
    const exporter = new InMemorySpanExporter();
    let tracing: TracingHandle | undefined;

    beforeAll(() => {
      tracing = startTracing({ serviceName: 'scrubbing-test', exporter });
    });

    afterAll(async () => {
      await tracing?.shutdown();
    });

    it('scrubs a span’s attributes and events before the exporter sees them', async () => {
      const span = parleyTracer('test').startSpan('rate limit', { attributes: { 'db.statement': 'incr parley:rl:login_ip:198.51.100.7', 'client.address': '198.51.100.7' } });
      span.addEvent('looked up', { who: 'carol@example.com' });
      span.end();
      await tracing!.flush();
      const [exported] = exporter.getFinishedSpans().filter((candidate) => candidate.name === 'rate limit');
      expect(exported?.attributes).toEqual({ 'db.statement': 'incr parley:rl:login_ip:[ip]' });
      expect(exported?.events[0]?.attributes).toEqual({ who: '[email]' });
    });
  });
});
