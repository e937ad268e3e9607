import type { ChatSocket } from '../connection/socket-client';

const REPEAT_MS = 2_500;
const IDLE_MS = 3_000;

/**
 * The own "typing" signal per room, throttled: at most one `typing: true` every 2.5 s while
 * keys are pressed, and `typing: false` once the text is sent, cleared, or left alone for 3 s.
 * (Receivers expire an indicator 5 s after its last signal, so a lost `false` heals itself.)
 */
export class TypingSignal {
  private readonly sentAt = new Map<string, number>();
  private readonly idle = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly socket: ChatSocket) {}

  update(roomId: string, isTyping: boolean): void {
    clearTimeout(this.idle.get(roomId));
    if (!isTyping) {
      if (this.sentAt.delete(roomId) && this.socket.connected) this.socket.emit('typing', { roomId, isTyping: false });
      return;
    }
    const now = Date.now();
    if (now - (this.sentAt.get(roomId) ?? 0) >= REPEAT_MS && this.socket.connected) {
      this.socket.emit('typing', { roomId, isTyping: true });
      this.sentAt.set(roomId, now);
    }
    this.idle.set(roomId, setTimeout(() => this.update(roomId, false), IDLE_MS));
  }

  stop(): void {
    for (const timer of this.idle.values()) clearTimeout(timer);
    this.idle.clear();
  }
}
