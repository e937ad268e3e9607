import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultRig, until, type FaultRig } from './fault-rig.js';
import { TEST_POSTGRES_URL, TEST_REDIS_URL } from './test-database.js';

async function databasesLabelled(label: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`parley_${label}_%`]);
    return rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

describe('the fault rig', () => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig({ label: 'rig_ledger', redisUrl: TEST_REDIS_URL, chatSockets: 1, worker: true });
  }, 120_000);

  afterAll(() => rig?.stop());

  it('counts an acknowledged message as persisted once the worker stored it, and names one that never was', async () => {
    const [ana, ben] = [await rig.user('ana'), await rig.user('ben')];
    const roomId = await rig.createRoom(rig.chatSockets[0]!, ana, [ben]);
    const sent = await fetch(`${rig.chatSockets[0]!.url}/api/v1/rooms/${roomId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ana.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientMsgId: randomUUID(), body: 'through the rig' }),
    });
    expect(sent.status).toBe(201);
    const { message } = (await sent.json()) as { message: { id: string; roomId: string } };
    rig.ledger.record(message);
    expect(await until(async () => (await rig.countPersisted()) === 1, 20_000)).toBe(true);
    expect(await rig.unpersisted()).toEqual([]);

    // An id no process ever accepted: acknowledged by the ledger, so reported as not stored.
    rig.ledger.record({ id: '1', roomId });
    expect(await rig.unpersisted()).toEqual(['1']);
    expect(await rig.countPersisted()).toBe(1);
    expect([...rig.ledger.ofRoom(roomId)].sort()).toEqual(['1', message.id].sort());
  }, 60_000);

  it('fails when a process cannot start, and leaves nothing behind', async () => {
    await expect(
      startFaultRig({ label: 'rig_refused', redisUrl: TEST_REDIS_URL, chatSockets: [{ env: { SEND_BURST: 'many' } }], worker: true }),
    ).rejects.toThrow(/chat-socket-1 exited/);
    expect(await databasesLabelled('rig_refused')).toEqual([]);
  }, 120_000);
});
