import type { ChatMessage } from './chat-message';

/**
 * The replies of a thread panel: the pages read from the server (latest first, then earlier
 * ones) plus the replies the room holds from `fromSeq` on (undefined: all of them), which win:
 * they carry later edits, deletions and reactions, and the replies that arrived live. What the
 * room holds below the pages read stays out until the page that covers it is loaded, so the
 * panel is always one unbroken stretch up to the latest reply. One entry per message (`key` is
 * stable from the optimistic copy on), in sequence order; optimistic replies (no sequence yet) last.
 */
export function threadReplies(loaded: readonly ChatMessage[], roomItems: readonly ChatMessage[], parentId: string | null, fromSeq?: number): ChatMessage[] {
  const byKey = new Map<string, ChatMessage>();
  for (const reply of loaded) byKey.set(reply.key, reply);
  for (const item of roomItems) {
    if (parentId === null || item.replyTo !== parentId) continue;
    if (fromSeq !== undefined && item.seq !== null && item.seq < fromSeq) continue;
    byKey.set(item.key, item);
  }
  return [...byKey.values()].sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
}

/**
 * Adds an earlier page to the replies read so far, each once. Pages are cut by sequence number,
 * so an earlier page never overlaps a later one; a reply in both (a retried read) keeps the copy
 * read last.
 */
export function withEarlierPage(loaded: readonly ChatMessage[], earlier: readonly ChatMessage[]): ChatMessage[] {
  const keys = new Set(loaded.map((reply) => reply.key));
  return [...earlier.filter((reply) => !keys.has(reply.key)), ...loaded];
}

/**
 * Where the next earlier page ends: the first reply read from the server. Only server pages
 * count: they are one unbroken stretch up to the latest reply at the first read, while the
 * room's own replies may be anywhere.
 */
export function earlierPageCursor(loaded: readonly ChatMessage[]): number | undefined {
  let first: number | undefined;
  for (const reply of loaded) if (reply.seq !== null && (first === undefined || reply.seq < first)) first = reply.seq;
  return first;
}
