import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody, ReceiverLedger, roomOf, uuidv4 } from '../lib/chat-messages.js';

describe('k6 message bookkeeping (lib/chat-messages.js)', () => {
  it('makes RFC 4122 version-4 UUIDs, as the server requires of clientMsgId', () => {
    for (let index = 0; index < 200; index += 1) {
      expect(uuidv4()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('round-trips a body and ignores bodies of other runs or other clients', () => {
    const body = encodeBody({ run: 'r1', seq: 3, sentAt: 1000, ackedBefore: 2, final: true });
    expect(decodeBody(body, 'r1')).toEqual({ seq: 3, sentAt: 1000, ackedBefore: 2, final: true });
    expect(decodeBody(body, 'r2')).toBeUndefined();
    expect(decodeBody('hello', 'r1')).toBeUndefined();
  });

  it('counts loss from the final message, duplicates, misdeliveries, and ignores its own echo', () => {
    const ledger = new ReceiverLedger('me', 'room-a');
    const message = (senderId: string, roomId = 'room-a') => ({ senderId, roomId });
    const body = (seq: number, final = false, ackedBefore = 0) => ({ seq, sentAt: 0, ackedBefore, final });
    expect(ledger.record(message('me'), body(1))).toBe('own');
    expect(ledger.record(message('bob'), body(1))).toBe('new');
    expect(ledger.record(message('bob'), body(1))).toBe('duplicate');
    expect(ledger.record(message('bob', 'room-b'), body(2))).toBe('misdelivered');
    // bob acknowledged 3 messages before his final one: 4 expected, 2 received.
    expect(ledger.record(message('bob'), body(4, true, 3))).toBe('new');
    // carol's final message never came.
    expect(ledger.record(message('carol'), body(1))).toBe('new');
    expect(ledger.settle()).toEqual({ lost: 2, finalMissing: 1 });
    expect(ledger.duplicated).toBe(1);
    expect(ledger.misdelivered).toBe(1);
  });

  it('puts users in rooms the same way as the Node generator (a lone last member joins the previous room)', () => {
    expect([0, 3, 4, 9].map((index) => roomOf(index, 10, 4))).toEqual([
      { room: 0, first: 0, size: 4 },
      { room: 0, first: 0, size: 4 },
      { room: 1, first: 4, size: 4 },
      { room: 2, first: 8, size: 2 },
    ]);
    expect(roomOf(8, 9, 4)).toEqual({ room: 1, first: 4, size: 5 });
  });
});

describe('a receiver that was disconnected', () => {
  it('counts no loss: it was offline, not forgotten (its disconnect is counted elsewhere)', () => {
    const ledger = new ReceiverLedger('me', 'room-a');
    ledger.record({ senderId: 'bob', roomId: 'room-a' }, { seq: 5, sentAt: 0, ackedBefore: 4, final: true });
    ledger.interrupted = true;
    expect(ledger.settle()).toEqual({ lost: 0, finalMissing: 0 });
  });
});
