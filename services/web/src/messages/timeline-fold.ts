import type { Message, ReactionSummary } from '@parley/contracts';
import type { ChatMessage } from './chat-message';
import { mergeMessages } from './message-merge';

/** Events held for messages this client does not have yet; beyond this the oldest are dropped. */
const PENDING_EVENTS_MAX = 500;

export interface FoldedRoom {
  items: ChatMessage[];
  /** Edits, deletions and reactions of messages not loaded (yet): applied when they arrive. */
  pendingEvents: Message[];
}

export const isTimelineEvent = (item: Message) => item.kind !== undefined && item.kind !== 'message';

/**
 * Merges what the server sends (history pages, live items, acks, `room:sync`) into a room:
 * messages through mergeMessages, timeline events folded into the message they name
 * (docs/decisions/0021-timeline-events.md). The fold gives the same state whatever the order
 * and however often an event arrives: events at or below a message's `stateSeq` are already in
 * it, an edit applies over an older edit only, a deletion is final, each (emoji, user) keeps its
 * latest event. An event for a message not here is never shown: it waits in `pendingEvents`.
 */
export function foldIncoming(room: FoldedRoom, incoming: readonly Message[]): FoldedRoom {
  const { current, fresh } = refreshed(room.items, incoming.filter((item) => !isTimelineEvent(item)));
  const events = incoming.filter(isTimelineEvent);
  let items = mergeMessages(current, fresh);
  if (events.length === 0 && room.pendingEvents.length === 0) return items === room.items ? room : { ...room, items };
  const byId = new Map<string, number>();
  items.forEach((item, index) => item.id !== null && byId.set(item.id, index));
  const pending: Message[] = [];
  let changed = items !== room.items;
  const all = [...room.pendingEvents, ...events].sort((a, b) => a.seq - b.seq);
  for (const event of all) {
    const index = byId.get(event.targetId ?? '');
    if (index === undefined) {
      if (!pending.some((other) => other.id === event.id)) pending.push(event);
      continue;
    }
    const next = applyEvent(items[index]!, event);
    if (next !== items[index]) {
      if (items === room.items) items = [...items];
      items[index] = next;
      changed = true;
    }
  }
  const pendingEvents = pending.slice(-PENDING_EVENTS_MAX);
  if (!changed && pendingEvents.length === room.pendingEvents.length) return room;
  return { items, pendingEvents };
}

/**
 * A message that arrives again from storage with a later folded state (a reload, a history page
 * after an offline spell) replaces what is shown; mergeMessages keeps the first copy otherwise.
 */
function refreshed(current: ChatMessage[], messages: Message[]): { current: ChatMessage[]; fresh: Message[] } {
  if (messages.length === 0) return { current, fresh: messages };
  const known = new Map<string, number>();
  current.forEach((item, index) => item.id !== null && known.set(item.id, index));
  const fresh: Message[] = [];
  let next = current;
  for (const message of messages) {
    const index = known.get(message.id);
    const shown = index === undefined ? undefined : next[index]!;
    const seq = message.stateSeq ?? 0;
    if (shown && seq > (shown.stateSeq ?? 0) && seq > (shown.foldedSeq ?? 0)) {
      if (next === current) next = [...current];
      next[index!] = { ...shown, ...stateOf(message) };
    } else fresh.push(message);
  }
  return { current: next, fresh };
}

function stateOf(message: Message): Partial<ChatMessage> {
  return {
    body: message.body,
    editedAt: message.editedAt,
    deletedAt: message.deletedAt,
    reactions: message.reactions,
    stateSeq: message.stateSeq,
    foldedSeq: message.stateSeq,
    replyCount: message.replyCount,
    lastReplyAt: message.lastReplyAt,
    replyQuote: message.replyQuote,
    reactionSeqs: {},
    editSeq: 0,
  };
}

/** One event on one message; the same object when it changes nothing. */
export function applyEvent(message: ChatMessage, event: Message): ChatMessage {
  if (event.seq <= (message.stateSeq ?? 0)) return message;
  const foldedSeq = Math.max(message.foldedSeq ?? 0, event.seq);
  switch (event.kind) {
    case 'edit':
      if (message.deletedAt || event.seq <= (message.editSeq ?? 0)) return message;
      return { ...message, body: event.body, editedAt: event.createdAt, editSeq: event.seq, foldedSeq };
    case 'delete':
      if (message.deletedAt) return message;
      return { ...message, body: '', deletedAt: event.createdAt, reactions: undefined, foldedSeq };
    case 'reaction_add':
    case 'reaction_remove': {
      if (message.deletedAt || !event.emoji) return message;
      const key = `${event.emoji} ${event.senderId}`;
      if ((message.reactionSeqs?.[key] ?? 0) >= event.seq) return message;
      const reactionSeqs = { ...message.reactionSeqs, [key]: event.seq };
      const reactions = react(message.reactions ?? [], event.emoji, event.senderId, event.kind === 'reaction_add');
      return { ...message, reactions, reactionSeqs, foldedSeq };
    }
    default:
      return message;
  }
}

function react(current: readonly ReactionSummary[], emoji: string, userId: string, add: boolean): ReactionSummary[] | undefined {
  const next: ReactionSummary[] = [];
  let found = false;
  for (const entry of current) {
    if (entry.emoji !== emoji) {
      next.push(entry);
      continue;
    }
    found = true;
    const userIds = add ? (entry.userIds.includes(userId) ? entry.userIds : [...entry.userIds, userId]) : entry.userIds.filter((id) => id !== userId);
    if (userIds.length > 0) next.push({ emoji, count: userIds.length, userIds });
  }
  if (!found && add) next.push({ emoji, count: 1, userIds: [userId] });
  return next.length > 0 ? next : undefined;
}
