import type { RoomEvent } from '@parley/contracts';

/** A timeline line for a room event: "Ana added Ben", "You left", "Ana renamed the group to “Trio”". */
export function roomEventText(event: RoomEvent, selfId: string, nameOf: (userId: string) => string): string {
  const who = (userId: string | null) => (userId === null ? 'Someone' : userId === selfId ? 'You' : nameOf(userId));
  const whom = (userId: string | null) => (userId === null ? 'someone' : userId === selfId ? 'you' : nameOf(userId));
  const actor = who(event.actorId);
  switch (event.kind) {
    case 'created':
      return `${actor} created the group${event.data?.name ? ` “${event.data.name}”` : ''}`;
    case 'joined':
      return `${who(event.userId)} joined`;
    case 'added':
      return `${actor} added ${whom(event.userId)}`;
    case 'left':
      return `${who(event.userId)} left`;
    case 'removed':
      return `${actor} removed ${whom(event.userId)}`;
    case 'renamed':
      return `${actor} renamed the group to “${event.data?.name ?? ''}”`;
    case 'topic-changed':
      return event.data?.topic ? `${actor} set the topic to “${event.data.topic}”` : `${actor} cleared the topic`;
    case 'avatar-changed':
      return `${actor} changed the group picture`;
    case 'role-changed':
      return event.data?.role === 'admin' ? `${actor} made ${whom(event.userId)} an admin` : `${actor} made ${whom(event.userId)} a member (no longer an admin)`;
  }
}
