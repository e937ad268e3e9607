import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitWithAck, nextEvent, startChatCluster, INTERNAL_TOKEN, type ChatCluster, type TestUser } from './support/chat-cluster.js';

/** `DELETE /internal/v1/users/:id/memberships`: what the auth service's outbox asks once an account is deleted. */
describe('removing the memberships of a deleted account', () => {
  let cluster: ChatCluster;

  beforeAll(async () => {
    cluster = await startChatCluster({ label: 'chat_account_deletion' });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const removeMemberships = (userId: string, headers: Record<string, string> = { 'x-parley-internal-token': INTERNAL_TOKEN }) =>
    cluster.api(0, 'DELETE', `/internal/v1/users/${userId}/memberships`, { headers });
  const memberIdsOf = async (viewer: TestUser, roomId: string) =>
    ((await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/members`, { token: viewer.token })).body.members as Array<{ userId: string }>).map((member) => member.userId).sort();

  it('takes the account out of every room (an owned group passes on), tells the rooms, and keeps its messages', async () => {
    const [gone, bea, cal] = [await cluster.user('gone'), await cluster.user('bea'), await cluster.user('cal')];
    const group = (await cluster.api(0, 'POST', '/api/v1/rooms', { token: gone.token, body: { name: 'Owned', memberIds: [bea.id, cal.id] } })).body as { id: string };
    const direct = (await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: bea.token, body: { userId: gone.id } })).body as { id: string };
    const goneSocket = await cluster.connect(0, gone);
    const sent = await emitWithAck(goneSocket, 'message:send', { roomId: group.id, clientMsgId: randomUUID(), body: 'my last words' });
    expect(sent.ok).toBe(true);
    goneSocket.disconnect();
    const beaSocket = await cluster.connect(1, bea);
    const left = nextEvent(beaSocket, 'room:member-left');

    expect((await removeMemberships(gone.id)).status).toBe(204);

    expect(await left).toMatchObject({ userId: gone.id });
    expect(await memberIdsOf(bea, group.id)).toEqual([bea.id, cal.id].sort());
    expect(await memberIdsOf(bea, direct.id)).toEqual([bea.id]);
    // The group passed to a remaining member: someone can still manage it.
    const members = (await cluster.api(1, 'GET', `/api/v1/rooms/${group.id}/members`, { token: bea.token })).body.members as Array<{ role: string }>;
    expect(members.some((member) => member.role === 'owner')).toBe(true);
    // The history stays, under the deleted account's id (shown as a deleted user).
    const history = await cluster.api(1, 'GET', `/api/v1/rooms/${group.id}/messages?limit=10`, { token: bea.token });
    expect(history.body.messages.map((message: { senderId: string; body: string }) => [message.senderId, message.body])).toContainEqual([gone.id, 'my last words']);
    beaSocket.disconnect();
  });

  it('forgets the mentions the account still had waiting for an email digest, and only its own', async () => {
    const [gone, stays] = [await cluster.user('gone3'), await cluster.user('stays3')];
    const room = (await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: gone.token, body: { userId: stays.id } })).body as { id: string };
    const db = new pg.Client({ connectionString: cluster.database.url });
    await db.connect();
    try {
      const pendingOf = async (userId: string) => (await db.query('SELECT 1 FROM chat.mention_digest_items WHERE user_id = $1', [userId])).rowCount;
      await db.query('INSERT INTO chat.mention_digest_items (user_id, message_id, room_id) VALUES ($1, 1, $3), ($2, 1, $3)', [gone.id, stays.id, room.id]);

      expect((await removeMemberships(gone.id)).status).toBe(204);

      expect(await pendingOf(gone.id)).toBe(0);
      expect(await pendingOf(stays.id)).toBe(1);
    } finally {
      await db.end();
    }
  });

  it('is idempotent and refuses callers without the service token, a user token included', async () => {
    const [gone, victim] = [await cluster.user('gone2'), await cluster.user('victim')];
    const room = (await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: gone.token, body: { userId: victim.id } })).body as { id: string };
    expect((await removeMemberships(victim.id, {})).status).toBe(401);
    expect((await cluster.api(0, 'DELETE', `/internal/v1/users/${victim.id}/memberships`, { token: gone.token })).status).toBe(401);
    expect((await removeMemberships('not-a-uuid')).body.error.code).toBe('invalid');
    expect(await memberIdsOf(victim, room.id)).toEqual([gone.id, victim.id].sort());

    expect((await removeMemberships(gone.id)).status).toBe(204);
    expect((await removeMemberships(gone.id)).status).toBe(204);
    expect(await memberIdsOf(victim, room.id)).toEqual([victim.id]);
  });
});
