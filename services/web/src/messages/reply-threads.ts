import type { ChatMessage } from './chat-message';

export interface ThreadSummary {
  count: number;
  lastReplyAt: string | undefined;
}

/**
 * Each parent's reply count and last reply time as this client can tell them
 * (docs/decisions/0034-replies-and-mentions.md): what the server folded into the parent (up to
 * its `stateSeq`) plus the replies held here above that. Derived, never incremented, so a reply
 * delivered twice (live and by `room:sync`), or before its parent, counts once, and an offline
 * client that syncs ends with what an online one shows. Gap filling keeps every reply above a
 * loaded parent's `stateSeq` here.
 */
export function threadSummaries(items: readonly ChatMessage[]): Map<string, ThreadSummary> {
  const parents = new Map<string, ChatMessage>();
  for (const item of items) if (item.id !== null) parents.set(item.id, item);
  const result = new Map<string, ThreadSummary>();
  for (const parent of parents.values()) {
    if (parent.replyCount) result.set(parent.id!, { count: parent.replyCount, lastReplyAt: parent.lastReplyAt });
  }
  for (const reply of items) {
    if (!reply.replyTo || reply.id === null || reply.seq === null) continue;
    const parent = parents.get(reply.replyTo);
    if (!parent || reply.seq <= (parent.stateSeq ?? 0)) continue;
    const current = result.get(reply.replyTo) ?? { count: 0, lastReplyAt: undefined };
    result.set(reply.replyTo, { count: current.count + 1, lastReplyAt: later(current.lastReplyAt, reply.createdAt) });
  }
  return result;
}

function later(a: string | undefined, b: string): string {
  return a === undefined || Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * A parent's reply count and last reply up to `seq` (at least its own `stateSeq`): what it says,
 * plus the replies held between its `stateSeq` and `seq`. For saving a parent with a higher
 * `stateSeq` than the server gave it (the chat snapshot), so its replies count once on restore.
 */
export function repliesFoldedUpTo(parent: ChatMessage, items: readonly ChatMessage[], seq: number): ThreadSummary {
  let count = parent.replyCount ?? 0;
  let lastReplyAt = parent.lastReplyAt;
  if (parent.id === null) return { count, lastReplyAt };
  for (const reply of items) {
    if (reply.replyTo !== parent.id || reply.id === null || reply.seq === null) continue;
    if (reply.seq <= (parent.stateSeq ?? 0) || reply.seq > seq) continue;
    count += 1;
    lastReplyAt = later(lastReplyAt, reply.createdAt);
  }
  return { count, lastReplyAt };
}
