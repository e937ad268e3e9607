import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, deleteRedisPrefix, testProcessEnv, testRedisPrefix, type TestDatabase } from '@parley/testing';
import { sampleBucket, SAMPLE_BUCKET_ATTRIBUTE, SPANS_PER_MESSAGE_BUDGET } from '@parley/tracing';
import { parseLabelValuesQuery, parsePromQL } from '../src/promql-names.js';
import { SPAN_KIND, startOtlpCollectorStandIn, type OtlpCollectorStandIn, type ReceivedSpan } from './support/otlp-collector-stand-in.js';
import { readRules, shippedExpressions } from './support/observability-files.js';
import { startPlatformServices, type ServiceProcess } from './support/platform-processes.js';
import { moved, Scrape } from './support/prometheus-scrape.js';

/**
 * The built services as separate processes (as the launcher and Kubernetes run them): auth,
 * user, TWO chat-socket pods and the persistence worker, on one fresh database and Redis prefix,
 * exporting traces over OTLP/HTTP (JSON) to a stand-in collector. One message goes from a socket
 * on pod 1 to a socket on pod 2 and through the worker; the test then reads the metrics
 * (/metrics on each admin port, before and after) and the spans the processes exported.
 */
describe('the running platform’s metrics, traces and logs', () => {
  const ORIGIN = 'http://localhost:8080';
  let database: TestDatabase;
  let redisPrefix: string;
  let dataDir: string;
  let collector: OtlpCollectorStandIn;
  let auth: ServiceProcess;
  let user: ServiceProcess;
  let chat1: ServiceProcess;
  let chat2: ServiceProcess;
  let worker: ServiceProcess;
  const processes: ServiceProcess[] = [];
  const sockets: Socket[] = [];
  const before = new Map<string, Scrape>();
  const after = new Map<string, Scrape>();
  let messageId: string;

  beforeAll(async () => {
    database = await createTestDatabase('telemetry');
    redisPrefix = testRedisPrefix('telemetry');
    dataDir = await mkdtemp(join(tmpdir(), 'parley-telemetry-'));
    collector = await startOtlpCollectorStandIn();

    const common = {
      ...testProcessEnv(database.url, redisPrefix, { internalToken: randomBytes(24).toString('base64url') }),
      CORS_ORIGINS: ORIGIN,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    await startPlatformServices({ common, dataDir, chatSocket: { SEND_BURST: '5', SEND_RATE_PER_SECOND: '1' } }, processes);
    [auth, user, chat1, chat2, worker] = processes as [ServiceProcess, ServiceProcess, ServiceProcess, ServiceProcess, ServiceProcess];
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    // SIGTERM: each process drains and flushes its last spans before exiting.
    await Promise.all(processes.map((service) => service.stop()));
    await collector?.close();
    await database?.drop();
    if (redisPrefix) await deleteRedisPrefix(redisPrefix);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  const scrapeAll = async (into: Map<string, Scrape>) => {
    for (const service of processes) into.set(service.name, await Scrape.of(service.adminUrl));
  };

  const call = async (service: ServiceProcess, method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };

  const register = async (name: string) => {
    const suffix = randomBytes(3).toString('hex');
    const account = { email: `${name}.${suffix}@example.com`, username: `${name}_${suffix}`, password: `a long passphrase for ${name} ${suffix}` };
    const response = await call(auth, 'POST', '/api/v1/auth/register', account);
    if (response.status !== 201) throw new Error(`register ${name}: ${response.status} ${JSON.stringify(response.body)}`);
    return { ...account, id: String(response.body.user.id), token: String(response.body.accessToken), refreshToken: String(response.body.refreshToken) };
  };

  const connect = async (service: ServiceProcess, token: string): Promise<Socket> => {
    const socket = connectClient(service.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };

  const eventually = async <T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('moves the named series of every service when one message goes through two chat-socket pods and the worker', async () => {
    await scrapeAll(before);

    const [alice, bob, carol] = [await register('alice'), await register('bob'), await register('carol')];
    expect((await call(auth, 'POST', '/api/v1/auth/login', { login: alice.email, password: alice.password })).status).toBe(200);
    expect((await call(auth, 'POST', '/api/v1/auth/login', { login: alice.email, password: 'not the password at all' })).status).toBe(401);
    expect((await call(auth, 'POST', '/api/v1/auth/refresh', { refreshToken: alice.refreshToken })).status).toBe(200);
    expect((await call(user, 'GET', '/api/v1/users/me', undefined, alice.token)).status).toBe(200);

    const room = await call(chat1, 'POST', '/api/v1/rooms', { name: 'telemetry', memberIds: [bob.id, carol.id] }, alice.token);
    expect(room.status).toBe(201);
    const roomId = String(room.body.id);

    // Alice on pod 1, Bob on pod 2, Carol offline (she gets a notification).
    const aliceSocket = await connect(chat1, alice.token);
    const bobSocket = await connect(chat2, bob.token);
    const received = new Promise<{ id: string }>((resolve) => bobSocket.once('message:new', resolve));
    const ack = (await aliceSocket.timeout(10_000).emitWithAck('message:send', { roomId, clientMsgId: randomUUID(), body: 'one traced message' })) as {
      ok: boolean;
      message: { id: string };
    };
    expect(ack.ok).toBe(true);
    messageId = ack.message.id;
    expect((await received).id).toBe(messageId);

    // Bob floods past his burst of 5: some sends are refused by the rate limit.
    const floods = await Promise.all(
      Array.from({ length: 8 }, (_, index) => bobSocket.timeout(10_000).emitWithAck('message:send', { roomId, clientMsgId: randomUUID(), body: `flood ${index}` })),
    );
    expect(floods.some((reply: { ok: boolean }) => reply.ok === false)).toBe(true);
    bobSocket.disconnect();

    // The worker stored the batches and recorded Carol's notification.
    await eventually('the worker to persist the message and process its notification', async () => {
      const scrape = await Scrape.of(worker.adminUrl);
      const persisted = moved(before.get('persistence-worker')!, scrape, 'parley_persistence_lag_seconds_count');
      const notified = moved(before.get('persistence-worker')!, scrape, 'parley_jobs_completed_total', { queue: 'notifications' });
      return persisted >= 1 && notified >= 1 ? true : undefined;
    });
    await eventually('pod 2 to count the disconnect', async () =>
      ((await Scrape.of(chat2.adminUrl)).value('parley_socket_disconnects_total', { reason: 'client namespace disconnect' }) ?? 0) >= 1 ? true : undefined,
    );
    await scrapeAll(after);

    const delta = (service: string, name: string, labels: Record<string, string> = {}) => moved(before.get(service)!, after.get(service)!, name, labels);

    // auth
    expect(delta('auth', 'parley_auth_registrations_total')).toBe(3);
    expect(delta('auth', 'parley_auth_logins_total', { outcome: 'success' })).toBe(1);
    expect(delta('auth', 'parley_auth_logins_total', { outcome: 'failure' })).toBe(1);
    expect(delta('auth', 'parley_auth_refreshes_total', { outcome: 'success' })).toBe(1);
    expect(after.get('auth')!.value('parley_auth_rate_limit_rejections_total', { limiter: 'login_account_ip' })).toBe(0);
    expect(after.get('auth')!.value('parley_auth_refresh_reuse_detections_total')).toBe(0);
    expect(delta('auth', 'parley_http_request_duration_seconds_count', { route: '/api/v1/auth/login', status_code: '401' })).toBe(1);
    // user
    expect(delta('user', 'parley_http_request_duration_seconds_count', { route: '/api/v1/users/me', method: 'GET' })).toBeGreaterThanOrEqual(1);
    // chat-socket pod 1: accepted Alice's message and acknowledged it.
    expect(delta('chat-socket-1', 'parley_socket_connects_total')).toBe(1);
    expect(delta('chat-socket-1', 'parley_messages_accepted_total')).toBe(1);
    expect(delta('chat-socket-1', 'parley_message_ack_seconds_count')).toBe(1);
    expect(delta('chat-socket-1', 'parley_socket_events_total', { event: 'message:send', outcome: 'ok' })).toBe(1);
    expect(after.get('chat-socket-1')!.value('parley_socket_connected')).toBe(1);
    expect(after.get('chat-socket-1')!.value('parley_rooms_local')).toBe(1);
    // chat-socket pod 2: wrote the broadcast that came through Redis to Bob's socket.
    expect(delta('chat-socket-2', 'parley_fanout_deliveries_total')).toBeGreaterThanOrEqual(1);
    expect(delta('chat-socket-2', 'parley_fanout_latency_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(delta('chat-socket-2', 'parley_send_rate_limited_total')).toBeGreaterThanOrEqual(1);
    expect(delta('chat-socket-2', 'parley_socket_events_total', { event: 'message:send', outcome: 'rate_limited' })).toBeGreaterThanOrEqual(1);
    expect(delta('chat-socket-2', 'parley_socket_disconnects_total', { reason: 'client namespace disconnect' })).toBe(1);
    expect(after.get('chat-socket-2')!.value('parley_adapter_errors_total')).toBe(0);
    // persistence-worker
    expect(delta('persistence-worker', 'parley_persistence_lag_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(delta('persistence-worker', 'parley_job_duration_seconds_count', { queue: 'messages' })).toBeGreaterThanOrEqual(1);
    expect(delta('persistence-worker', 'parley_jobs_completed_total', { queue: 'messages' })).toBeGreaterThanOrEqual(1);
    expect(delta('persistence-worker', 'parley_jobs_completed_total', { queue: 'notifications' })).toBeGreaterThanOrEqual(1);
    for (const queue of ['messages', 'notifications', 'mail']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) expect(after.get('persistence-worker')!.value('parley_queue_jobs', { queue, state }), `${queue} ${state}`).toBeTypeOf('number');
      for (const counter of ['parley_job_retries_total', 'parley_jobs_stalled_total', 'parley_jobs_failed_total']) {
        expect(after.get('persistence-worker')!.value(counter, { queue }), `${counter} ${queue}`).toBe(0);
      }
    }
    // Every process: default process and Node metrics, labelled with its service.
    for (const [name, scrape] of after) {
      const service = name.replace(/-\d$/, '');
      for (const metric of ['parley_process_cpu_seconds_total', 'parley_process_resident_memory_bytes', 'parley_nodejs_eventloop_lag_p99_seconds', 'parley_nodejs_heap_size_used_bytes']) {
        expect(scrape.value(metric, { service }), `${name} ${metric}`).toBeGreaterThan(0);
      }
    }
    // GC durations appear once a process has collected garbage (the histogram is labelled by kind).
    expect([...after.values()].some((scrape) => scrape.names().has('parley_nodejs_gc_duration_seconds_count'))).toBe(true);
  }, 120_000);

  const spansWhere = (predicate: (span: ReceivedSpan) => boolean) => collector.spans.filter(predicate);
  const one = (what: string, predicate: (span: ReceivedSpan) => boolean) =>
    eventually(what, () => spansWhere(predicate)[0]);

  it('follows that message in ONE trace from the socket event through the queue, the insert and its notification', async () => {
    expect(messageId, 'the scenario ran').toBeDefined();
    const enqueue = await one('the chat-socket enqueue span of the message', (span) => span.service === 'chat-socket' && span.name === 'messages enqueue' && span.attributes['parley.message.id'] === messageId);
    const traceId = enqueue.traceId;
    const inTrace = (name: string, service: string) => one(`${service} span "${name}" in the message's trace`, (span) => span.traceId === traceId && span.name === name && span.service === service);

    const send = await inTrace('socket message:send', 'chat-socket');
    const processing = await inTrace('messages process', 'persistence-worker');
    const insert = await inTrace('INSERT chat.messages', 'persistence-worker');
    const notificationEnqueue = await inTrace('notifications enqueue', 'persistence-worker');
    const notification = await inTrace('notifications message', 'persistence-worker');

    expect(send).toMatchObject({ kind: SPAN_KIND.server, parentSpanId: undefined });
    expect(enqueue).toMatchObject({ kind: SPAN_KIND.producer, parentSpanId: send.spanId });
    expect(processing).toMatchObject({ kind: SPAN_KIND.consumer, parentSpanId: enqueue.spanId });
    expect(insert).toMatchObject({ kind: SPAN_KIND.client, parentSpanId: processing.spanId });
    expect(insert.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'parley.message.duplicate': false });
    expect(notificationEnqueue).toMatchObject({ kind: SPAN_KIND.producer, parentSpanId: processing.spanId });
    expect(notification).toMatchObject({ kind: SPAN_KIND.consumer, parentSpanId: notificationEnqueue.spanId });

    // The span budget: at most SPANS_PER_MESSAGE_BUDGET spans in a message's trace (the
    // notification's SQL and publish stay inside its one span); the batches' work is in theirs.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const inMessageTrace = spansWhere((span) => span.traceId === traceId).map((span) => `${span.service} ${span.name}`);
    expect(inMessageTrace.length, inMessageTrace.join(', ')).toBeLessThanOrEqual(SPANS_PER_MESSAGE_BUDGET);
    expect(spansWhere((span) => span.parentSpanId === notification.spanId)).toEqual([]);

    // The batches that carried the message: their own traces, linked to the message's spans.
    const acceptBatch = await one('the accept batch span linked to the send', (span) => span.name === 'messages accept' && span.links.some((link) => link.spanId === send.spanId));
    const persistJob = await one('the persist job span linked to the enqueue', (span) => span.name === 'messages persist' && span.links.some((link) => link.spanId === enqueue.spanId));
    expect(enqueue.links).toEqual([{ traceId: acceptBatch.traceId, spanId: acceptBatch.spanId }]);
    expect(processing.links).toEqual([{ traceId: persistJob.traceId, spanId: persistJob.spanId }]);
    expect(persistJob.traceId).toBe(acceptBatch.traceId);
    // Sampled together: the batch's bucket is at most the message's (the collector keeps low buckets).
    expect(enqueue.attributes[SAMPLE_BUCKET_ATTRIBUTE]).toBe(sampleBucket(messageId));
    expect(acceptBatch.attributes[SAMPLE_BUCKET_ATTRIBUTE]).toBeLessThanOrEqual(sampleBucket(messageId));
    // Nothing personal in any exported span: no emails, no client addresses.
    const leaked = collector.spans.filter((span) => JSON.stringify(span.attributes).match(/@example\.com|"client\.address"|"network\.peer\.address"/));
    expect(leaked.map((span) => `${span.service} ${span.name}`)).toEqual([]);
    // ioredis spans under the accept batch (a socket send needs no SQL there: its membership is
    // the socket's room channel), pg spans in chat-socket elsewhere (the handshake's room query),
    // and the batch INSERT under the persist job.
    await one('an ioredis span under the accept batch', (span) => span.service === 'chat-socket' && span.traceId === acceptBatch.traceId && isRedisSpan(span));
    await one('a pg span in chat-socket (the handshake reads the member’s rooms)', (span) => span.service === 'chat-socket' && isPostgresSpan(span));
    await one('the batch INSERT as a pg span under the persist job', (span) => span.service === 'persistence-worker' && span.parentSpanId === persistJob.spanId && isPostgresSpan(span));
    expect(collector.rejected).toEqual([]);
  }, 60_000);

  it('writes the active trace and span ids into log lines, so a request’s logs find its trace', async () => {
    const logged = await eventually('the failed login’s request log line', () =>
      auth
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg?: string; trace_id?: string; span_id?: string; req?: { url?: string }; res?: { statusCode?: number } })
        .find((line) => line.req?.url === '/api/v1/auth/login' && line.res?.statusCode === 401),
    );
    expect(logged.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(logged.span_id).toMatch(/^[0-9a-f]{16}$/);
    const server = await one('the failed login’s server span', (span) => span.service === 'auth' && span.traceId === logged.trace_id && span.kind === SPAN_KIND.server);
    expect(server.attributes['http.response.status_code'] ?? server.attributes['http.status_code']).toBe(401);
  }, 30_000);

  it('exports every series the dashboards and the rules name (or the rules record)', () => {
    expect(after.size, 'the scenario ran').toBe(5);
    const exported = new Set<string>();
    for (const scrape of after.values()) for (const name of scrape.names()) exported.add(name);
    const recorded = new Set(readRules().flatMap((rule) => (rule.record ? [rule.record] : [])));
    const missing: string[] = [];
    for (const { where, expr, kind } of shippedExpressions()) {
      const { metrics } = kind === 'label_values' ? parseLabelValuesQuery(expr) : parsePromQL(expr);
      // `up` is Prometheus' own series about each scrape.
      for (const metric of metrics) if (metric !== 'up' && !exported.has(metric) && !recorded.has(metric)) missing.push(`${where}: ${metric}`);
    }
    expect(missing).toEqual([]);
  });
});

function isPostgresSpan(span: ReceivedSpan): boolean {
  return span.attributes['db.system'] === 'postgresql' || span.attributes['db.system.name'] === 'postgresql';
}

function isRedisSpan(span: ReceivedSpan): boolean {
  return span.attributes['db.system'] === 'redis' || span.attributes['db.system.name'] === 'redis';
}
