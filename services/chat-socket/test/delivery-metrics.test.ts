import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitWithAck, eventually, nextEvent, startChatCluster, type ChatCluster } from './support/chat-cluster.js';

let cluster: ChatCluster;

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_delivery_metrics' });
});

afterAll(async () => {
  await cluster?.close();
});

async function metric(instance: number, name: string): Promise<number> {
  const text = await (await fetch(`${cluster.instances[instance]!.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

describe('what a Centrifugo operator reads: broadcast duration, the hop between pods, bytes out, reconnect recovery', () => {
  it('measures a cross-pod broadcast on the receiving pod, the bytes it wrote, and what room:sync recovered', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const room = await cluster.api(0, 'POST', '/api/v1/rooms', { token: alice.token, body: { name: 'delivery', memberIds: [bob.id] } });
    expect(room.status).toBe(201);
    const [bytesBefore, syncedBefore] = [await metric(1, 'parley_socket_bytes_written_total'), await metric(1, 'parley_sync_messages_recovered_total')];
    expect(bytesBefore).toBe(0);
    expect(syncedBefore).toBe(0);

    const aliceSocket = await cluster.connect(0, alice);
    const bobSocket = await cluster.connect(1, bob);
    const received = nextEvent(bobSocket, 'message:new');
    const ack = await emitWithAck(aliceSocket, 'message:send', { roomId: room.body.id, clientMsgId: randomUUID(), body: 'across pods' });
    expect(ack.ok).toBe(true);
    await received;

    await eventually(async () => {
      expect(await metric(1, 'parley_broadcast_duration_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(await metric(1, 'parley_socket_bytes_written_total')).toBeGreaterThan(0);
    });
    // Bob reconnects and catches up from the start of the room.
    const sync = await emitWithAck(bobSocket, 'room:sync', { rooms: [{ roomId: room.body.id, afterSeq: 0 }] });
    expect(sync.ok).toBe(true);
    expect(await metric(1, 'parley_sync_messages_recovered_total')).toBe(sync.rooms[0].messages.length);
    expect(sync.rooms[0].messages.length).toBeGreaterThanOrEqual(1);
  });

  it('observes the pub/sub hop between pods with a probe each pod publishes through the adapter', async () => {
    await eventually(async () => {
      expect(await metric(0, 'parley_adapter_pubsub_lag_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(await metric(1, 'parley_adapter_pubsub_lag_seconds_count')).toBeGreaterThanOrEqual(1);
    }, 15_000, 250);
  });
});
