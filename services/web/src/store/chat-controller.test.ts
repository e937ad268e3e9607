// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HistoryResponse, Message, Presence, RoomEvent, RoomMember, RoomSummary } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';
import { FakeChatSocket } from '../test-support/fake-chat-socket';
import { ChatController } from './chat-controller';
import { createChatStore, type ChatStore } from './chat-store';

const SELF = '00000000-0000-4000-8000-00000000000a';
const OTHER = '00000000-0000-4000-8000-00000000000b';
const NEWCOMER = '00000000-0000-4000-8000-00000000000c';
const ROOM = '00000000-0000-4000-8000-000000000001';
const BUSY_ROOM = '00000000-0000-4000-8000-000000000002';

function message(id: string, senderId = OTHER, clientMsgId = `10000000-0000-4000-8000-${id.padStart(12, '0')}`, roomId = ROOM): Message {
  return { id, seq: Number(id), roomId, senderId, clientMsgId, body: `message ${id}`, createdAt: '2026-05-01T10:00:00.000Z' };
}

function summary(overrides: Partial<RoomSummary> = {}): RoomSummary {
  return {
    id: ROOM,
    kind: 'direct',
    name: null,
    visibility: 'private',
    createdBy: SELF,
    createdAt: '2026-05-01T09:00:00.000Z',
    lastActivityAt: '2026-05-01T10:00:00.000Z',
    memberCount: 2,
    memberIds: [SELF, OTHER],
    lastMessage: null,
    unreadCount: 0,
    lastReadMessageId: null,
    ...overrides,
  };
}

let socket: FakeChatSocket;
let store: ChatStore;
let controller: ChatController;
let rooms: RoomSummary[];
let history: (query: { before?: string; after?: string; beforeSeq?: number; afterSeq?: number }, roomId: string) => HistoryResponse;
let presenceAnswers: Presence[];
/** The server's answers to member-list requests, in order. */
let memberList: () => Promise<{ members: RoomMember[] }>;
let clientIds: number;
/** What the controller subscribed to the API client's new access tokens, if anything. */
let tokenListener: ((token: string) => void) | undefined;

function fakeApi(): ApiClient {
  const api = {
    rooms: async () => ({ rooms, nextCursor: null }),
    history: async (roomId: string, query: { before?: string; after?: string; beforeSeq?: number; afterSeq?: number }) => history(query, roomId),
    members: async () => memberList(),
    roomEvents: async () => ({ events: [], hasMore: false }),
    me: async () => Promise.reject(new Error('not needed')),
    profile: async (id: string) => ({ id, username: id === OTHER ? 'ben' : 'ana', displayName: null, bio: null, avatarUrl: null, createdAt: '2026-01-01T00:00:00.000Z' }),
    presence: async (userIds: string[]) => ({ presence: presenceAnswers.filter((entry) => userIds.includes(entry.userId)) }),
    friendRequests: async () => ({ requests: [] }),
    markRead: async () => ({ roomId: ROOM, lastReadMessageId: '0' }),
    refresh: async () => null,
    onAccessToken: (listener: (token: string) => void) => {
      tokenListener = listener;
      return () => (tokenListener = undefined);
    },
  };
  return api as unknown as ApiClient;
}

const clientId = (n: number) => `20000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const items = (roomId = ROOM) => store.getState().messages[roomId]?.items ?? [];
const flush = () => vi.advanceTimersByTimeAsync(0);

/** A page (or a reload): a new store, socket and controller for the same user, its browser storage kept. */
async function startPage(connect = true): Promise<void> {
  socket = new FakeChatSocket();
  store = createChatStore(SELF);
  controller = new ChatController({ api: fakeApi(), socket: socket.asSocket(), dispatch: store.dispatch, getState: store.getState, newClientMsgId: () => clientId((clientIds += 1)) });
  controller.start();
  if (connect) socket.serverAccepts();
  await flush();
}

beforeEach(async () => {
  vi.useFakeTimers();
  localStorage.clear();
  clientIds = 0;
  rooms = [summary()];
  presenceAnswers = [];
  memberList = async () => ({ members: [] });
  history = () => ({ messages: [message('1'), message('2')], hasMore: false });
  await startPage();
  controller.openRoom(ROOM);
  await flush();
});

afterEach(() => {
  controller.stop();
  vi.useRealTimers();
});

describe('sending', () => {
  it('shows the message at once, then as sent with the id from the ack', async () => {
    let answer: (value: unknown) => void = () => undefined;
    socket.onAck('message:send', () => new Promise((resolve) => (answer = resolve)));
    controller.send(ROOM, 'hello');
    expect(items().at(-1)).toMatchObject({ body: 'hello', state: 'pending', id: null, clientMsgId: clientId(1) });
    expect(socket.emittedOf('message:send')).toEqual([{ roomId: ROOM, clientMsgId: clientId(1), body: 'hello' }]);

    answer({ ok: true, message: { ...message('3', SELF, clientId(1)), body: 'hello' } });
    await flush();
    expect(items().map((item) => [item.id, item.state])).toEqual([
      ['1', 'sent'],
      ['2', 'sent'],
      ['3', 'sent'],
    ]);
  });

  it('shows why the server refused it, and a retry sends the same clientMsgId again', async () => {
    socket.onAck('message:send', () => ({ ok: false, error: { code: 'forbidden', message: 'Not a member' } }));
    controller.send(ROOM, 'refused');
    await flush();
    const failed = items().at(-1)!;
    expect(failed).toMatchObject({ state: 'failed', error: 'You cannot post in this room (you may have been removed, or blocked).' });

    socket.onAck('message:send', () => ({ ok: true, message: { ...message('4', SELF, clientId(1)), body: 'refused' } }));
    controller.retry(ROOM, failed.key);
    await flush();
    expect(socket.emittedOf('message:send').map((payload) => (payload as { clientMsgId: string }).clientMsgId)).toEqual([clientId(1), clientId(1)]);
    expect(items().filter((item) => item.body === 'refused')).toEqual([expect.objectContaining({ id: '4', state: 'sent' })]);
  });

  it('keeps a message refused as too fast waiting in its place and sends it again a second later, before the ones written after it', async () => {
    let limited = true;
    socket.onAck('message:send', (payload) => {
      const { clientMsgId, body } = payload as { clientMsgId: string; body: string };
      if (limited) return { ok: false, error: { code: 'rate_limited', message: 'You are sending messages too fast' } };
      return { ok: true, message: { ...message(clientMsgId === clientId(1) ? '5' : '6', SELF, clientMsgId), body } };
    });
    controller.send(ROOM, 'typed fast');
    controller.send(ROOM, 'typed next');
    await flush();
    expect(items().slice(-2).map((item) => [item.body, item.state])).toEqual([
      ['typed fast', 'queued'],
      ['typed next', 'queued'],
    ]);
    expect(items().some((item) => item.state === 'failed')).toBe(false);
    // Nothing is sent again before the server's bucket can have refilled, and the next one waits its turn.
    await vi.advanceTimersByTimeAsync(900);
    expect(socket.emittedOf('message:send').map((payload) => (payload as { clientMsgId: string }).clientMsgId)).toEqual([clientId(1)]);

    limited = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(socket.emittedOf('message:send').map((payload) => (payload as { clientMsgId: string }).clientMsgId)).toEqual([clientId(1), clientId(1), clientId(2)]);
    expect(items().slice(-2).map((item) => [item.body, item.id, item.state])).toEqual([
      ['typed fast', '5', 'sent'],
      ['typed next', '6', 'sent'],
    ]);
  });

  it('queues messages written while offline and sends them in order, with their clientMsgIds, when the connection returns', async () => {
    socket.networkDrops();
    controller.send(ROOM, 'first while away');
    controller.send(ROOM, 'second while away');
    expect(items().slice(-2).map((item) => [item.body, item.state])).toEqual([
      ['first while away', 'queued'],
      ['second while away', 'queued'],
    ]);
    expect(socket.emittedOf('message:send')).toEqual([]);

    let nextId = 10;
    socket.onAck('message:send', (payload) => {
      const { clientMsgId, body } = payload as { clientMsgId: string; body: string };
      return { ok: true, message: { ...message(String((nextId += 1)), SELF, clientMsgId), body } };
    });
    socket.onAck('room:sync', () => ({ ok: true, rooms: [] }));
    socket.serverAccepts();
    await flush();
    await flush();
    expect(socket.emittedOf('message:send')).toEqual([
      { roomId: ROOM, clientMsgId: clientId(1), body: 'first while away' },
      { roomId: ROOM, clientMsgId: clientId(2), body: 'second while away' },
    ]);
    expect(items().slice(-2).map((item) => [item.body, item.id, item.state])).toEqual([
      ['first while away', '11', 'sent'],
      ['second while away', '12', 'sent'],
    ]);
  });

  it('sends a reply with its files: replyTo and the attachment ids go out together, also from the outbox after a reload', async () => {
    const file = { id: '20000000-0000-4000-8000-000000000001', kind: 'file' as const, name: 'notes.pdf', contentType: 'application/pdf', size: 8, thumbnail: false };
    socket.networkDrops();
    controller.send(ROOM, 'see attached', '2', [file]);
    expect(items().at(-1)).toMatchObject({ body: 'see attached', state: 'queued', replyTo: '2', attachments: [file] });
    controller.stop();

    await startPage(false);
    expect(items()).toEqual([expect.objectContaining({ body: 'see attached', replyTo: '2', attachments: [file] })]);
    socket.onAck('message:send', (payload) => ({ ok: true, message: { ...message('31', SELF, clientId(1)), body: (payload as { body: string }).body } }));
    socket.serverAccepts();
    await flush();
    expect(socket.emittedOf('message:send')).toEqual([{ roomId: ROOM, clientMsgId: clientId(1), body: 'see attached', replyTo: '2', attachments: [file.id] }]);
  });

  it('keeps queued messages across a reload and sends them once connected', async () => {
    socket.networkDrops();
    controller.send(ROOM, 'survives the reload');
    controller.stop();

    await startPage(false);
    expect(items()).toEqual([expect.objectContaining({ body: 'survives the reload', state: 'queued', clientMsgId: clientId(1) })]);
    socket.onAck('message:send', (payload) => ({ ok: true, message: { ...message('30', SELF, clientId(1)), body: (payload as { body: string }).body } }));
    socket.serverAccepts();
    await flush();
    expect(socket.emittedOf('message:send')).toEqual([{ roomId: ROOM, clientMsgId: clientId(1), body: 'survives the reload' }]);
    expect(JSON.parse(localStorage.getItem(`parley:outbox:${SELF}`) ?? '[]')).toEqual([]);
  });

  it('keeps an unanswered message waiting and sends it again, with the same clientMsgId, after a reconnection', async () => {
    controller.send(ROOM, 'lost in transit');
    await flush();
    expect(items().at(-1)).toMatchObject({ body: 'lost in transit', state: 'queued' });
    socket.networkDrops();
    socket.onAck('message:send', () => ({ ok: true, message: { ...message('40', SELF, clientId(1)), body: 'lost in transit' } }));
    socket.serverAccepts();
    await flush();
    expect(socket.emittedOf('message:send').map((payload) => (payload as { clientMsgId: string }).clientMsgId)).toEqual([clientId(1), clientId(1)]);
    expect(items().at(-1)).toMatchObject({ id: '40', state: 'sent' });
  });
});

describe('member lists', () => {
  const member = (userId: string, role: 'owner' | 'admin' | 'member') => ({ userId, role, joinedAt: '2026-05-01T09:00:00.000Z', online: true, lastReadMessageId: null });

  it('never undoes a role change with a member list read before it: the list is read again', async () => {
    store.dispatch({ type: 'members/loaded', roomId: ROOM, members: [member(SELF, 'owner'), member(OTHER, 'member')] });
    const answers: Array<(list: { members: RoomMember[] }) => void> = [];
    memberList = () => new Promise((resolve) => answers.push(resolve));
    const loading = controller.loadMembers(ROOM);
    await flush();
    socket.serverEmits('room:member-role', { roomId: ROOM, userId: OTHER, role: 'admin' });
    // The first read left the server before the change: it still says "member".
    answers.shift()?.({ members: [member(SELF, 'owner'), member(OTHER, 'member')] });
    await flush();
    expect(store.getState().members[ROOM]?.find((entry) => entry.userId === OTHER)?.role).toBe('admin');
    answers.shift()?.({ members: [member(SELF, 'owner'), member(OTHER, 'admin')] });
    await loading;
    expect(store.getState().members[ROOM]?.find((entry) => entry.userId === OTHER)?.role).toBe('admin');
  });
});

describe('keeping loaded rooms complete', () => {
  it('after reconnecting, asks for what the open rooms missed after their last complete sequence number, and shows each message once', async () => {
    socket.serverEmits('message:new', message('3'));
    socket.networkDrops();
    socket.onAck('room:sync', () => ({ ok: true, rooms: [{ roomId: ROOM, messages: [message('3'), message('4'), message('5')], hasMore: false }] }));
    socket.serverAccepts();
    await flush();
    expect(socket.emittedOf('room:sync')).toEqual([{ rooms: [{ roomId: ROOM, afterSeq: 3 }] }]);
    expect(items().map((item) => item.id)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('follows hasMore when more was missed than one sync carries', async () => {
    socket.networkDrops();
    socket.onAck('room:sync', (payload) => {
      const afterSeq = (payload as { rooms: Array<{ afterSeq: number }> }).rooms[0]!.afterSeq;
      return afterSeq === 2
        ? { ok: true, rooms: [{ roomId: ROOM, messages: [message('3')], hasMore: true }] }
        : { ok: true, rooms: [{ roomId: ROOM, messages: [message('4'), message('5')], hasMore: false }] };
    });
    socket.serverAccepts();
    await flush();
    await flush();
    expect(socket.emittedOf('room:sync')).toEqual([{ rooms: [{ roomId: ROOM, afterSeq: 2 }] }, { rooms: [{ roomId: ROOM, afterSeq: 3 }] }]);
    expect(items().map((item) => item.id)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('notices a live message whose sequence number skips one it never got, and fetches the missing one by sequence', async () => {
    socket.onAck('room:sync', () => ({ ok: true, rooms: [{ roomId: ROOM, messages: [message('3'), message('4')], hasMore: false }] }));
    socket.serverEmits('message:new', message('4'));
    // Two seconds for the missing one to arrive late on its own, then it is asked for.
    await vi.advanceTimersByTimeAsync(1_500);
    expect(socket.emittedOf('room:sync')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(socket.emittedOf('room:sync')).toEqual([{ rooms: [{ roomId: ROOM, afterSeq: 2 }] }]);
    expect(items().map((item) => item.id)).toEqual(['1', '2', '3', '4']);
  });

  it('asks nothing when a late delivery closes the gap by itself', async () => {
    socket.serverEmits('message:new', message('4'));
    socket.serverEmits('message:new', message('3'));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(socket.emittedOf('room:sync')).toEqual([]);
    expect(items().map((item) => item.id)).toEqual(['1', '2', '3', '4']);
  });

  it('resyncs its rooms when the server says server:resync (its pod may have missed broadcasts), after a random part of the delay', async () => {
    socket.onAck('room:sync', () => ({ ok: true, rooms: [{ roomId: ROOM, messages: [message('3')], hasMore: false }] }));
    socket.serverEmits('server:resync', { reason: 'adapter-reconnected', delayMs: 1_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(socket.emittedOf('room:sync')).toEqual([{ rooms: [{ roomId: ROOM, afterSeq: 2 }] }]);
    expect(items().map((item) => item.id)).toEqual(['1', '2', '3']);
  });

  it('shows messages in the room’s sequence order even when their ids disagree (two pods, two clocks)', async () => {
    socket.serverEmits('message:new', { ...message('3'), id: '90' });
    socket.serverEmits('message:new', { ...message('4'), id: '80' });
    expect(items().map((item) => item.seq)).toEqual([1, 2, 3, 4]);
  });

  it('pages older history by sequence number', async () => {
    // Older pages exist (the room holds 1 and 2 from the latest page).
    store.dispatch({ type: 'history/loaded', roomId: ROOM, messages: [], hasMore: true, older: true });
    const requested: Array<Record<string, unknown>> = [];
    history = (query) => {
      requested.push(query);
      return { messages: [], hasMore: false };
    };
    await controller.loadOlder(ROOM);
    expect(requested).toEqual([{ beforeSeq: 1, limit: 50 }]);
  });
});

describe('edits, deletions and reactions', () => {
  const reaction = (seq: number, target: string): Message => ({ ...message(String(seq)), kind: 'reaction_add', targetId: target, emoji: '👍', body: '' });

  it('applies a live change to the message it names and counts it for gap filling, without making anything unread', async () => {
    socket.serverEmits('message:changed', { ...message('3'), kind: 'edit', targetId: '2', body: 'message 2, edited' });
    expect(items().map((item) => [item.id, item.body, item.editedAt !== undefined])).toEqual([
      ['1', 'message 1', false],
      ['2', 'message 2, edited', true],
    ]);
    expect(store.getState().rooms[ROOM]?.unreadCount).toBe(0);
    // 3 was an event: the next message follows it without a gap to fill.
    socket.serverEmits('message:new', message('4'));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(socket.emittedOf('room:sync')).toEqual([]);
  });

  it('pages back past history pages that hold only changes until it finds messages', async () => {
    const requested: Array<Record<string, unknown>> = [];
    history = (query) => {
      requested.push(query);
      if (query.beforeSeq === undefined) return { messages: [reaction(9, '5'), reaction(10, '5')], hasMore: true };
      return { messages: [message('5'), reaction(8, '5')], hasMore: false };
    };
    await controller.loadLatest(BUSY_ROOM);
    expect(requested).toEqual([{ limit: 50 }, { beforeSeq: 9, limit: 50 }]);
  });
});

describe('read state', () => {
  it('leaves what arrives in the open room unread until it has been seen, then marks it read once', async () => {
    socket.serverEmits('message:new', message('3'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.getState().rooms[ROOM]?.unreadCount).toBe(1);
    expect(socket.emittedOf('room:read')).toEqual([]);

    controller.markSeen(ROOM, '3');
    expect(store.getState().rooms[ROOM]).toMatchObject({ unreadCount: 0, lastReadMessageId: '3' });
    controller.markSeen(ROOM, '2');
    controller.markSeen(ROOM, '3');
    await vi.advanceTimersByTimeAsync(400);
    expect(socket.emittedOf('room:read')).toEqual([{ roomId: ROOM, messageId: '3' }]);
  });

  it('tells the server what was seen even when the own marker already moved past it with an own message', async () => {
    socket.serverEmits('message:new', message('3'));
    socket.onAck('message:send', () => ({ ok: true, message: { ...message('4', SELF, clientId(1)), body: 'mine' } }));
    controller.send(ROOM, 'mine');
    await flush();
    expect(store.getState().rooms[ROOM]?.lastReadMessageId).toBe('4');
    controller.markSeen(ROOM, '3');
    await vi.advanceTimersByTimeAsync(400);
    expect(socket.emittedOf('room:read')).toEqual([{ roomId: ROOM, messageId: '3' }]);
  });

  it('counts down as messages are seen one by one, from the loaded history', async () => {
    for (const id of ['3', '4', '5']) socket.serverEmits('message:new', message(id));
    expect(store.getState().rooms[ROOM]?.unreadCount).toBe(3);
    controller.markSeen(ROOM, '3');
    expect(store.getState().rooms[ROOM]?.unreadCount).toBe(2);
    controller.markSeen(ROOM, '5');
    expect(store.getState().rooms[ROOM]?.unreadCount).toBe(0);
  });

  it('opens a room with many unread messages at the first unread: older pages load until it is in, and the line stays put', async () => {
    const page = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => message(String(from + index), OTHER, undefined, BUSY_ROOM));
    const calls: Array<number | undefined> = [];
    history = (query, roomId) => {
      if (roomId !== BUSY_ROOM) return { messages: [], hasMore: false };
      calls.push(query.beforeSeq);
      if (query.beforeSeq === undefined) return { messages: page(151, 200), hasMore: true };
      if (query.beforeSeq === 151) return { messages: page(101, 150), hasMore: true };
      return { messages: page(51, 100), hasMore: true };
    };
    store.dispatch({ type: 'room/upserted', room: summary({ id: BUSY_ROOM, kind: 'group', name: 'Busy', memberIds: undefined, unreadCount: 80, lastReadMessageId: '120', lastMessage: message('200', OTHER, undefined, BUSY_ROOM) }) });
    controller.openRoom(BUSY_ROOM);
    await flush();
    await flush();
    expect(calls).toEqual([undefined, 151]);
    expect(store.getState().unreadLine[BUSY_ROOM]).toBe('120');
    expect(store.getState().messages[BUSY_ROOM]).toMatchObject({ opened: true, hasMore: true });
    expect(items(BUSY_ROOM)[0]?.id).toBe('101');

    controller.markSeen(BUSY_ROOM, '130');
    expect(store.getState().rooms[BUSY_ROOM]?.unreadCount).toBe(70);
    expect(store.getState().unreadLine[BUSY_ROOM]).toBe('120');
  });

  it('records how far another member has read, for the double tick', () => {
    socket.serverEmits('room:read', { roomId: ROOM, userId: OTHER, messageId: '2' });
    socket.serverEmits('room:read', { roomId: ROOM, userId: OTHER, messageId: '1' });
    expect(store.getState().readByOthers[ROOM]).toBe('2');
  });

  it('shows the double tick after a reload: the member list carries how far the others have read', () => {
    const member = (userId: string, lastReadMessageId: string | null) => ({ userId, role: 'member' as const, joinedAt: '2026-05-01T09:00:00.000Z', online: true, lastReadMessageId });
    store.dispatch({ type: 'members/loaded', roomId: ROOM, members: [member(SELF, '9'), member(OTHER, '2')] });
    expect(store.getState().readByOthers[ROOM]).toBe('2');
    // A list read before a live receipt arrived never moves the tick back.
    socket.serverEmits('room:read', { roomId: ROOM, userId: OTHER, messageId: '5' });
    store.dispatch({ type: 'members/loaded', roomId: ROOM, members: [member(SELF, '9'), member(OTHER, '2')] });
    expect(store.getState().readByOthers[ROOM]).toBe('5');
  });

  it('counts messages in rooms not open as unread, each once', () => {
    controller.openRoom(null);
    socket.serverEmits('message:new', message('7'));
    socket.serverEmits('message:new', message('8'));
    socket.serverEmits('message:new', message('8'));
    expect(store.getState().rooms[ROOM]).toMatchObject({ unreadCount: 2, lastMessage: expect.objectContaining({ id: '8' }) });
  });
});

describe('presence', () => {
  it('knows a new conversation partner’s presence at once, not only after the room is opened', async () => {
    presenceAnswers = [{ userId: NEWCOMER, status: 'online', lastSeenAt: null }];
    socket.serverEmits('room:new', summary({ id: BUSY_ROOM, memberIds: [SELF, NEWCOMER] }));
    await flush();
    expect(store.getState().presence[NEWCOMER]).toBe('online');
  });

  it('forgets everyone’s presence while offline itself, ignores stale news, and asks again after reconnecting', async () => {
    presenceAnswers = [{ userId: OTHER, status: 'online', lastSeenAt: null }];
    socket.serverEmits('presence', { userId: OTHER, status: 'online', lastSeenAt: null });
    expect(store.getState().presence[OTHER]).toBe('online');
    socket.networkDrops();
    expect(store.getState().presence).toEqual({});
    socket.serverEmits('presence', { userId: OTHER, status: 'online', lastSeenAt: null });
    expect(store.getState().presence).toEqual({});
    socket.onAck('room:sync', () => ({ ok: true, rooms: [] }));
    socket.serverAccepts();
    await flush();
    expect(store.getState().presence[OTHER]).toBe('online');
  });
});

describe('room events and notices', () => {
  const event = (overrides: Partial<RoomEvent>): RoomEvent => ({ id: '1', roomId: ROOM, kind: 'joined', actorId: OTHER, userId: OTHER, data: null, createdAt: '2026-05-01T10:00:00.000Z', ...overrides });

  it('keeps the timeline of each room in id order, each event once', () => {
    socket.serverEmits('room:event', event({ id: '7', kind: 'left' }));
    socket.serverEmits('room:event', event({ id: '5', kind: 'joined' }));
    socket.serverEmits('room:event', event({ id: '7', kind: 'left' }));
    expect(store.getState().roomEvents[ROOM]?.map((entry) => entry.id)).toEqual(['5', '7']);
  });

  it('tells the person when they were removed from a group, and by whom', async () => {
    store.dispatch({ type: 'room/upserted', room: summary({ id: BUSY_ROOM, kind: 'group', name: 'Trio', memberIds: undefined }) });
    socket.serverEmits('room:event', event({ id: '9', roomId: BUSY_ROOM, kind: 'removed', actorId: OTHER, userId: SELF }));
    socket.serverEmits('room:member-left', { roomId: BUSY_ROOM, userId: SELF });
    await flush();
    expect(store.getState().notices.map((notice) => notice.text)).toEqual(['You were removed from “Trio” by ben.']);
    expect(store.getState().rooms[BUSY_ROOM]).toBeUndefined();
  });

  it('tells the sender of a friend request that it was accepted', async () => {
    socket.serverEmits('notification', { kind: 'friend_accepted', fromUserId: OTHER, createdAt: '2026-05-01T10:00:00.000Z' });
    await flush();
    expect(store.getState().notices.map((notice) => notice.text)).toEqual(['ben accepted your friend request.']);
  });
});

describe('typing', () => {
  it('shows who is typing and forgets it 5 s after the last signal', async () => {
    socket.serverEmits('typing', { roomId: ROOM, userId: OTHER, isTyping: true });
    expect(Object.keys(store.getState().typing[ROOM] ?? {})).toEqual([OTHER]);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(Object.keys(store.getState().typing[ROOM] ?? {})).toEqual([]);
  });

  it('throttles its own typing signal and says when it stopped', async () => {
    for (let key = 0; key < 10; key += 1) {
      controller.typing(ROOM, true);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(socket.emittedOf('typing')).toEqual([{ roomId: ROOM, isTyping: true }]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(socket.emittedOf('typing')).toEqual([
      { roomId: ROOM, isTyping: true },
      { roomId: ROOM, isTyping: false },
    ]);
  });
});

describe('session', () => {
  it('hands every renewed access token to the connected socket, and stops listening when stopped', async () => {
    socket.onAck('auth:refresh', () => ({ ok: true, expiresAt: 2_000_000_000 }));
    tokenListener?.('renewed-token');
    await flush();
    expect(socket.emittedOf('auth:refresh')).toEqual([{ token: 'renewed-token' }]);
    controller.stop();
    expect(tokenListener).toBeUndefined();
  });
});
