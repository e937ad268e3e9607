import { randomBytes, randomUUID } from 'node:crypto';
import type { FuzzIdentity, ServiceName } from './api-surface.js';
import type { FuzzTarget } from './fuzz-run.js';

/** The user whose data the fuzzing must leave exactly as it was. */
export interface FuzzVictim {
  token: string;
  userId: string;
  /** A private room of theirs, with a message and their read marker in it. */
  roomId: string;
}

export interface FuzzParties {
  attacker: FuzzIdentity;
  victim: FuzzVictim;
}

interface Session {
  token: string;
  userId: string;
  username: string;
  email: string;
}

async function call(target: FuzzTarget, service: ServiceName, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, target.baseUrls[service]), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function expectStatus(what: string, result: Promise<{ status: number; body: any }>, ...statuses: number[]): Promise<any> {
  const { status, body } = await result;
  if (!statuses.includes(status)) throw new Error(`fuzz setup: ${what} answered ${status} ${JSON.stringify(body)}`);
  return body;
}

async function register(target: FuzzTarget, role: string): Promise<Session> {
  const suffix = randomBytes(5).toString('hex');
  const username = `fz_${role}_${suffix}`;
  const email = `${username}@example.com`;
  const body = await expectStatus(`registering ${username}`, call(target, 'auth', 'POST', '/api/v1/auth/register', undefined, { email, username, password: `fuzz passphrase ${suffix}` }), 201);
  return { token: body.accessToken, userId: body.user.id, username, email };
}

/**
 * Registers an attacker and a victim through the real API (so it works against any running
 * platform), gives the victim a profile, a private room with a message and a read marker, and
 * the attacker a room of their own with a message in it.
 */
export async function prepareFuzzParties(target: FuzzTarget, options: { internalToken?: string } = {}): Promise<FuzzParties> {
  const [attacker, victim] = [await register(target, 'attacker'), await register(target, 'victim')];

  await expectStatus('the victim’s profile', call(target, 'user', 'PATCH', '/api/v1/users/me', victim.token, { displayName: 'Victim', bio: 'Left alone.\nPlease.' }), 200);
  const victimRoom = await expectStatus('the victim’s room', call(target, 'chat', 'POST', '/api/v1/rooms', victim.token, { name: 'victim only', visibility: 'private' }), 201);
  const victimMessage = await expectStatus(
    'the victim’s message',
    call(target, 'chat', 'POST', `/api/v1/rooms/${victimRoom.id}/messages`, victim.token, { clientMsgId: randomUUID(), body: 'mine' }),
    201,
  );
  await expectStatus('the victim’s read marker', call(target, 'chat', 'POST', `/api/v1/rooms/${victimRoom.id}/read`, victim.token, { messageId: victimMessage.message.id }), 200);

  const attackerRoom = await expectStatus('the attacker’s room', call(target, 'chat', 'POST', '/api/v1/rooms', attacker.token, { name: 'attacker', visibility: 'public' }), 201);
  const attackerMessage = await expectStatus(
    'the attacker’s message',
    call(target, 'chat', 'POST', `/api/v1/rooms/${attackerRoom.id}/messages`, attacker.token, { clientMsgId: randomUUID(), body: 'first' }),
    201,
  );

  return {
    attacker: {
      token: attacker.token,
      userId: attacker.userId,
      username: attacker.username,
      email: attacker.email,
      roomId: attackerRoom.id,
      messageId: attackerMessage.message.id,
      otherUserId: victim.userId,
      otherRoomId: victimRoom.id,
      ...(options.internalToken ? { internalToken: options.internalToken } : {}),
    },
    victim: { token: victim.token, userId: victim.userId, roomId: victimRoom.id },
  };
}

/**
 * What the victim sees of their own data, through the API: account, profile, their room's
 * history, members and read markers, friends, requests they sent, blocks. What an attacker may
 * legitimately do to them (send a friend request, open a direct room, add them to a new room)
 * is left out.
 */
export async function victimSnapshot(target: FuzzTarget, victim: FuzzVictim): Promise<Record<string, unknown>> {
  const read = async (service: ServiceName, path: string) => expectStatus(`the victim’s ${path}`, call(target, service, 'GET', path, victim.token), 200);
  const members = (await read('chat', `/api/v1/rooms/${victim.roomId}/members`)) as { members: Array<Record<string, unknown>> };
  return {
    account: await read('auth', '/api/v1/auth/me'),
    profile: await read('user', '/api/v1/users/me'),
    history: await read('chat', `/api/v1/rooms/${victim.roomId}/messages?limit=100`),
    // Presence comes and goes; the rest of a membership must not.
    members: members.members.map(({ online: _online, ...member }) => member),
    friends: await read('user', '/api/v1/users/me/friends'),
    sentRequests: await read('user', '/api/v1/users/me/friend-requests?direction=outgoing'),
    blocks: await read('user', '/api/v1/users/me/blocks'),
  };
}
