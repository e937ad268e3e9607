import type { RoomEvent } from '@parley/contracts';
import type { ChatMessage } from './chat-message';

export type TimelineItem = { kind: 'message'; key: string; message: ChatMessage } | { kind: 'event'; key: string; event: RoomEvent };

export function itemTime(item: TimelineItem): string {
  return item.kind === 'message' ? item.message.createdAt : item.event.createdAt;
}

/**
 * Messages and room events (joins, leaves, settings) in one timeline, by time. Events older
 * than the oldest loaded message wait until older history is loaded (they belong there);
 * messages not yet acknowledged stay last, in the order they were written.
 */
export function buildTimeline(messages: readonly ChatMessage[], events: readonly RoomEvent[], hasOlderHistory: boolean): TimelineItem[] {
  const confirmed = messages.filter((message) => message.id !== null);
  const unconfirmed = messages.filter((message) => message.id === null);
  const oldest = confirmed[0]?.createdAt;
  const shownEvents = hasOlderHistory && oldest ? events.filter((event) => event.createdAt >= oldest) : events;

  const items: TimelineItem[] = [];
  let next = 0;
  for (const message of confirmed) {
    while (next < shownEvents.length && shownEvents[next]!.createdAt <= message.createdAt) items.push(eventItem(shownEvents[next++]!));
    items.push(messageItem(message));
  }
  while (next < shownEvents.length) items.push(eventItem(shownEvents[next++]!));
  for (const message of unconfirmed) items.push(messageItem(message));
  return items;
}

const messageItem = (message: ChatMessage): TimelineItem => ({ kind: 'message', key: message.key, message });
const eventItem = (event: RoomEvent): TimelineItem => ({ kind: 'event', key: `event:${event.id}`, event });
