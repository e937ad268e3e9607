import { describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { messageKey, type ChatMessage } from './chat-message';
import { addPending, lastConfirmedId, markFailed, mergeMessages } from './message-merge';

const ROOM = '00000000-0000-4000-8000-000000000001';
const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';

const uuid = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function message(id: string, senderId = BOB, clientMsgId = uuid(Number(id))): Message {
  return { id, seq: Number(id), roomId: ROOM, senderId, clientMsgId, body: `message ${id}`, createdAt: new Date(Number(id) * 1000).toISOString() };
}

function pending(clientMsgId: string, body = 'hello'): ChatMessage {
  return {
    key: messageKey(ALICE, clientMsgId),
    id: null,
    seq: null,
    clientMsgId,
    roomId: ROOM,
    senderId: ALICE,
    body,
    createdAt: new Date().toISOString(),
    state: 'pending',
  };
}

const ids = (messages: ChatMessage[]) => messages.map((item) => item.id);

describe('mergeMessages', () => {
  it('orders messages by snowflake id, numerically rather than as text', () => {
    const merged = mergeMessages([], [message('100'), message('9'), message('1000'), message('99')]);
    expect(ids(merged)).toEqual(['9', '99', '100', '1000']);
  });

  it('drops messages it already has, whether repeated in one batch or delivered again later', () => {
    const first = mergeMessages([], [message('1'), message('2'), message('2')]);
    const again = mergeMessages(first, [message('2'), message('1'), message('3')]);
    expect(ids(again)).toEqual(['1', '2', '3']);
  });

  it('returns the same array when nothing new arrived, so React skips the render', () => {
    const current = mergeMessages([], [message('1'), message('2')]);
    expect(mergeMessages(current, [message('1')])).toBe(current);
    expect(mergeMessages(current, [])).toBe(current);
  });

  it('prepends an older history page before the messages already shown', () => {
    const latest = mergeMessages([], [message('50'), message('51')]);
    expect(ids(mergeMessages(latest, [message('48'), message('49')]))).toEqual(['48', '49', '50', '51']);
  });

  it('fills a gap in the middle after a reconnect, without duplicates', () => {
    const current = mergeMessages([], [message('1'), message('2'), message('5')]);
    expect(ids(mergeMessages(current, [message('2'), message('3'), message('4'), message('5'), message('6')]))).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('replaces the optimistic copy with the acknowledged message of the same clientMsgId', () => {
    const clientMsgId = uuid(777);
    const shown = addPending(mergeMessages([], [message('1')]), pending(clientMsgId));
    expect(shown.at(-1)).toMatchObject({ id: null, state: 'pending' });

    const acked = mergeMessages(shown, [message('2', ALICE, clientMsgId)]);
    expect(acked).toHaveLength(2);
    expect(acked.at(-1)).toMatchObject({ id: '2', state: 'sent', key: messageKey(ALICE, clientMsgId) });
  });

  it('keeps one copy when the broadcast of an own message arrives before its ack, and the ack after', () => {
    const clientMsgId = uuid(778);
    const shown = addPending([], pending(clientMsgId));
    const broadcast = mergeMessages(shown, [message('10', ALICE, clientMsgId)]);
    const ack = mergeMessages(broadcast, [message('10', ALICE, clientMsgId)]);
    expect(ids(ack)).toEqual(['10']);
    expect(ack).toBe(broadcast);
  });

  it('keeps messages not yet acknowledged after the acknowledged ones, in the order written', () => {
    const [a, b] = [uuid(1), uuid(2)];
    let messages = addPending(addPending([], pending(a, 'first')), pending(b, 'second'));
    messages = mergeMessages(messages, [message('40'), message('41')]);
    expect(messages.map((item) => item.id ?? item.body)).toEqual(['40', '41', 'first', 'second']);
    expect(lastConfirmedId(messages)).toBe('41');
  });

  it('does not match a message of another sender that happens to use the same clientMsgId', () => {
    const clientMsgId = uuid(5);
    const shown = addPending([], pending(clientMsgId));
    const merged = mergeMessages(shown, [message('7', BOB, clientMsgId)]);
    expect(merged.map((item) => item.state)).toEqual(['sent', 'pending']);
  });
});

describe('failing and retrying a send', () => {
  it('marks a failed message with the reason, and a retry with the same clientMsgId goes back to pending in place', () => {
    const clientMsgId = uuid(9);
    const failed = markFailed(addPending([], pending(clientMsgId)), messageKey(ALICE, clientMsgId), 'You are offline.');
    expect(failed[0]).toMatchObject({ state: 'failed', error: 'You are offline.' });

    const retried = addPending(failed, failed[0]!);
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ state: 'pending', clientMsgId });

    const acked = mergeMessages(retried, [message('12', ALICE, clientMsgId)]);
    expect(acked).toHaveLength(1);
    expect(acked[0]).toMatchObject({ id: '12', state: 'sent' });
  });

  it('never marks an acknowledged message failed (a late timeout after the broadcast arrived)', () => {
    const clientMsgId = uuid(10);
    const acked = mergeMessages(addPending([], pending(clientMsgId)), [message('3', ALICE, clientMsgId)]);
    expect(markFailed(acked, messageKey(ALICE, clientMsgId), 'No answer')).toBe(acked);
  });

  it('ignores a retry of a message that meanwhile got acknowledged', () => {
    const clientMsgId = uuid(11);
    const acked = mergeMessages(addPending([], pending(clientMsgId)), [message('4', ALICE, clientMsgId)]);
    expect(addPending(acked, pending(clientMsgId))).toBe(acked);
  });
});
