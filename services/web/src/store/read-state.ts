import { compareMessageIds } from '../messages/chat-message';
import type { ControllerContext } from './controller-context';

/** Read markers seen on screen go to the server at most this often per room. */
const READ_FLUSH_MS = 250;

/** How far the person has read each room: locally at once, on the server shortly after (one marker per room). */
export class ReadState {
  /** Newest id seen on screen per room, waiting to be sent as a read marker. */
  private readonly seen = new Map<string, string>();
  /** The newest marker sent (or being sent) to the server per room, this session. */
  private readonly toldMarkers = new Map<string, string>();
  private readTimer: ReturnType<typeof setTimeout> | undefined;
  private readPending = false;

  constructor(private readonly context: ControllerContext) {}

  /**
   * A message was on screen while the window had focus (messages/use-seen-messages.ts): the
   * room is read up to it here at once, and on the server shortly after (one marker per room).
   */
  markSeen(roomId: string, messageId: string): void {
    const room = this.context.getState().rooms[roomId];
    if (!room) return;
    if (!room.lastReadMessageId || compareMessageIds(messageId, room.lastReadMessageId) > 0) this.context.dispatch({ type: 'read/own', roomId, messageId });
    // The local marker also moves with one's own messages, the server's only with what was seen: compare with what it was told.
    const told = this.toldMarkers.get(roomId);
    if (told && compareMessageIds(messageId, told) <= 0) return;
    this.toldMarkers.set(roomId, messageId);
    const pending = this.seen.get(roomId);
    if (!pending || compareMessageIds(messageId, pending) > 0) this.seen.set(roomId, messageId);
    // The first marker goes at once, the ones that follow it within READ_FLUSH_MS together after it.
    if (this.readTimer) {
      this.readPending = true;
      return;
    }
    void this.sendReadMarkers();
    this.readTimer = setTimeout(() => this.readWindowOver(), READ_FLUSH_MS);
  }

  /** Connected again: the markers that waited for the connection go out. */
  connected(): void {
    if (this.seen.size > 0) void this.sendReadMarkers();
  }

  stop(): void {
    clearTimeout(this.readTimer);
  }

  private readWindowOver(): void {
    this.readTimer = undefined;
    if (!this.readPending) return;
    this.readPending = false;
    void this.sendReadMarkers();
    this.readTimer = setTimeout(() => this.readWindowOver(), READ_FLUSH_MS);
  }

  private async sendReadMarkers(): Promise<void> {
    const { socket, api } = this.context;
    const markers = [...this.seen];
    this.seen.clear();
    for (const [roomId, messageId] of markers) {
      if (socket.connected) {
        socket.emit('room:read', { roomId, messageId });
        continue;
      }
      // Offline: REST when it can; otherwise the marker waits for the next reconnection.
      await api.markRead(roomId, messageId).catch(() => {
        const newer = this.seen.get(roomId);
        if (!newer || compareMessageIds(messageId, newer) > 0) this.seen.set(roomId, messageId);
      });
    }
  }
}
