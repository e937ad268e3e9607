import type { Message } from '@parley/contracts';
import { compareConfirmed, fromServer, type ChatMessage } from './chat-message';

/**
 * The one place messages are combined, whatever their source (history pages, `message:new`,
 * acks, `room:sync`). Acknowledged messages are unique by id and in the room's sequence order
 * (ids from different pods may disagree with it by a few milliseconds); an optimistic copy gives way to its acknowledged twin (same sender and
 * clientMsgId); messages not yet acknowledged stay at the end in the order they were written.
 * Returns the same array when nothing changed, so React skips the render.
 */
export function mergeMessages(current: readonly ChatMessage[], incoming: readonly Message[]): ChatMessage[] {
  if (incoming.length === 0) return current as ChatMessage[];
  const confirmed: ChatMessage[] = [];
  const unconfirmed: ChatMessage[] = [];
  for (const message of current) (message.id === null ? unconfirmed : confirmed).push(message);

  const knownIds = new Set(confirmed.map((message) => message.id));
  const unconfirmedKeys = new Map(unconfirmed.map((message, index) => [message.key, index]));
  const added: ChatMessage[] = [];
  const settledKeys = new Set<string>();
  for (const message of incoming) {
    if (knownIds.has(message.id)) continue;
    knownIds.add(message.id);
    const server = fromServer(message);
    if (unconfirmedKeys.has(server.key)) settledKeys.add(server.key);
    added.push(server);
  }
  if (added.length === 0) return current as ChatMessage[];

  added.sort(compareConfirmed);
  const lastConfirmed = confirmed.at(-1);
  const merged =
    lastConfirmed === undefined || compareConfirmed(added[0]!, lastConfirmed) > 0
      ? [...confirmed, ...added] // the usual case: newer messages, appended
      : [...confirmed, ...added].sort(compareConfirmed);
  const stillUnconfirmed = settledKeys.size === 0 ? unconfirmed : unconfirmed.filter((message) => !settledKeys.has(message.key));
  return [...merged, ...stillUnconfirmed];
}

/**
 * Shows a message waiting or being sent, in the state it is in (a retry keeps its key and its
 * place among the unacknowledged ones); nothing changes once it is acknowledged.
 */
export function addPending(current: readonly ChatMessage[], pending: ChatMessage): ChatMessage[] {
  if (current.some((message) => message.key === pending.key && message.id !== null)) return current as ChatMessage[];
  const state = pending.state === 'queued' ? 'queued' : 'pending';
  const index = current.findIndex((message) => message.key === pending.key);
  if (index >= 0) {
    const next = [...current];
    next[index] = { ...pending, id: null, seq: null, state, error: undefined };
    return next;
  }
  return [...current, { ...pending, id: null, seq: null, state }];
}

/** Marks an unacknowledged message failed, with the reason shown under it. */
export function markFailed(current: readonly ChatMessage[], key: string, error: string): ChatMessage[] {
  let changed = false;
  const next = current.map((message) => {
    if (message.key !== key || message.id !== null) return message;
    changed = true;
    return { ...message, state: 'failed' as const, error };
  });
  return changed ? next : (current as ChatMessage[]);
}

/** The newest acknowledged id (read markers). */
export function lastConfirmedId(messages: readonly ChatMessage[]): string | null {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const id = messages[index]!.id;
    if (id !== null) return id;
  }
  return null;
}

/** The oldest acknowledged message's sequence number: where the next older history page ends. */
export function firstConfirmedSeq(messages: readonly ChatMessage[]): number | null {
  for (const message of messages) if (message.seq !== null) return message.seq;
  return null;
}

/** The oldest acknowledged id (where the first unread line stands relative to what is loaded). */
export function firstConfirmedId(messages: readonly ChatMessage[]): string | null {
  for (const message of messages) if (message.id !== null) return message.id;
  return null;
}
