import type { RandomSource } from './random-source.js';

/** Who fuzzes, and what they may aim at. Ids come from a real platform (see fuzz-setup.ts). */
export interface FuzzIdentity {
  /** The attacker's access token: most routes need one to get past authentication. */
  token: string;
  userId: string;
  username: string;
  email: string;
  /** A group room the attacker owns, and a message in it (well-formed payloads aim here). */
  roomId: string;
  messageId: string;
  /** Another user, and a private room of theirs the attacker is not in: payloads aim there too. */
  otherUserId: string;
  otherRoomId: string;
  /** The shared secret of `/internal/*`; without it, internal routes are not fuzzed. */
  internalToken?: string;
}

export type ServiceName = 'auth' | 'user' | 'chat';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A well-formed request of one route; the fuzzer mutates it. */
export interface RestTemplate {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

export interface RestRoute {
  service: ServiceName;
  method: HttpMethod;
  /** Express-style path: `/api/v1/rooms/:id/messages`. */
  path: string;
  credentials: 'access-token' | 'internal-token' | 'none';
  template(identity: FuzzIdentity, random: RandomSource): RestTemplate;
}

export interface SocketEventTemplate {
  event: string;
  /** Whether the server answers with an ack (it must, to every payload). */
  acked: boolean;
  payload(identity: FuzzIdentity, random: RandomSource): unknown;
}

/** Rooms a payload may name: the attacker's own, the victim's, or one that does not exist. */
const someRoom = (identity: FuzzIdentity, random: RandomSource) => random.pick([identity.roomId, identity.otherRoomId, random.uuid()]);
/** Rooms for actions that would take the attacker out of their own room (they keep it to fuzz in). */
const foreignRoom = (identity: FuzzIdentity, random: RandomSource) => random.pick([identity.otherRoomId, random.uuid()]);
const someUser = (identity: FuzzIdentity, random: RandomSource) => random.pick([identity.otherUserId, identity.userId, random.uuid()]);
const someMessageId = (identity: FuzzIdentity, random: RandomSource) => random.pick([identity.messageId, '1', String(random.int(1, 2 ** 31))]);
const word = (random: RandomSource) => `fz${random.int(0, 1e9).toString(36)}`;
const fakeRefreshToken = (random: RandomSource) => Array.from({ length: 43 }, () => random.pick([...'abcdefghijklmnopqrstuvwxyz0123456789-_'])).join('');

/**
 * Every public REST route of auth, user and chat-socket (and the user service's internal ones),
 * each with a well-formed request. Routes that would end the attacker's own session or
 * identity are aimed elsewhere (a made-up refresh token, other rooms), so a run keeps fuzzing
 * as a signed-in user from start to end.
 */
export const REST_ROUTES: RestRoute[] = [
  // auth
  { service: 'auth', method: 'POST', path: '/api/v1/auth/register', credentials: 'none', template: (_i, r) => ({ body: { email: `${word(r)}@example.com`, username: word(r), password: `pass ${word(r)} phrase` } }) },
  { service: 'auth', method: 'POST', path: '/api/v1/auth/login', credentials: 'none', template: (i, r) => ({ body: { login: r.pick([i.username, i.email, word(r)]), password: `wrong ${word(r)}` } }) },
  { service: 'auth', method: 'POST', path: '/api/v1/auth/refresh', credentials: 'none', template: (_i, r) => ({ body: { refreshToken: fakeRefreshToken(r) } }) },
  { service: 'auth', method: 'POST', path: '/api/v1/auth/logout', credentials: 'none', template: (_i, r) => ({ body: { refreshToken: fakeRefreshToken(r) } }) },
  { service: 'auth', method: 'GET', path: '/api/v1/auth/me', credentials: 'access-token', template: () => ({}) },
  { service: 'auth', method: 'POST', path: '/api/v1/auth/email/verify/request', credentials: 'access-token', template: () => ({ body: {} }) },
  { service: 'auth', method: 'POST', path: '/api/v1/auth/email/verify/confirm', credentials: 'access-token', template: (_i, r) => ({ body: { code: String(r.int(0, 999_999)).padStart(6, '0') } }) },
  { service: 'auth', method: 'POST', path: '/api/v1/auth/password/reset/request', credentials: 'none', template: (_i, r) => ({ body: { email: `${word(r)}@example.com` } }) },
  {
    service: 'auth',
    method: 'POST',
    path: '/api/v1/auth/password/reset/confirm',
    credentials: 'none',
    template: (i, r) => ({ body: { email: r.pick([i.email, `${word(r)}@example.com`]), code: String(r.int(0, 999_999)).padStart(6, '0'), newPassword: `new ${word(r)} phrase` } }),
  },
  { service: 'auth', method: 'GET', path: '/.well-known/jwks.json', credentials: 'none', template: () => ({}) },
  { service: 'auth', method: 'GET', path: '/api/v1/auth/openapi.json', credentials: 'none', template: () => ({}) },
  // Changing the password, deleting the account and logout-all would end the fuzzing identity; the sessions list is safe.
  { service: 'auth', method: 'GET', path: '/api/v1/auth/sessions', credentials: 'access-token', template: () => ({}) },
  { service: 'auth', method: 'DELETE', path: '/api/v1/auth/sessions/:sessionId', credentials: 'access-token', template: (_i, r) => ({ params: { sessionId: r.uuid() } }) },

  // user
  { service: 'user', method: 'GET', path: '/api/v1/users/me', credentials: 'access-token', template: () => ({}) },
  {
    service: 'user',
    method: 'PATCH',
    path: '/api/v1/users/me',
    credentials: 'access-token',
    template: (_i, r) => ({ body: { displayName: `Fuzz ${word(r)}`, bio: `line one\nline ${word(r)}`, avatarUrl: `https://example.com/${word(r)}.png` } }),
  },
  { service: 'user', method: 'GET', path: '/api/v1/users', credentials: 'access-token', template: (i, r) => ({ query: { query: r.pick([i.username.slice(0, 3), 'a', word(r)]), limit: String(r.int(1, 50)) } }) },
  { service: 'user', method: 'GET', path: '/api/v1/users/:id', credentials: 'access-token', template: (i, r) => ({ params: { id: someUser(i, r) } }) },
  { service: 'user', method: 'POST', path: '/api/v1/users/me/friend-requests', credentials: 'access-token', template: (i, r) => ({ body: { userId: someUser(i, r) } }) },
  { service: 'user', method: 'GET', path: '/api/v1/users/me/friend-requests', credentials: 'access-token', template: (_i, r) => ({ query: { direction: r.pick(['incoming', 'outgoing']) } }) },
  { service: 'user', method: 'POST', path: '/api/v1/users/me/friend-requests/:id/accept', credentials: 'access-token', template: (_i, r) => ({ params: { id: r.uuid() } }) },
  { service: 'user', method: 'POST', path: '/api/v1/users/me/friend-requests/:id/reject', credentials: 'access-token', template: (_i, r) => ({ params: { id: r.uuid() } }) },
  { service: 'user', method: 'GET', path: '/api/v1/users/me/friends', credentials: 'access-token', template: () => ({}) },
  { service: 'user', method: 'DELETE', path: '/api/v1/users/me/friends/:userId', credentials: 'access-token', template: (i, r) => ({ params: { userId: someUser(i, r) } }) },
  { service: 'user', method: 'GET', path: '/api/v1/users/me/blocks', credentials: 'access-token', template: () => ({}) },
  { service: 'user', method: 'PUT', path: '/api/v1/users/me/blocks/:userId', credentials: 'access-token', template: (i, r) => ({ params: { userId: someUser(i, r) } }) },
  { service: 'user', method: 'DELETE', path: '/api/v1/users/me/blocks/:userId', credentials: 'access-token', template: (i, r) => ({ params: { userId: someUser(i, r) } }) },
  { service: 'user', method: 'GET', path: '/api/v1/users/openapi.json', credentials: 'none', template: () => ({}) },
  // Internal (never routed by an ingress): a made-up profile id, so no real profile is rewritten.
  { service: 'user', method: 'PUT', path: '/internal/v1/profiles/:id', credentials: 'internal-token', template: (_i, r) => ({ params: { id: r.uuid() }, body: { username: word(r), email: `${word(r)}@example.com` } }) },
  { service: 'user', method: 'GET', path: '/internal/v1/blocks', credentials: 'internal-token', template: (i, r) => ({ query: { userA: someUser(i, r), userB: someUser(i, r) } }) },
  { service: 'user', method: 'GET', path: '/internal/v1/users/:userId/friend-ids', credentials: 'internal-token', template: (i, r) => ({ params: { userId: someUser(i, r) } }) },
  { service: 'user', method: 'GET', path: '/internal/v1/users/:userId/blocked-ids', credentials: 'internal-token', template: (i, r) => ({ params: { userId: someUser(i, r) } }) },

  // chat-socket
  { service: 'chat', method: 'POST', path: '/api/v1/rooms/direct', credentials: 'access-token', template: (i, r) => ({ body: { userId: someUser(i, r) } }) },
  {
    service: 'chat',
    method: 'POST',
    path: '/api/v1/rooms',
    credentials: 'access-token',
    template: (i, r) => ({ body: { name: `room ${word(r)}`, memberIds: r.chance(0.3) ? [i.otherUserId] : [], visibility: r.pick(['private', 'public']) } }),
  },
  { service: 'chat', method: 'GET', path: '/api/v1/rooms', credentials: 'access-token', template: (_i, r) => ({ query: { limit: String(r.int(1, 100)) } }) },
  { service: 'chat', method: 'GET', path: '/api/v1/rooms/public', credentials: 'access-token', template: (_i, r) => ({ query: { query: r.pick(['room', 'a', '']), limit: String(r.int(1, 100)) } }) },
  { service: 'chat', method: 'POST', path: '/api/v1/rooms/:id/join', credentials: 'access-token', template: (i, r) => ({ params: { id: someRoom(i, r) } }) },
  { service: 'chat', method: 'POST', path: '/api/v1/rooms/:id/leave', credentials: 'access-token', template: (i, r) => ({ params: { id: foreignRoom(i, r) } }) },
  { service: 'chat', method: 'GET', path: '/api/v1/rooms/:id/members', credentials: 'access-token', template: (i, r) => ({ params: { id: someRoom(i, r) } }) },
  { service: 'chat', method: 'POST', path: '/api/v1/rooms/:id/members', credentials: 'access-token', template: (i, r) => ({ params: { id: someRoom(i, r) }, body: { userIds: [someUser(i, r)] } }) },
  { service: 'chat', method: 'DELETE', path: '/api/v1/rooms/:id/members/:userId', credentials: 'access-token', template: (i, r) => ({ params: { id: foreignRoom(i, r), userId: someUser(i, r) } }) },
  { service: 'chat', method: 'POST', path: '/api/v1/rooms/:id/messages', credentials: 'access-token', template: (i, r) => ({ params: { id: someRoom(i, r) }, body: { clientMsgId: r.uuid(), body: `hello ${word(r)}` } }) },
  {
    service: 'chat',
    method: 'GET',
    path: '/api/v1/rooms/:id/messages',
    credentials: 'access-token',
    template: (i, r) => ({ params: { id: someRoom(i, r) }, query: { [r.pick(['before', 'after'])]: someMessageId(i, r), limit: String(r.int(1, 100)) } }),
  },
  { service: 'chat', method: 'POST', path: '/api/v1/rooms/:id/read', credentials: 'access-token', template: (i, r) => ({ params: { id: someRoom(i, r) }, body: { messageId: someMessageId(i, r) } }) },
  // Room settings, the timeline and invite links (the attacker's own room is theirs to rename).
  { service: 'chat', method: 'PATCH', path: '/api/v1/rooms/:id', credentials: 'access-token', template: (i, r) => ({ params: { id: someRoom(i, r) }, body: { name: `room ${word(r)}`, topic: r.pick([null, `topic ${word(r)}`]) } }) },
  {
    service: 'chat',
    method: 'PUT',
    path: '/api/v1/rooms/:id/members/:userId/role',
    credentials: 'access-token',
    template: (i, r) => ({ params: { id: someRoom(i, r), userId: someUser(i, r) }, body: { role: r.pick(['admin', 'member']) } }),
  },
  { service: 'chat', method: 'PUT', path: '/api/v1/rooms/:id/preferences', credentials: 'access-token', template: (i, r) => ({ params: { id: someRoom(i, r) }, body: { muted: r.chance(0.5) } }) },
  { service: 'chat', method: 'GET', path: '/api/v1/rooms/:id/events', credentials: 'access-token', template: (i, r) => ({ params: { id: someRoom(i, r) }, query: { limit: String(r.int(1, 200)) } }) },
  { service: 'chat', method: 'POST', path: '/api/v1/rooms/:id/invites', credentials: 'access-token', template: (i, r) => ({ params: { id: someRoom(i, r) }, body: { expiresInHours: r.int(1, 720) } }) },
  { service: 'chat', method: 'GET', path: '/api/v1/rooms/:id/invites', credentials: 'access-token', template: (i, r) => ({ params: { id: someRoom(i, r) } }) },
  { service: 'chat', method: 'DELETE', path: '/api/v1/rooms/:id/invites/:inviteId', credentials: 'access-token', template: (i, r) => ({ params: { id: someRoom(i, r), inviteId: r.uuid() } }) },
  { service: 'chat', method: 'GET', path: '/api/v1/rooms/invites/:token', credentials: 'access-token', template: (_i, r) => ({ params: { token: fakeRefreshToken(r) } }) },
  { service: 'chat', method: 'POST', path: '/api/v1/rooms/invites/:token/accept', credentials: 'access-token', template: (_i, r) => ({ params: { token: fakeRefreshToken(r) } }) },
  {
    service: 'chat',
    method: 'GET',
    path: '/api/v1/rooms/:id/messages/:messageId/revisions',
    credentials: 'access-token',
    template: (i, r) => ({ params: { id: someRoom(i, r), messageId: someMessageId(i, r) } }),
  },
  {
    service: 'chat',
    method: 'GET',
    path: '/api/v1/rooms/:id/messages/:messageId/replies',
    credentials: 'access-token',
    template: (i, r) => ({
      params: { id: someRoom(i, r), messageId: someMessageId(i, r) },
      query: { ...r.pick([{}, { from: 'end' }, { afterSeq: String(r.int(0, 50)) }, { beforeSeq: String(r.int(0, 50)) }]), limit: String(r.int(1, 100)) },
    }),
  },
  {
    service: 'chat',
    method: 'GET',
    path: '/api/v1/search/messages',
    credentials: 'access-token',
    template: (i, r) => ({ query: { q: word(r), ...(r.chance(0.5) ? { roomId: someRoom(i, r) } : {}), limit: String(r.int(1, 50)) } }),
  },
  {
    service: 'chat',
    method: 'GET',
    path: '/api/v1/rooms/:id/messages/around/:messageId',
    credentials: 'access-token',
    template: (i, r) => ({ params: { id: someRoom(i, r), messageId: someMessageId(i, r) }, query: { limit: String(r.int(1, 50)) } }),
  },
  { service: 'chat', method: 'GET', path: '/api/v1/presence', credentials: 'access-token', template: (i, r) => ({ query: { userIds: [someUser(i, r), someUser(i, r)].join(',') } }) },
  { service: 'chat', method: 'GET', path: '/api/v1/rooms/openapi.json', credentials: 'none', template: () => ({}) },
];

/** Every event a client may send over the socket, each with a well-formed payload. */
export const SOCKET_EVENTS: SocketEventTemplate[] = [
  { event: 'message:send', acked: true, payload: (i, r) => ({ roomId: someRoom(i, r), clientMsgId: r.uuid(), body: `hi ${word(r)}` }) },
  { event: 'message:edit', acked: true, payload: (i, r) => ({ roomId: someRoom(i, r), messageId: someMessageId(i, r), clientMsgId: r.uuid(), body: `edited ${word(r)}` }) },
  { event: 'message:delete', acked: true, payload: (i, r) => ({ roomId: someRoom(i, r), messageId: someMessageId(i, r), clientMsgId: r.uuid() }) },
  { event: 'reaction:add', acked: true, payload: (i, r) => ({ roomId: someRoom(i, r), messageId: someMessageId(i, r), clientMsgId: r.uuid(), emoji: r.pick(['👍', '🎉', '❤️']) }) },
  { event: 'reaction:remove', acked: true, payload: (i, r) => ({ roomId: someRoom(i, r), messageId: someMessageId(i, r), clientMsgId: r.uuid(), emoji: r.pick(['👍', '🎉', '❤️']) }) },
  { event: 'room:sync', acked: true, payload: (i, r) => ({ rooms: [{ roomId: someRoom(i, r), afterId: r.pick([null, someMessageId(i, r)]) }] }) },
  { event: 'room:read', acked: true, payload: (i, r) => ({ roomId: someRoom(i, r), messageId: someMessageId(i, r) }) },
  // The attacker's own token handed over again: a well-formed renewal that keeps the socket open.
  { event: 'auth:refresh', acked: true, payload: (i) => ({ token: i.token }) },
  { event: 'typing', acked: false, payload: (i, r) => ({ roomId: someRoom(i, r), isTyping: r.chance(0.5) }) },
];

/** Event names no handler listens to (and some that would be special elsewhere). */
export const UNKNOWN_EVENTS = ['message:new', 'room:new', 'presence', 'notification', 'server:reconnect', '__proto__', 'constructor', 'hasOwnProperty', 'toString', 'x'.repeat(1_000), 'room:sync ', 'MESSAGE:SEND'];
