import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultRig, startPrivateRedis, until, type FaultRig, type PrivateRedis } from '@parley/testing';
import { incompleteClients, membersAcrossPods, sendSteadily, type RoomMemberClient } from './support/room-member-client.js';

/**
 * The fault as it happens in production: two chat-socket processes and the persistence worker
 * (built, as separate processes) on a private redis-server with AOF and `appendfsync always`,
 * clients sending steadily with retries, and Redis SIGKILLed mid-load, then restarted on its
 * AOF. Promise under test: every acknowledged message is stored (acked − persisted = 0), and
 * every client ends up holding every acknowledged message of its room, live or through
 * sequence gap filling and `server:resync`, without reconnecting or reloading anything.
 */
const ROOMS = 3;
const MEMBERS_PER_ROOM = 6;
const SEND_INTERVAL_MS = 250;
const LOAD_MS = 12_000;
const CRASH_AT_MS = 4_000;
const DOWN_MS = 1_500;

let redis: PrivateRedis;
let rig: FaultRig;
let clients: RoomMemberClient[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis({ appendfsync: 'always' });
  rig = await startFaultRig({ label: 'redis_crash_load', redisUrl: redis.url, chatSockets: 2, worker: true, chatEnv: { MESSAGE_DURABILITY: 'fsync' } });
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await rig?.stop();
  await redis?.close();
});

describe('Redis SIGKILLed mid-load (AOF, appendfsync always), two chat-socket processes and the worker', () => {
  it('stores every acknowledged message, and every client ends up with every message of its room', async () => {
    const [chat1, chat2] = rig.chatSockets;
    const ready = (await (await fetch(`${chat1!.adminUrl}/readyz`)).json()) as { info: { messageDurability: unknown } };
    expect(ready.info.messageDurability).toMatchObject({ mode: 'fsync', guaranteed: true });

    // Rooms of members spread over both pods; each member sends every SEND_INTERVAL_MS.
    clients = await membersAcrossPods(rig, [chat1!, chat2!], ROOMS, MEMBERS_PER_ROOM, 'crash');

    const started = Date.now();
    const load = sendSteadily(clients, { intervalMs: SEND_INTERVAL_MS, keepGoing: () => Date.now() - started < LOAD_MS, deadline: started + LOAD_MS + 45_000 });

    await new Promise((resolve) => setTimeout(resolve, CRASH_AT_MS));
    const killedAt = Date.now();
    await redis.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    await redis.restart();
    const restartedAt = Date.now();

    const results = await load;
    const loadEnded = Date.now();
    const acked = results.flatMap((result) => (result.message ? [result.message] : []));
    const firstAckAfterRestart = Math.min(...results.flatMap((result) => (result.ackedAt && result.ackedAt > restartedAt ? [result.ackedAt] : [])));

    for (const message of acked) rig.ledger.record(message);
    await until(() => incompleteClients(clients, rig.ledger).length === 0, 60_000);
    const allHeldAt = Date.now();
    await until(async () => (await rig.unpersisted()).length === 0, 60_000);
    const persisted = await rig.countPersisted();
    const lost = await rig.unpersisted();
    const incomplete = incompleteClients(clients, rig.ledger);

    const figures = {
      tried: results.length,
      acked: acked.length,
      persisted,
      lost: lost.length,
      unacked: results.length - acked.length,
      retriedSends: results.filter((result) => result.attempts > 1).length,
      deliveriesFilledBySync: clients.reduce((sum, client) => sum + client.filledBySync, 0),
      resyncEventsReceived: clients.reduce((sum, client) => sum + client.resyncRequests, 0),
      clientsComplete: `${clients.length - incomplete.length}/${clients.length}`,
      redisDownMs: restartedAt - killedAt,
      firstAckAfterRestartMs: Number.isFinite(firstAckAfterRestart) ? firstAckAfterRestart - restartedAt : null,
      // The last missed delivery a client recovered by sequence, counted from the restart.
      lastGapFilledAfterRestartMs: Math.max(0, ...clients.map((client) => client.lastFilledAt - restartedAt)),
      everyClientCompleteAfterLoadMs: allHeldAt - loadEnded,
    };
    console.log(
      `Redis SIGKILL under load (appendfsync always): ${Object.entries(figures)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}\n${JSON.stringify({ fault: 'redis-sigkill', ...figures })}`,
    );

    expect(acked.length).toBeGreaterThan(100);
    expect(results.filter((result) => result.attempts > 1).length, 'sends that met the outage and were retried').toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(incomplete).toEqual([]);
    // Nobody reconnected: the sockets stayed on their pods the whole time.
    for (const service of [chat1!, chat2!]) expect(service.child.exitCode).toBeNull();
  }, 180_000);
});
