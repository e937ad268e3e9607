import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseMessageInserts } from '@parley/testing';
import { MESSAGE_QUEUES } from '../src/rules/message-shards.js';
import { startChatLoad, type ChatLoad } from './support/chat-load.js';
import { countDeadLetters, countStoredMessages } from './support/stored-messages.js';
import { eventually, SECOND, startLivePlatform, type LivePlatform, type RegisteredUser } from './support/live-platform.js';
import { readDashboards } from './support/observability-files.js';

/**
 * The telemetry checked against the running platform by a real Prometheus (Debian's), as an
 * SRE would meet it: the built services as processes on a PRIVATE PostgreSQL (this test stops
 * it and breaks its writes) and a Redis key prefix of their own, Prometheus scraping every admin
 * port each second with the project's rule files, a steady send load, then faults: jobs failing
 * with the worker and PostgreSQL up, the worker stopped, PostgreSQL stopped, a burst of sockets
 * dropped. Each expected alert must go pending and firing; no timing is asserted beyond what the
 * alerts' own thresholds and `for:` clauses imply (the deadlines below add generous slack for a
 * busy two-core machine).
 *
 * Run with `npm run test:telemetry` (about 10 minutes: the alerts' `for:` clauses run in real time).
 */
const NAMESPACE = 'live';

describe('telemetry that tells the truth when things break (live Prometheus)', () => {
  let platform: LivePlatform;
  let load: ChatLoad | undefined;
  let users: RegisteredUser[] = [];

  beforeAll(async () => {
    platform = await startLivePlatform(NAMESPACE);
  }, 180 * SECOND);

  afterAll(async () => {
    await load?.stop();
    await platform?.stop();
  }, 60 * SECOND);

  const service = (name: string) => platform.service(name);
  const call = (...args: Parameters<LivePlatform['call']>) => platform.call(...args);
  const alertState = (alertname: string) => platform.alertState(alertname);
  const alertReaches = (alertname: string, state: 'pending' | 'firing', timeoutMs: number) => platform.alertReaches(alertname, state, timeoutMs);
  const value = (expr: string) => platform.value(expr);

  it('loads every rule file without errors', async () => {
    const rules = await eventually('the rules to be evaluated', async () => {
      const loaded = await platform.prometheus.rules();
      return loaded.length > 0 && loaded.every((rule) => rule.health !== 'unknown') ? loaded : undefined;
    }, 30 * SECOND);
    expect(rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError}`)).toEqual([]);
  }, 60 * SECOND);

  it('answers every dashboard expression with data under load (never "No data")', async () => {
    const created = await Promise.all(Array.from({ length: 8 }, (_, index) => platform.register(`load${index}`)));
    users = created;
    const room = await call('chat-socket-1', 'POST', '/api/v1/rooms', { name: 'live truth', memberIds: created.slice(1).map((user) => user.id) }, created[0]!.token);
    expect(room.status).toBe(201);
    const roomId = String(room.body.id);
    // 8 senders, one message each per 400 ms: 20 messages/s, 160 deliveries/s.
    load = await startChatLoad([service('chat-socket-1').url, service('chat-socket-2').url], created, roomId, 400);
    // HTTP traffic of every kind the dashboards show: logins that succeed and fail, reads.
    for (const user of created.slice(0, 3)) {
      await call('auth', 'POST', '/api/v1/auth/login', { login: user.email, password: user.password });
      await call('auth', 'POST', '/api/v1/auth/login', { login: user.email, password: 'not the password at all' });
      await call('user', 'GET', '/api/v1/users/me', undefined, user.token);
    }

    const expressions = readDashboards().flatMap(({ file, dashboard }) =>
      dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `${file} "${panel.title}" ${target.refId}`, expr: target.expr }))),
    );
    const substituted = (expr: string) => expr.replaceAll('$__rate_interval', '1m').replaceAll('$namespace', NAMESPACE).replaceAll('$queue', '.*');
    const empty = await eventually(
      'every dashboard expression to return data',
      async () => {
        const missing: string[] = [];
        for (const { where, expr } of expressions) if ((await platform.prometheus.query(substituted(expr))).length === 0) missing.push(where);
        return missing.length === 0 ? missing : undefined;
      },
      120 * SECOND,
    ).catch(async () => {
      const missing: string[] = [];
      for (const { where, expr } of expressions) if ((await platform.prometheus.query(substituted(expr))).length === 0) missing.push(`${where}: ${expr}`);
      return missing;
    });
    expect(empty).toEqual([]);
    expect(load.outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    // Healthy: the ledger is drained as fast as messages come.
    expect(await value(`namespace:parley_persistence_lag_oldest_seconds:max{namespace="${NAMESPACE}"}`)).toBeLessThan(20);
    expect(await alertState('ParleyMessagesNotPersisted')).toBeUndefined();
  }, 200 * SECOND);

  it('pages ParleyMessagesNotPersisted while every messages job fails with the worker and PostgreSQL up, retries rather than sets messages aside, and stores every acknowledged message once the cause is gone', async () => {
    // Before the worker is restarted below: this reads the worker's own series (retries, failures).
    expect(load, 'the load runs').toBeDefined();
    const databaseUrl = platform.postgres.url;
    const failedForGood = `sum(parley_jobs_failed_total{namespace="${NAMESPACE}", queue=~"${MESSAGE_QUEUES}"})`;
    const [deadLettersBefore, failedForGoodBefore] = [await countDeadLetters(databaseUrl), await value(failedForGood)];
    // Every insert into chat.messages refused with 53100 disk_full (not a data error).
    const refused = await refuseMessageInserts(databaseUrl);
    let ackedWhileFailing = 0;
    try {
      // Pending once the oldest unstored message is 20 s old; firing after `for: 1m`.
      await alertReaches('ParleyMessagesNotPersisted', 'pending', 60 * SECOND);
      const firstAckedWhilePending = load!.acked.length;
      await alertReaches('ParleyMessagesNotPersisted', 'firing', 120 * SECOND);
      // Neither the worker nor PostgreSQL is down (scraped within 30 s: one slow scrape on a busy
      // machine is not an outage): its jobs run, fail, and are retried.
      expect(await value(`max(max_over_time(up{namespace="${NAMESPACE}", job="persistence-worker"}[30s]))`)).toBe(1);
      expect(await value(`sum(increase(parley_job_retries_total{namespace="${NAMESPACE}", queue=~"${MESSAGE_QUEUES}"}[1m]))`)).toBeGreaterThan(0);
      // Retried, not set aside (an outage is not bad data) nor failed for good (attempts left).
      expect(await countDeadLetters(databaseUrl)).toBe(deadLettersBefore);
      expect(await value(failedForGood)).toBe(failedForGoodBefore);
      expect(await alertState('ParleyMessagesDeadLettered')).toBeUndefined();
      expect(await alertState('ParleyMessageJobsFailed')).toBeUndefined();
      // Sends were still acknowledged, and none of those reached PostgreSQL.
      const acknowledged = load!.acked.slice(firstAckedWhilePending);
      ackedWhileFailing = acknowledged.length;
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(await countStoredMessages(databaseUrl, acknowledged)).toBe(0);
    } finally {
      await refused.allow();
    }

    // Each failed job is retried after its backoff (jittered, doubling from 1 s, never over 5
    // minutes: about 2 minutes at most after the 90 s or so of failures above), so every message
    // acknowledged so far ends up stored.
    const acked = load!.acked.slice();
    const stored = await eventually('every acknowledged message to be stored', async () => {
      const count = await countStoredMessages(databaseUrl, acked);
      return count === acked.length ? count : undefined;
    }, 300 * SECOND).catch(() => countStoredMessages(databaseUrl, acked));
    expect(stored).toBe(acked.length);
    console.info(`${acked.length} messages acknowledged since the load began, ${stored} of them stored (${ackedWhileFailing} acknowledged while the alert was pending, none stored then)`);
    await eventually('the alert to clear', async () => {
      const lag = await value(`max(parley_persistence_lag_oldest_seconds{namespace="${NAMESPACE}"})`);
      return lag < 20 && (await alertState('ParleyMessagesNotPersisted')) === undefined ? true : undefined;
    }, 60 * SECOND);
    expect(await countDeadLetters(databaseUrl)).toBe(deadLettersBefore);
  }, 600 * SECOND);

  it('pages ParleyMessagesNotPersisted while the worker is stopped, with the backlog counted in messages by chat-socket, and clears once it is back', async () => {
    expect(load, 'the load runs').toBeDefined();
    const before = load!.outcomes.get('ok') ?? 0;
    await platform.stopWorker();
    // Pending once the oldest unstored message is 20 s old; firing after `for: 1m`.
    await alertReaches('ParleyMessagesNotPersisted', 'pending', 60 * SECOND);
    await alertReaches('ParleyMessagesNotPersisted', 'firing', 120 * SECOND);
    // The queue signals did not vanish with the worker: chat-socket exports them.
    expect(await value(`max(parley_messages_unpersisted{namespace="${NAMESPACE}", job="chat-socket"})`)).toBeGreaterThan(0);
    expect(await value(`max(parley_queue_jobs{namespace="${NAMESPACE}", job="chat-socket", queue="messages", state="waiting"})`)).toBeGreaterThan(0);
    expect(await value(`max(parley_queue_oldest_waiting_age_seconds{namespace="${NAMESPACE}", queue="messages"})`)).toBeGreaterThan(20);
    // Sends were still acknowledged meanwhile (Redis holds them).
    expect(load!.outcomes.get('ok') ?? 0).toBeGreaterThan(before);

    await platform.startWorker();
    await eventually('the backlog to drain and the alert to clear', async () => {
      const lag = await value(`max(parley_persistence_lag_oldest_seconds{namespace="${NAMESPACE}"})`);
      return lag < 20 && (await alertState('ParleyMessagesNotPersisted')) === undefined ? true : undefined;
    }, 120 * SECOND);
  }, 360 * SECOND);

  it('pages ParleyMessagesNotPersisted while PostgreSQL is down, and ParleySocketDisconnectStorm for a burst of dropped sockets', async () => {
    expect(load, 'the load runs').toBeDefined();
    // 60 more sockets on pod 2, then all dropped at once (transport closed, no goodbye).
    const burst = await load!.connectIdle(service('chat-socket-2').url, users[0]!, 60);
    await new Promise((resolve) => setTimeout(resolve, 5 * SECOND));
    load!.dropBurst(burst);
    await platform.postgres.stop('fast');
    try {
      await alertReaches('ParleySocketDisconnectStorm', 'pending', 60 * SECOND);
      await alertReaches('ParleyMessagesNotPersisted', 'pending', 90 * SECOND);
      await alertReaches('ParleyMessagesNotPersisted', 'firing', 120 * SECOND);
      await alertReaches('ParleySocketDisconnectStorm', 'firing', 180 * SECOND);
      expect(await value(`max(parley_messages_unpersisted{namespace="${NAMESPACE}"})`)).toBeGreaterThan(0);
    } finally {
      await platform.postgres.start();
    }
    await eventually('the backlog to drain after PostgreSQL is back', async () => {
      const lag = await value(`max(parley_persistence_lag_oldest_seconds{namespace="${NAMESPACE}"})`);
      return lag < 20 ? true : undefined;
    }, 180 * SECOND);
  }, 480 * SECOND);
});
