import type { RoomMembership, StoredBatch } from '@parley/chat-store';
import type { Message } from '@parley/contracts';
import { isDataError } from '@parley/db';

/** A message PostgreSQL refused to store, with its error. */
export interface RefusedMessage {
  message: Message;
  error: unknown;
}

export interface IsolatedBatch extends StoredBatch {
  refused: RefusedMessage[];
}

/**
 * Stores a batch with `store` (one statement, all or nothing). When PostgreSQL refuses the data
 * itself (isDataError: a NUL in a body, a value out of range), retrying would fail the same way
 * for every message of the batch, so the batch is halved and each half stored on its own until
 * the refused messages stand alone (docs/decisions/message-dead-letters.md). One bad message in
 * a batch of n costs about 2·log2(n) more statements; the others are stored. Any other error (an
 * outage) is thrown as before, and the job is retried.
 */
export async function storeIsolatingRefusedRows(messages: Message[], store: (messages: Message[]) => Promise<StoredBatch>): Promise<IsolatedBatch> {
  try {
    return { ...(await store(messages)), refused: [] };
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (messages.length === 1) return { insertedIds: [], members: [], refused: [{ message: messages[0]!, error }] };
    const middle = Math.ceil(messages.length / 2);
    const first = await storeIsolatingRefusedRows(messages.slice(0, middle), store);
    const second = await storeIsolatingRefusedRows(messages.slice(middle), store);
    return {
      insertedIds: [...first.insertedIds, ...second.insertedIds],
      members: uniqueMembers([...first.members, ...second.members]),
      refused: [...first.refused, ...second.refused],
    };
  }
}

function uniqueMembers(members: RoomMembership[]): RoomMembership[] {
  const byKey = new Map<string, RoomMembership>();
  for (const member of members) byKey.set(`${member.roomId}:${member.userId}`, member);
  return [...byKey.values()];
}
