import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFaultRig,
  startPrivateRedis,
  startTcpProxy,
  TEST_POSTGRES_URL,
  until,
  type FaultRig,
  type PrivateRedis,
  type ServiceProcess,
  type TcpProxy,
} from '@parley/testing';
import { lostAfterDrain, phaseFigures, timelineMismatches, type PhaseRun, type SendResult } from './support/partition-outcomes.js';
import { PodMovingClient } from './support/pod-moving-client.js';

/**
 * Network partitions under load, as they happen between nodes: a TCP proxy the test controls
 * sits between one chat-socket process and Redis, and between the persistence worker and
 * PostgreSQL; a second chat-socket process reaches Redis directly. Clients on both pods send
 * steadily (retrying with the same clientMsgId, moving pods on `server:reconnect` to a ready
 * pod, as a Service routes them) while the links are cut, silenced, slowed and healed.
 * Promises under test: a pod that cannot reach Redis acknowledges nothing (it answers
 * `unavailable`, which clients retry), answers /readyz 503, and after REDIS_PARTITION_SHED_AFTER_MS
 * sends its sockets to the other pod; a worker cut from PostgreSQL loses no job; after each heal
 * every acknowledged message is stored (acked − persisted = 0) and every client's `room:sync`
 * timeline equals the stored one (same messages, same order, no duplicates).
 */
const ROOMS = 2;
const MEMBERS_PER_ROOM = 6;
const SEND_INTERVAL_MS = 300;
const FAULT_AT_MS = 1_000;
const TAIL_MS = 2_000;
const SHED_AFTER_MS = 2_000;

let redis: PrivateRedis;
let redisProxy: TcpProxy;
let postgresProxy: TcpProxy;
let rig: FaultRig;
let proxiedPod: ServiceProcess;
let directPod: ServiceProcess;
/** The chat-socket pods, which take sockets. */
let pods: ServiceProcess[] = [];
/** The members who send; half of each room is homed on each pod (each phase starts from home). */
const clients: PodMovingClient[] = [];
const home = new Map<PodMovingClient, string>();
let prober: PodMovingClient;
const figuresOfPhases: Array<Record<string, unknown>> = [];
/** The prober's sends (acknowledged ones count like any other). */
const probeResults: SendResult[] = [];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isReady = (pod: ServiceProcess) =>
  fetch(`${pod.adminUrl}/readyz`).then(
    (response) => response.status === 200,
    () => false,
  );

/** What a Service does with a new connection: any ready pod (the other one first, as a balancer spreads). */
async function readyPod(current: string | undefined): Promise<string> {
  for (let tries = 0; tries < 100; tries += 1) {
    const candidates = [...pods.filter((pod) => pod.url !== current), ...pods.filter((pod) => pod.url === current)];
    for (const pod of candidates) if (await isReady(pod)) return pod.url;
    await pause(200);
  }
  throw new Error('no chat-socket pod is ready');
}

beforeAll(async () => {
  redis = await startPrivateRedis({ appendfsync: 'always' });
  redisProxy = await startTcpProxy({ target: { port: redis.port } });
  const postgres = new URL(TEST_POSTGRES_URL);
  postgresProxy = await startTcpProxy({ target: { host: postgres.hostname, port: Number(postgres.port || 5432) } });
  /** The worker reaches PostgreSQL through the proxy. */
  const throughProxy = (env: Record<string, string>) => {
    const url = new URL(env.DATABASE_URL!);
    url.hostname = '127.0.0.1';
    url.port = String(postgresProxy.port);
    return { DATABASE_URL: url.toString() };
  };
  rig = await startFaultRig({
    label: 'partitions',
    redisUrl: redis.url,
    chatSockets: [{ name: 'chat-socket-proxied', env: { REDIS_URL: redisProxy.url } }, { name: 'chat-socket-direct' }],
    worker: { env: throughProxy },
    chatEnv: { MESSAGE_DURABILITY: 'fsync', REDIS_COMMAND_TIMEOUT_MS: '1500', REDIS_PARTITION_SHED_AFTER_MS: String(SHED_AFTER_MS) },
  });
  [proxiedPod, directPod] = rig.chatSockets as [ServiceProcess, ServiceProcess];
  pods = [proxiedPod, directPod];

  for (let room = 0; room < ROOMS; room += 1) {
    const users = [];
    for (let member = 0; member < MEMBERS_PER_ROOM + (room === 0 ? 1 : 0); member += 1) users.push(await rig.user('part'));
    const roomId = await rig.createRoom(directPod, users[0]!, users.slice(1), `partition room ${room}`);
    users.slice(0, MEMBERS_PER_ROOM).forEach((user, index) => {
      const client = new PodMovingClient(user, roomId, readyPod);
      clients.push(client);
      home.set(client, (index % 2 === 0 ? proxiedPod : directPod).url);
    });
    // The prober measures when the partitioned pod acknowledges again; it never moves.
    if (room === 0) prober = new PodMovingClient(users[MEMBERS_PER_ROOM]!, roomId, async () => proxiedPod.url);
  }
  await Promise.all(clients.map((client) => client.connectTo(home.get(client))));
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  prober?.close();
  if (figuresOfPhases.length > 0) console.log(JSON.stringify({ fault: 'network-partitions', phases: figuresOfPhases }));
  await rig?.stop();
  await redisProxy?.close();
  await postgresProxy?.close();
  await redis?.close();
}, 60_000);

/** Sends from every client, one message at a time, while `fault` holds for `faultMs` and after `heal`. */
async function runPhase(name: string, faultMs: number, fault: () => void, heal: () => void): Promise<PhaseRun> {
  // Rebalanced: every client back on its home pod before the fault.
  await until(() => isReady(proxiedPod), 30_000);
  await Promise.all(clients.filter((client) => client.pod !== home.get(client)).map((client) => client.connectTo(home.get(client))));
  const started = Date.now();
  const loadMs = FAULT_AT_MS + faultMs + TAIL_MS;
  const sendDeadline = started + loadMs + 30_000;
  const results: SendResult[] = [];
  const sending = clients.map(async (client, index) => {
    await pause((index * SEND_INTERVAL_MS) / clients.length);
    for (let sequence = 0; Date.now() - started < loadMs; sequence += 1) {
      const sent = await client.send(`${name} ${client.user.username} #${sequence}`, sendDeadline);
      results.push({ client, clientMsgId: sent.clientMsgId, acked: sent.message !== undefined });
      await pause(SEND_INTERVAL_MS);
    }
  });

  await pause(FAULT_AT_MS);
  const faultedAt = Date.now();
  fault();
  const readiness: number[] = [];
  while (Date.now() - faultedAt < faultMs) {
    readiness.push(await fetch(`${proxiedPod.adminUrl}/readyz`, { signal: AbortSignal.timeout(3_000) }).then((response) => response.status, () => 0));
    await pause(500);
  }
  heal();
  const healedAt = Date.now();
  const recovering = firstAckOnProxiedPod(name, healedAt, sendDeadline);
  await Promise.all(sending);
  const recoverMs = await recovering;
  return { results, faultedAt, healedAt, readiness, recoverMs };
}

/** The prober connects to the proxied pod (refused while it sheds) and sends until acknowledged. */
async function firstAckOnProxiedPod(name: string, healedAt: number, deadline: number): Promise<number | null> {
  while (Date.now() < deadline) {
    const connected = await (prober.pod === proxiedPod.url && prober.socket.connected ? Promise.resolve(true) : prober.connectTo(proxiedPod.url).then(() => true, () => false));
    if (connected) {
      const sent = await prober.send(`${name} probe`, Math.min(deadline, Date.now() + 5_000));
      probeResults.push({ client: prober, clientMsgId: sent.clientMsgId, acked: sent.message !== undefined });
      if (sent.ackedAt !== undefined) return sent.ackedAt - healedAt;
    }
    await pause(100);
  }
  return null;
}

/** Accept script runs of the proxied pod that took 250 ms or more, from its `parley_send_accept_seconds`. */
async function slowAcceptRuns(): Promise<number> {
  const text = await (await fetch(`${proxiedPod.adminUrl}/metrics`)).text();
  const bucket = (le: string) => Number(new RegExp(`^parley_send_accept_seconds_bucket\\{le="${le}"[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1]);
  return bucket('\\+Inf') - bucket('0.25');
}

/** The figures of a phase, printed and kept for the final line. */
async function settle(name: string, run: PhaseRun): Promise<{ lost: string[]; mismatches: string[]; figures: Record<string, unknown> }> {
  const sends = [...run.results, ...probeResults.splice(0)];
  const ackedIds = sends.filter((result) => result.acked).map((result) => result.clientMsgId);
  const lost = await lostAfterDrain(rig.db, ackedIds);
  const drainedAfterHealMs = Date.now() - run.healedAt;
  // Clients settle their gap filling (a resync is spread over RECONNECT_JITTER_MS).
  const everyone = [...clients, prober];
  await until(async () => (await timelineMismatches(rig.db, everyone)).length === 0, 20_000);
  const mismatches = await timelineMismatches(rig.db, everyone);
  const attempts = everyone.flatMap((client) => client.attempts.filter((attempt) => attempt.startedAt >= run.faultedAt - FAULT_AT_MS));
  const figures = phaseFigures({ name, sends, attempts, run, proxiedPodUrl: proxiedPod.url, clients: everyone, lost, drainedAfterHealMs, mismatches });
  figuresOfPhases.push(figures);
  console.log(`${name}: ${JSON.stringify(figures)}`);
  return { lost, mismatches, figures };
}

/** The proxied pod's clients at the start of a phase. */
const homedOnProxied = () => clients.filter((client) => home.get(client) === proxiedPod.url);

/** What a Redis partition of the proxied pod must look like to its clients. */
function expectPartitionHandled(run: PhaseRun, phase: string): void {
  const during = clients.flatMap((client) => client.attempts).filter((attempt) => attempt.pod === proxiedPod.url && attempt.startedAt >= run.faultedAt && attempt.startedAt < run.healedAt);
  // Nothing sent to it after the cut is acknowledged before the heal (a send held by a silent
  // link and answered once it healed was stored first, and is no breach).
  expect(during.filter((attempt) => attempt.outcome === 'ok' && attempt.answeredAt < run.healedAt), `${phase}: sends acknowledged by the partitioned pod`).toEqual([]);
  // A clear, retryable refusal rather than silence.
  const refusals = during.filter((attempt) => attempt.outcome !== 'no-answer' && attempt.outcome !== 'ok');
  expect(refusals.length, `${phase}: sends the partitioned pod refused with an error ack`).toBeGreaterThan(0);
  expect([...new Set(refusals.map((attempt) => attempt.outcome))]).toEqual(['unavailable']);
  expect(run.readiness, `${phase}: /readyz of the partitioned pod`).toContain(503);
  for (const client of homedOnProxied()) {
    const told = client.reconnectEvents.filter((event) => event.at >= run.faultedAt && event.pod === proxiedPod.url);
    expect(told.map((event) => event.reason), `${phase}: ${client.user.username} told to reconnect`).toContain('redis-partition');
    expect(client.pods.slice(-1)[0], `${phase}: ${client.user.username} now on the other pod`).toBe(directPod.url);
  }
}

describe('network partitions between a chat-socket pod and Redis, and between the worker and PostgreSQL, under load', () => {
  it('(a) cut from Redis: the pod acknowledges nothing, sheds its sockets to the other pod, and acknowledges again once healed; nothing acknowledged is lost', async () => {
    const run = await runPhase('redis-cut', 10_000, () => redisProxy.cut(), () => redisProxy.restore());
    const { lost, mismatches } = await settle('redis-cut', run);
    expectPartitionHandled(run, 'cut');
    expect(run.recoverMs, 'the partitioned pod acknowledged a send after the heal').not.toBeNull();
    expect(lost).toEqual([]);
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('(b) silent partition (blackhole): the pod notices by timeouts, refuses sends instead of hanging them, and sheds its sockets', async () => {
    const run = await runPhase('redis-blackhole', 8_000, () => redisProxy.blackhole(), () => redisProxy.restore());
    const { lost, mismatches } = await settle('redis-blackhole', run);
    expectPartitionHandled(run, 'blackhole');
    expect(run.recoverMs).not.toBeNull();
    expect(lost).toEqual([]);
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('(c) 200 ms added both ways to Redis: sends are slower but acknowledged, nothing is lost, nobody is moved', async () => {
    const slowBefore = await slowAcceptRuns();
    const run = await runPhase('redis-delay', 4_000, () => redisProxy.delay(200), () => redisProxy.delay(0));
    // The pod's own telemetry shows where its acks waited: round trips of 400 ms and more.
    expect((await slowAcceptRuns()) - slowBefore, 'accept script runs of 250 ms or more on the slowed pod').toBeGreaterThan(0);
    const { lost, mismatches } = await settle('redis-delay', run);
    const during = clients.flatMap((client) => client.attempts).filter((attempt) => attempt.pod === proxiedPod.url && attempt.startedAt >= run.faultedAt && attempt.startedAt < run.healedAt);
    expect(during.filter((attempt) => attempt.outcome === 'ok').length, 'sends acknowledged through the slow link').toBeGreaterThan(0);
    expect(clients.flatMap((client) => client.reconnectEvents.filter((event) => event.at >= run.faultedAt))).toEqual([]);
    expect(lost).toEqual([]);
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('(d) worker cut from PostgreSQL: sends go on being acknowledged, the worker retries, and catches up once healed', async () => {
    const run = await runPhase('postgres-cut', 10_000, () => postgresProxy.cut(), () => postgresProxy.restore());
    const during = clients.flatMap((client) => client.attempts).filter((attempt) => attempt.startedAt >= run.faultedAt && attempt.startedAt < run.healedAt);
    expect(during.filter((attempt) => attempt.outcome === 'ok').length, 'sends acknowledged while the worker cannot store').toBeGreaterThan(0);
    const { lost, mismatches } = await settle('postgres-cut', run);
    expect(lost).toEqual([]);
    expect(mismatches).toEqual([]);
    for (const service of rig.processes) expect(service.child.exitCode, `${service.name} still running`).toBeNull();
  }, 120_000);
});
