import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { createChatDataSource, messageIdAt, storeMessageBatch } from '@parley/chat-store';
import type { DataSource } from '@parley/db';
import { startPrivatePostgres, startStreamingReplica, type PrivatePostgres, type StreamingReplica } from '@parley/testing';
import { startChatCluster, type ChatCluster, type ChatInstance, type TestUser } from './support/chat-cluster.js';

/**
 * History reads routed to a streaming replica (DATABASE_READ_URL). The primary is a private
 * server (its pg_hba.conf trusts replication from 127.0.0.1; the shared one's does not), the
 * replica a real hot standby of it; pausing the replica's WAL replay makes it lag on demand.
 */
let primary: PrivatePostgres;
let replica: StreamingReplica;
let cluster: ChatCluster;
let instance: ChatInstance;
let writer: DataSource;
let owner: TestUser;

beforeAll(async () => {
  primary = await startPrivatePostgres();
  replica = await startStreamingReplica(primary.url);
  cluster = await startChatCluster({ label: 'chat_replica', instances: 0, postgresUrl: primary.url });
  // The replica has the new database before the instance connects to it.
  await replica.caughtUp();
  instance = await cluster.startInstance({ DATABASE_READ_URL: replica.urlOf(cluster.database.url) });
  writer = createChatDataSource({ url: cluster.database.url, applicationName: 'test-writer' });
  await writer.initialize();
  owner = await cluster.user('owner');
}, 120_000);

afterAll(async () => {
  await replica?.resumeReplay().catch(() => undefined);
  await writer?.destroy();
  await cluster?.close();
  await replica?.destroy();
  await primary?.destroy();
});

async function newRoom(): Promise<string> {
  const created = await cluster.api(instance, 'POST', '/api/v1/rooms', { token: owner.token, body: { name: 'replicated', memberIds: [] } });
  expect(created.status).toBe(201);
  return created.body.id;
}

async function history(roomId: string): Promise<Message[]> {
  const page = await cluster.api(instance, 'GET', `/api/v1/rooms/${roomId}/messages?limit=50`, { token: owner.token });
  expect(page.status).toBe(200);
  return page.body.messages;
}

/** A message as the persistence worker stores it, written straight to the primary (never in the recent window). */
const storedOnly = (roomId: string, seq: number): Message => ({
  id: String(messageIdAt(Date.now() - 60_000) + BigInt(seq)),
  seq,
  roomId,
  senderId: owner.id,
  clientMsgId: randomUUID(),
  body: `stored ${seq}`,
  createdAt: new Date(Date.now() - 60_000).toISOString(),
});

describe('history from a read replica', () => {
  it('reads stored history from the replica: a row the replica has not replayed is not there until it catches up', async () => {
    const roomId = await newRoom();
    await replica.caughtUp();
    await replica.pauseReplay();
    try {
      const row = storedOnly(roomId, 40);
      await storeMessageBatch(writer, [row]);
      // On the primary, not on the paused replica: history does not show it, so it came from the replica.
      expect((await history(roomId)).map((message) => message.id)).not.toContain(row.id);
      await replica.resumeReplay();
      await replica.caughtUp();
      expect((await history(roomId)).map((message) => message.id)).toContain(row.id);
    } finally {
      await replica.resumeReplay();
    }
  });

  it('shows a message at once to its sender while the replica lags (the recent window), once, before and after the replica catches up', async () => {
    const roomId = await newRoom();
    await replica.caughtUp();
    await replica.pauseReplay();
    try {
      const sent = await cluster.api(instance, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: owner.token, body: { clientMsgId: randomUUID(), body: 'read your writes' } });
      expect(sent.status).toBe(201);
      const message = sent.body.message as Message;
      expect((await history(roomId)).filter((item) => item.id === message.id)).toHaveLength(1);
      // Persisted on the primary (what the worker does); the replica still has not replayed it.
      await storeMessageBatch(writer, [message]);
      expect((await history(roomId)).filter((item) => item.id === message.id)).toHaveLength(1);
      await replica.resumeReplay();
      await replica.caughtUp();
      expect((await history(roomId)).filter((item) => item.id === message.id)).toEqual([expect.objectContaining({ id: message.id, body: 'read your writes' })]);
    } finally {
      await replica.resumeReplay();
    }
  });

  it('answers history from the primary once the replica is gone', async () => {
    const roomId = await newRoom();
    const row = storedOnly(roomId, 7);
    await storeMessageBatch(writer, [row]);
    await replica.destroy();
    expect((await history(roomId)).map((message) => message.id)).toEqual([row.id]);
  });
});
