import type { Message } from '@parley/contracts';
import { plainMessageText } from '../messages/message-text-format';
import { displayNameOf } from '../room-model/room-title';
import type { ChatState } from '../store/chat-state';

/** Whether this browser can show notifications at all. */
export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/**
 * Browser notifications (the Notification API) for messages from others in rooms that are not
 * in view: another room is open, or the window is hidden or in the background. Muted rooms stay
 * silent. One notification per room at a time (a newer one replaces it); clicking it brings the
 * window forward with that room open.
 */
export class BrowserNotifier {
  constructor(
    private readonly getState: () => ChatState,
    private readonly openRoom: (roomId: string) => void,
  ) {}

  notify(message: Message): void {
    if (!notificationsSupported() || Notification.permission !== 'granted') return;
    const state = this.getState();
    const room = state.rooms[message.roomId];
    // A mention of the reader breaks through a muted room.
    const mentionsMe = message.mentions?.includes(state.selfId) ?? false;
    if (!room || (room.muted && !mentionsMe) || message.senderId === state.selfId) return;
    const inView = document.visibilityState === 'visible' && document.hasFocus() && state.activeRoomId === message.roomId;
    if (inView) return;
    const sender = displayNameOf(state.profiles[message.senderId], message.senderId);
    const title = mentionsMe
      ? `${sender} mentioned you${room.kind === 'group' ? ` in ${room.name ?? 'a group'}` : ''}`
      : room.kind === 'group'
        ? `${sender} in ${room.name ?? 'a group'}`
        : sender;
    try {
      const notification = new Notification(title, { body: plainMessageText(message.body).slice(0, 200), tag: `room:${room.id}`, dir: 'auto', icon: '/icon.svg' });
      notification.onclick = () => {
        window.focus();
        this.openRoom(room.id);
        notification.close();
      };
    } catch {
      // Some browsers allow notifications from a service worker only: then there is none.
    }
  }
}
