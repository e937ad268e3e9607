import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HistoryResponse, Message, RoomSummary } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';
import { FakeChatSocket } from '../test-support/fake-chat-socket';
import { ChatController } from './chat-controller';
import { createChatStore, type ChatStore } from './chat-store';

const SELF = '00000000-0000-4000-8000-00000000000a';
const OTHER = '00000000-0000-4000-8000-00000000000b';
const ROOM = '00000000-0000-4000-8000-000000000001';
const CLIENT_ID = '20000000-0000-4000-8000-000000000001';

function message(id: string, senderId = OTHER, clientMsgId = `10000000-0000-4000-8000-${id.padStart(12, '0')}`): Message {
  return { id, seq: Number(id), roomId: ROOM, senderId, clientMsgId, body: `message ${id}`, createdAt: '2026-05-01T10:00:00.000Z' };
}

const room: RoomSummary = {
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
};

let socket: FakeChatSocket;
let store: ChatStore;
let controller: ChatController;
let history: (query: { before?: string; after?: string }) => HistoryResponse;
/** What the controller subscribed to the API client's new access tokens, if anything. */
let tokenListener: ((token: string) => void) | undefined;

function fakeApi(): ApiClient {
  const api = {
    rooms: async () => ({ rooms: [room], nextCursor: null }),
    history: async (_roomId: string, query: { before?: string; after?: string }) => history(query),
    members: async () => ({ members: [] }),
    me: async () => Promise.reject(new Error('not needed')),
    profile: async (id: string) => ({ id, username: id === OTHER ? 'ben' : 'ana', displayName: null, bio: null, avatarUrl: null, createdAt: '2026-01-01T00:00:00.000Z' }),
    presence: async () => ({ presence: [] }),
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

const items = () => store.getState().messages[ROOM]?.items ?? [];
const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(async () => {
  vi.useFakeTimers();
  socket = new FakeChatSocket();
  store = createChatStore(SELF);
  history = () => ({ messages: [message('1'), message('2')], hasMore: false });
  controller = new ChatController({
    api: fakeApi(),
    socket: socket.asSocket(),
    dispatch: store.dispatch,
    getState: store.getState,
    newClientMsgId: () => CLIENT_ID,
    isPageVisible: () => true,
  });
  controller.start();
  socket.serverAccepts();
  await flush();
  controller.openRoom(ROOM);
  await flush();
});

afterEach(() => {
  controller.stop();
  vi.useRealTimers();
});

describe('sending', () => {
  it('shows the message at once as pending, then as sent with the id from the ack', async () => {
    let answer: (value: unknown) => void = () => undefined;
    socket.onAck('message:send', () => new Promise((resolve) => (answer = resolve)));
    controller.send(ROOM, 'hello');
    expect(items().at(-1)).toMatchObject({ body: 'hello', state: 'pending', id: null, clientMsgId: CLIENT_ID });
    expect(socket.emittedOf('message:send')).toEqual([{ roomId: ROOM, clientMsgId: CLIENT_ID, body: 'hello' }]);

    answer({ ok: true, message: { ...message('3', SELF, CLIENT_ID), body: 'hello' } });
    await flush();
    expect(items().map((item) => [item.id, item.state])).toEqual([
      ['1', 'sent'],
      ['2', 'sent'],
      ['3', 'sent'],
    ]);
  });

  it('shows why the server refused it, and a retry sends the same clientMsgId again', async () => {
    socket.onAck('message:send', () => ({ ok: false, error: { code: 'rate_limited', message: 'Too many messages' } }));
    controller.send(ROOM, 'too fast');
    await flush();
    const failed = items().at(-1)!;
    expect(failed).toMatchObject({ state: 'failed', error: 'You are sending messages too fast. Wait a moment, then retry.' });

    socket.onAck('message:send', () => ({ ok: true, message: { ...message('4', SELF, CLIENT_ID), body: 'too fast' } }));
    controller.retry(ROOM, failed.key);
    await flush();
    expect(socket.emittedOf('message:send').map((payload) => (payload as { clientMsgId: string }).clientMsgId)).toEqual([CLIENT_ID, CLIENT_ID]);
    expect(items().filter((item) => item.body === 'too fast')).toEqual([expect.objectContaining({ id: '4', state: 'sent' })]);
  });

  it('fails at once, saying so, while offline', async () => {
    socket.networkDrops();
    controller.send(ROOM, 'into the void');
    expect(items().at(-1)).toMatchObject({ state: 'failed', error: 'You are offline. Retry when the connection is back.' });
    expect(socket.emittedOf('message:send')).toEqual([]);
  });

  it('fails with "no answer" when the ack never comes', async () => {
    controller.send(ROOM, 'lost');
    await flush();
    expect(items().at(-1)).toMatchObject({ state: 'failed', error: 'No answer from the server. Retry to send it again.' });
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

describe('read receipts, typing and unread counts', () => {
  it('marks the open room read once per newest message, over the socket', async () => {
    await vi.advanceTimersByTimeAsync(400);
    socket.serverEmits('message:new', message('3'));
    await vi.advanceTimersByTimeAsync(400);
    await vi.advanceTimersByTimeAsync(400);
    expect(socket.emittedOf('room:read')).toEqual([
      { roomId: ROOM, messageId: '2' },
      { roomId: ROOM, messageId: '3' },
    ]);
    expect(store.getState().rooms[ROOM]?.unreadCount).toBe(0);
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

  it('counts messages in rooms not open as unread', () => {
    controller.openRoom(null);
    socket.serverEmits('message:new', message('7'));
    socket.serverEmits('message:new', message('8'));
    socket.serverEmits('message:new', message('8'));
    expect(store.getState().rooms[ROOM]).toMatchObject({ unreadCount: 2, lastMessage: expect.objectContaining({ id: '8' }) });
  });

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
