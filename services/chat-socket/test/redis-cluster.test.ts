import { randomBytes, randomUUID } from 'node:crypto';
import { io as connectClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, Message } from '@parley/contracts';
import { builtServiceEntry, runScriptToCompletion, startFaultRig, startRedisCluster, until, type FaultRig, type PrivateRedisCluster } from '@parley/testing';
import { messageShardKeyPrefix, unpersistedBatchesKey } from '@parley/keyspace';
import { messageShardOf } from '@parley/queues';
import { nextEvent, type ClientSocket, type TestUser } from './support/chat-cluster.js';
import { incompleteClients, membersAcrossPods, sendSteadily, type RoomMemberClient } from './support/room-member-client.js';

/**
 * Parley on a Redis Cluster of three primaries with a replica each (real redis-server
 * processes): two chat-socket processes and the persistence worker (built, as separate
 * processes) with REDIS_URL=redis+cluster://… and a hash-tagged key prefix, acknowledgements
 * WAITing for one replica (MESSAGE_DURABILITY=replicas). Then the primary that holds the
 * message path is failed over under steady load, once as planned (CLUSTER FAILOVER) and once by
 * a crash (SIGKILL, promotion, restart as a replica). All of it twice: with every key of the
 * install under one hash tag (MESSAGE_SHARD_KEYS=install), and with 4 message shards each under
 * a tag of its own (MESSAGE_SHARD_KEYS=shard, docs/decisions/0043-hash-tag-per-message-shard.md),
 * where the primary failed over is the one holding the first load room's shard.
 */
const LAYOUTS = [
  { keys: 'install', shards: 1 },
  { keys: 'shard', shards: 4 },
] as const;
const ROOMS = 3;
const MEMBERS_PER_ROOM = 4;
const SEND_INTERVAL_MS = 300;
// Load goes on until this long after the crashed node has rejoined as a replica.
const LOAD_AFTER_REJOIN_MS = 3_000;
const PLANNED_FAILOVER_AT_MS = 4_000;
const CRASH_AT_MS = 12_000;
// Generous: on a loaded machine three Node processes take a while to load their modules.
const START_TIMEOUT_MS = 90_000;

const sockets: ClientSocket[] = [];

async function connect(url: string, who: TestUser): Promise<ClientSocket> {
  const socket: ClientSocket = connectClient(url, { auth: { token: who.token }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

function send(socket: ClientSocket, roomId: string, clientMsgId: string, body: string): Promise<Ack<{ message: Message }>> {
  return socket.timeout(5_000).emitWithAck('message:send', { roomId, clientMsgId, body }) as Promise<Ack<{ message: Message }>>;
}

describe.each(LAYOUTS)('Parley on a Redis Cluster (3 primaries, 1 replica each), two chat-socket processes and the worker, MESSAGE_SHARD_KEYS=$keys with $shards message shard(s)', (layout) => {
  const PREFIX = `{t-cluster-${randomBytes(3).toString('hex')}}:`;
  const layoutEnv = { MESSAGE_SHARD_KEYS: layout.keys, MESSAGE_QUEUE_SHARDS: String(layout.shards) };
  let cluster: PrivateRedisCluster;
  let rig: FaultRig;
  let clients: RoomMemberClient[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
    rig = await startFaultRig({
      label: 'redis_cluster',
      redisUrl: cluster.url,
      redisKeyPrefix: PREFIX,
      chatSockets: 2,
      worker: { env: layoutEnv },
      chatEnv: { MESSAGE_DURABILITY: 'replicas', REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '500', ...layoutEnv },
      startTimeoutMs: START_TIMEOUT_MS,
    });
  }, 240_000);

  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    for (const client of clients) client.close();
    await rig?.stop();
    await cluster?.stop();
  });

  it('refuses a cluster URL without a hash-tagged key prefix before connecting', async () => {
    const refused = await runScriptToCompletion(builtServiceEntry('chat-socket'), {
      NODE_ENV: 'test',
      DATABASE_URL: rig.database.url,
      REDIS_URL: cluster.url,
      REDIS_KEY_PREFIX: 'parley:',
      JWKS_URL: rig.issuer.jwksUrl,
      USER_SERVICE_URL: rig.userService.url,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('REDIS_KEY_PREFIX');
    expect(refused.output).toContain('hash tag');
  });

  it('reports acknowledgements WAITed for by a replica as guaranteed, and every setting read from every primary', async () => {
    const ready = (await (await fetch(`${rig.chatSockets[0]!.adminUrl}/readyz`)).json()) as { info: { messageDurability: unknown } };
    expect(ready.info.messageDurability).toMatchObject({ mode: 'replicas', guaranteed: true });
  });

  it('delivers across the two processes, answers a repeated clientMsgId with the stored message, and stores it in PostgreSQL', async () => {
    const [chat1, chat2] = rig.chatSockets;
    const [ana, ben, outsider] = [await rig.user('ana'), await rig.user('ben'), await rig.user('eve')];
    const roomId = await rig.createRoom(chat1!, ana, [ben]);
    const anaSocket = await connect(chat1!.url, ana);
    const benSocket = await connect(chat2!.url, ben);
    const outsiderSocket = await connect(chat2!.url, outsider);

    const delivered = nextEvent<Message>(benSocket, 'message:new');
    const clientMsgId = randomUUID();
    const first = await send(anaSocket, roomId, clientMsgId, 'across pods on a cluster');
    expect(first.ok, JSON.stringify(first)).toBe(true);
    const message = (first as { message: Message }).message;
    expect(await delivered).toMatchObject({ id: message.id, roomId, body: 'across pods on a cluster', seq: message.seq });

    const again = await send(anaSocket, roomId, clientMsgId, 'across pods on a cluster');
    expect(again).toMatchObject({ ok: true, message: { id: message.id, seq: message.seq } });

    // A non-member may not send to the room, whatever Redis runs on.
    const foreign = await send(outsiderSocket, roomId, randomUUID(), 'not mine');
    expect(foreign.ok).toBe(false);

    expect(await until(async () => (await rig.storedIds([message.id])).size === 1, 20_000)).toBe(true);
    const { rows } = await rig.db.query<{ n: string }>('SELECT count(*)::text AS n FROM chat.messages WHERE room_id = $1', [roomId]);
    expect(rows[0]!.n).toBe('1');
  });

  it('brings what a member missed while offline with room:sync', async () => {
    const [chat1, chat2] = rig.chatSockets;
    const [ana, ben] = [await rig.user('ana'), await rig.user('ben')];
    const roomId = await rig.createRoom(chat1!, ana, [ben]);
    const anaSocket = await connect(chat1!.url, ana);
    const sent: Message[] = [];
    for (let index = 0; index < 5; index += 1) {
      const ack = await send(anaSocket, roomId, randomUUID(), `while ben is away ${index}`);
      expect(ack.ok).toBe(true);
      sent.push((ack as { message: Message }).message);
    }
    const benSocket = await connect(chat2!.url, ben);
    const answer = (await benSocket.timeout(5_000).emitWithAck('room:sync', { rooms: [{ roomId, afterSeq: 0 }] })) as Ack<{
      rooms: Array<{ roomId: string; messages: Message[] }>;
    }>;
    expect(answer.ok).toBe(true);
    const synced = (answer as { rooms: Array<{ roomId: string; messages: Message[] }> }).rooms[0]!.messages;
    expect(synced.map((message) => message.id)).toEqual(sent.map((message) => message.id));
    expect(synced.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps every acknowledged message through a planned failover and a crashed primary of the message path, under steady load', async () => {
    const [chat1, chat2] = rig.chatSockets;
    clients = await membersAcrossPods(rig, [chat1!, chat2!], layout.shards > 1 ? 2 * ROOMS : ROOMS, MEMBERS_PER_ROOM, 'load');

    // With `install` every key of the install shares the prefix's hash tag: one primary holds the
    // message path. With `shard` the primary failed over is one serving a load room's shard but
    // not the install's own keys (which the partition watch probes), where there is one.
    const installPrimary = await cluster.primaryOf(unpersistedBatchesKey(PREFIX));
    const primaryOfRoom = new Map<string, number>();
    for (const roomId of new Set(clients.map((client) => client.roomId))) {
      primaryOfRoom.set(roomId, await cluster.primaryOf(unpersistedBatchesKey(messageShardKeyPrefix(PREFIX, messageShardOf(roomId, layout.shards), layout.keys))));
    }
    const messagePrimary = [...primaryOfRoom.values()].find((primary) => primary !== installPrimary) ?? installPrimary;
    const [standby] = await cluster.replicaPorts(messagePrimary);
    // Rooms served by other primaries: with `shard` their sends need not wait for the failover.
    const elsewhere = new Set(messagePrimary === installPrimary ? [] : [...primaryOfRoom].filter(([, primary]) => primary !== messagePrimary).map(([roomId]) => roomId));

    const started = Date.now();
    let loadEndsAt = Number.POSITIVE_INFINITY;
    // A send retries (same clientMsgId) until acknowledged or this late.
    const sendDeadline = started + 120_000;
    const load = sendSteadily(clients, { intervalMs: SEND_INTERVAL_MS, keepGoing: () => Date.now() < loadEndsAt, deadline: sendDeadline });

    await new Promise((resolve) => setTimeout(resolve, PLANNED_FAILOVER_AT_MS - (Date.now() - started)));
    const plannedAt = Date.now();
    await cluster.failover(standby!);
    const plannedDoneAt = Date.now();

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, CRASH_AT_MS - (Date.now() - started))));
    const crashedAt = Date.now();
    await cluster.kill(standby!); // the primary now: the planned failover promoted it
    const promotedAt = Date.now();
    await cluster.restart(standby!);
    const rejoinedAt = Date.now();
    loadEndsAt = rejoinedAt + LOAD_AFTER_REJOIN_MS;

    const results = await load;
    const loadEnded = Date.now();
    const acked = results.flatMap((result) => (result.message ? [result.message] : []));
    const ackTimes = results.flatMap((result) => (result.ackedAt ? [result.ackedAt] : [])).sort((a, b) => a - b);
    // The longest time without any acknowledgement, from `from` to `to`: how long sending was down.
    const longestAckGap = (from: number, to: number) => {
      const inside = [from, ...ackTimes.filter((time) => time > from && time < to), to];
      return Math.max(...inside.slice(1).map((time, index) => time - inside[index]!));
    };
    const firstAckAfter = (moment: number) => {
      const times = results.flatMap((result) => (result.ackedAt && result.ackedAt > moment ? [result.ackedAt] : []));
      return times.length > 0 ? Math.min(...times) - moment : null;
    };

    for (const message of acked) rig.ledger.record(message);
    await until(() => incompleteClients(clients, rig.ledger).length === 0, 60_000);
    const allHeldAt = Date.now();
    await until(async () => (await rig.unpersisted()).length === 0, 30_000);
    const persisted = await rig.countPersisted();
    const lost = await rig.unpersisted();
    const incomplete = incompleteClients(clients, rig.ledger);
    const missedDeliveries = clients.reduce((sum, client) => sum + [...rig.ledger.ofRoom(client.roomId)].filter((id) => !client.held.has(id)).length, 0);

    const figures = {
      sent: results.length,
      acked: acked.length,
      persisted,
      ackedMinusPersisted: acked.length - persisted,
      unacked: results.length - acked.length,
      retriedSends: results.filter((result) => result.attempts > 1).length,
      missedDeliveriesRecoveredBySync: clients.reduce((sum, client) => sum + client.filledBySync, 0),
      missedDeliveriesNotRecovered: missedDeliveries,
      resyncEventsReceived: clients.reduce((sum, client) => sum + client.resyncRequests, 0),
      clientsComplete: `${clients.length - incomplete.length}/${clients.length}`,
      plannedFailoverMs: plannedDoneAt - plannedAt,
      firstAckAfterPlannedFailoverMs: firstAckAfter(plannedDoneAt),
      longestAckGapAroundPlannedFailoverMs: longestAckGap(plannedAt - 1_000, crashedAt),
      crashToPromotionMs: promotedAt - crashedAt,
      firstAckAfterCrashMs: firstAckAfter(crashedAt),
      crashToReplicaRejoinedMs: rejoinedAt - crashedAt,
      firstAckAfterRejoinMs: firstAckAfter(rejoinedAt),
      longestAckGapAroundCrashMs: longestAckGap(crashedAt - 1_000, loadEnded),
      roomsOnOtherPrimaries: elsewhere.size,
      acksOfThoseRoomsBetweenCrashAndPromotion: results.filter((result) => result.message && elsewhere.has(result.message.roomId) && result.ackedAt! > crashedAt && result.ackedAt! < promotedAt).length,
      everyClientCompleteAfterLoadMs: allHeldAt - loadEnded,
    };
    console.log(
      `Redis Cluster failovers under load (MESSAGE_DURABILITY=replicas, MESSAGE_SHARD_KEYS=${layout.keys}, ${layout.shards} shard(s)): ${Object.entries(figures)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}\n${JSON.stringify({ fault: 'redis-cluster-failover', shardKeys: layout.keys, shards: layout.shards, ...figures })}`,
    );

    expect(acked.length).toBeGreaterThan(100);
    expect(ackTimes.filter((time) => time > rejoinedAt).length, 'messages acknowledged once the crashed node rejoined').toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(incomplete).toEqual([]);
    // A shard's batches run on their own: a failing primary holds up only its shards' rooms.
    if (layout.keys === 'shard' && elsewhere.size > 0) expect(figures.acksOfThoseRoomsBetweenCrashAndPromotion).toBeGreaterThan(0);
    for (const service of rig.processes) expect(service.child.exitCode).toBeNull();
  }, 240_000);
});
