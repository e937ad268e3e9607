import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as contracts from './index.js';

const ROOM = '3f6c1a52-6a0e-4a53-9d43-0a8f4d1b6a10';
const USER = '9b2f3c1e-0d7a-4c55-8e21-5b6a7c8d9e0f';
const CURSOR = Buffer.from(JSON.stringify({ v: 1 })).toString('base64url');

/**
 * A valid example of every contract a client sends (request bodies, queries, path parameters,
 * socket payloads, the handshake). A contract added without an example fails the first test.
 */
const EXAMPLES: Record<string, unknown[]> = {
  registerRequestSchema: [{ email: 'ada@example.com', username: 'ada_l', password: 'a long passphrase' }],
  loginRequestSchema: [{ login: 'ada_l', password: 'a long passphrase' }],
  refreshRequestSchema: [{ refreshToken: 'r'.repeat(43) }],
  logoutRequestSchema: [{ refreshToken: 'r'.repeat(43) }],
  logoutAllRequestSchema: [{}],
  emailVerifyRequestSchema: [{}],
  emailVerifyConfirmSchema: [{ code: '123456' }],
  passwordResetRequestSchema: [{ email: 'ada@example.com' }],
  passwordResetConfirmSchema: [{ email: 'ada@example.com', code: '123456', newPassword: 'another passphrase' }],
  changePasswordRequestSchema: [{ currentPassword: 'a long passphrase', newPassword: 'another passphrase' }],
  deleteAccountRequestSchema: [{ password: 'a long passphrase' }],
  sessionParamsSchema: [{ sessionId: USER }],
  updateProfileRequestSchema: [{ displayName: 'Ada', bio: 'Counts things.\nMostly engines.', avatarUrl: 'https://example.com/a.png', mentionDigest: false }],
  userSearchQuerySchema: [{ query: 'ada', limit: '20', cursor: CURSOR }],
  createFriendRequestSchema: [{ userId: USER }],
  friendRequestListQuerySchema: [{ direction: 'outgoing' }],
  userIdParamsSchema: [{ userId: USER }],
  idParamsSchema: [{ id: USER }],
  provisionProfileRequestSchema: [{ username: 'ada_l', email: 'ada@example.com' }],
  profileEmailStateRequestSchema: [{ email: 'ada@example.com', emailVerified: true, version: 1 }],
  blockCheckQuerySchema: [{ userA: USER, userB: ROOM }],
  roomIdParamsSchema: [{ id: ROOM }],
  roomMemberParamsSchema: [{ id: ROOM, userId: USER }],
  roomMessageParamsSchema: [{ id: ROOM, messageId: '42' }],
  createDirectRoomRequestSchema: [{ userId: USER }],
  createRoomRequestSchema: [{ name: 'Engines', memberIds: [USER], visibility: 'public' }],
  roomListQuerySchema: [{ limit: '10', cursor: CURSOR }],
  publicRoomQuerySchema: [{ query: 'eng', limit: '10', cursor: CURSOR }],
  addMembersRequestSchema: [{ userIds: [USER] }],
  sendMessageRequestSchema: [{ clientMsgId: USER, body: 'hello\tthere\r\nsecond line' }, { clientMsgId: USER, body: '@ada_l yes', replyTo: '42' }, { clientMsgId: USER, body: 'look', attachments: [ROOM, USER] }, { clientMsgId: USER, body: '@ada_l look', replyTo: '42', attachments: [ROOM] }],
  messageSearchQuerySchema: [{ q: 'difference "analytical engine" -babbage', roomId: ROOM, cursor: CURSOR, limit: '20' }, { q: 'ada' }],
  messagesAroundQuerySchema: [{ limit: '25' }, {}],
  historyQuerySchema: [{ before: '123456789012345678', limit: '50' }, { after: '9223372036854775807' }, { beforeSeq: '120' }, { afterSeq: '7' }],
  messageSeqQuerySchema: ['42'],
  readMarkerRequestSchema: [{ messageId: '123456789012345678' }],
  presenceQuerySchema: [{ userIds: `${USER},${ROOM}` }],
  messageSendPayloadSchema: [{ roomId: ROOM, clientMsgId: USER, body: 'hi' }, { roomId: ROOM, clientMsgId: USER, body: 'hi @ada_l', replyTo: '42' }, { roomId: ROOM, clientMsgId: USER, body: 'hi', attachments: [USER] }, { roomId: ROOM, clientMsgId: USER, body: 'hi @ada_l', replyTo: '42', attachments: [USER] }],
  messageEditPayloadSchema: [{ roomId: ROOM, messageId: '42', clientMsgId: USER, body: 'hi,\nedited' }],
  messageDeletePayloadSchema: [{ roomId: ROOM, messageId: '42', clientMsgId: USER }],
  reactionPayloadSchema: [{ roomId: ROOM, messageId: '42', clientMsgId: USER, emoji: '👍🏽' }],
  roomSyncPayloadSchema: [{ rooms: [{ roomId: ROOM, afterId: '42' }, { roomId: USER, afterId: null }] }],
  roomReadPayloadSchema: [{ roomId: ROOM, messageId: '42' }],
  typingPayloadSchema: [{ roomId: ROOM, isTyping: true }],
  socketAuthSchema: [{ token: 'header.payload.signature' }],
  authRefreshPayloadSchema: [{ token: 'header.payload.signature' }],
  shedSocketsRequestSchema: [{ count: 3 }],
  updateRoomRequestSchema: [{ name: 'Engines', topic: 'Difference engines', avatarUrl: 'https://example.com/r.png' }, { topic: null }],
  memberRoleRequestSchema: [{ role: 'admin' }],
  roomPreferencesRequestSchema: [{ muted: true }],
  createInviteRequestSchema: [{ expiresInHours: 24 }, {}],
  inviteTokenParamsSchema: [{ token: 't'.repeat(43) }],
  inviteParamsSchema: [{ id: ROOM, inviteId: USER }],
  roomEventQuerySchema: [{ before: '42', limit: '100' }],
  threadQuerySchema: [{ afterSeq: '7', limit: '100' }, { beforeSeq: '7' }, { from: 'end' }, {}],
  usernameLookupRequestSchema: [{ usernames: ['ada_l', 'bob.b'] }],
  mailProfilesRequestSchema: [{ userIds: [USER] }],
  uploadAttachmentQuerySchema: [{ name: 'holiday photo.jpg' }, {}],
  roomAttachmentParamsSchema: [{ id: ROOM, attachmentId: USER }],
  signedDownloadQuerySchema: [{ variant: 'thumbnail', user: USER, expires: '1800000000', signature: 's'.repeat(43) }],
};

/** Fields that keep tab and line breaks. */
const MULTILINE = new Set(['sendMessageRequestSchema.body', 'messageSendPayloadSchema.body', 'messageEditPayloadSchema.body', 'updateProfileRequestSchema.bio']);
/** Fields exempt from the text rules, and why (see the contract). */
const EXEMPT = new Set(['loginRequestSchema.password', 'changePasswordRequestSchema.currentPassword', 'deleteAccountRequestSchema.password']);

const REFUSED_ANYWHERE = ['\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085', '\u009f', '\ud800', '\udfff'];
const LINE_BREAKS = ['\t', '\n', '\r'];

/** Names that end like a client contract but describe what the server sends. */
const SERVER_SENT = new Set(['friendRequestSchema']);

const clientContracts = Object.entries(contracts).filter(
  ([name]) => (/(Request|Query|Params|Payload)Schema$/.test(name) || name === 'socketAuthSchema') && !SERVER_SENT.has(name),
) as Array<[string, z.ZodType]>;

/** Every string in a value, with a function that returns a copy where that string is replaced. */
function stringLeaves(value: unknown, path: string[] = []): Array<{ path: string; replace(next: string): unknown }> {
  if (typeof value === 'string') return [{ path: path.join('.'), replace: (next) => next }];
  if (Array.isArray(value)) {
    return value.flatMap((item, index) =>
      stringLeaves(item, [...path, String(index)]).map((leaf) => ({
        path: leaf.path,
        replace: (next: string) => value.map((other, at) => (at === index ? leaf.replace(next) : other)),
      })),
    );
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) =>
      stringLeaves(item, [...path, key]).map((leaf) => ({ path: leaf.path, replace: (next: string) => ({ ...value, [key]: leaf.replace(next) }) })),
    );
  }
  return [];
}

/** `a.0.b` → `a.b`: the field, whatever the array position. */
const fieldOf = (contract: string, path: string) => `${contract}.${path.replace(/\.\d+(?=\.|$)/g, '')}`;

describe('the text rules of every contract a client sends', () => {
  it('has a valid example of every client contract, and each example parses', () => {
    expect(clientContracts.length).toBeGreaterThan(25);
    expect(clientContracts.map(([name]) => name).filter((name) => !EXAMPLES[name]), 'contracts without an example in this test').toEqual([]);
    for (const [name, schema] of clientContracts) {
      for (const example of EXAMPLES[name]!) expect(schema.safeParse(example).error, name).toBeUndefined();
    }
  });

  it('refuses NUL, other control characters and unpaired surrogates anywhere in any string field', () => {
    const accepted: string[] = [];
    for (const [name, schema] of clientContracts) {
      for (const example of EXAMPLES[name]!) {
        for (const leaf of stringLeaves(example)) {
          if (EXEMPT.has(fieldOf(name, leaf.path))) continue;
          const current = pathValue(example, leaf.path);
          for (const character of REFUSED_ANYWHERE) {
            for (const candidate of [`${current}${character}`, `${character}${current}`, `${current.slice(0, 2)}${character}${current.slice(2)}`]) {
              if (schema.safeParse(leaf.replace(candidate)).success) accepted.push(`${name}.${leaf.path} accepted ${JSON.stringify(candidate)}`);
            }
          }
        }
      }
    }
    expect(accepted).toEqual([]);
  });

  it('allows tab and line breaks in message bodies and bios only', () => {
    const outcomes: string[] = [];
    for (const [name, schema] of clientContracts) {
      for (const example of EXAMPLES[name]!) {
        for (const leaf of stringLeaves(example)) {
          const field = fieldOf(name, leaf.path);
          if (EXEMPT.has(field)) continue;
          const current = pathValue(example, leaf.path);
          for (const character of LINE_BREAKS) {
            const accepted = schema.safeParse(leaf.replace(`${current.slice(0, 2)}${character}${current.slice(2)}`)).success;
            if (accepted !== MULTILINE.has(field)) outcomes.push(`${field} ${accepted ? 'accepted' : 'refused'} ${JSON.stringify(character)}`);
          }
        }
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('keeps text outside the Basic Multilingual Plane and non-Latin scripts', () => {
    const body = contracts.messageBodySchema.safeParse('😀 здравствуй 你好 \u200d👩‍💻 é');
    expect(body.success).toBe(true);
    expect(contracts.createRoomRequestSchema.safeParse({ name: 'Ünïcødé 🚂' }).success).toBe(true);
  });
});

describe.each([
  ['message ids', contracts.messageIdSchema],
  ['room event ids (a timeline page’s `before`)', contracts.roomEventIdSchema],
])('%s', (_name, schema) => {
  it('are canonical decimal strings within PostgreSQL bigint', () => {
    for (const id of ['0', '1', '123456789012345678', '9223372036854775807']) expect(schema.safeParse(id).success, id).toBe(true);
    for (const id of ['9223372036854775808', '99999999999999999999', '18446744073709551615', '007', '-1', '1e3', ' 1', '1.0', '', '٣']) {
      expect(schema.safeParse(id).success, id).toBe(false);
    }
  });
});

function pathValue(value: unknown, path: string): string {
  // An empty path: the contract is a string itself (a query parameter's schema).
  if (path === '') return value as string;
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], value) as string;
}
