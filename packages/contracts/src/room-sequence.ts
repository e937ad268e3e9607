import type { Message } from './chat.js';
import { ROOM_SYNC_MAX_ROOMS, type RoomSyncResult } from './socket-events.js';

/**
 * The client half of the room sequence contract (`Message.seq`): per room, the sequence number
 * up to which every message is held (`completeUpTo`) and the numbers held beyond it. Anything
 * between the two is missing: a live delivery this client never got (a pod's adapter was
 * reconnecting, a socket was moving), which only `room:sync` by sequence can bring back.
 */
export class RoomSequence {
  private complete: number;
  private readonly ahead = new Set<number>();

  constructor(completeUpTo = 0) {
    this.complete = completeUpTo;
  }

  get completeUpTo(): number {
    return this.complete;
  }

  /** Some message between `completeUpTo` and the highest one held is missing. */
  get hasGap(): boolean {
    return this.ahead.size > 0;
  }

  /** Records a message's sequence number (repeats and old ones are ignored). */
  add(seq: number): void {
    if (seq <= this.complete) return;
    if (seq !== this.complete + 1) {
      this.ahead.add(seq);
      return;
    }
    this.complete = seq;
    while (this.ahead.delete(this.complete + 1)) this.complete += 1;
  }

  /** Gives up on the numbers missing below the lowest one held: the server has none of them. */
  skipGap(): void {
    if (this.ahead.size === 0) return;
    const lowest = Math.min(...this.ahead);
    this.ahead.delete(lowest);
    this.complete = lowest;
    while (this.ahead.delete(this.complete + 1)) this.complete += 1;
  }
}

export type RoomSyncRequest = Array<{ roomId: string; afterSeq: number }>;

export interface RoomGapFillerSettings {
  /** `room:sync` by sequence; undefined (or a rejection) when there was no answer. */
  sync(rooms: RoomSyncRequest): Promise<RoomSyncResult['rooms'] | undefined>;
  /** What a sync brought: merge it like live messages (this filler has already recorded it). */
  received(messages: Message[]): void;
  /**
   * How long a gap may stay open before it is asked about: deliveries from different pods can
   * arrive out of order (by milliseconds normally, by seconds on an overloaded pod), and such
   * gaps close on their own. Asking too early adds sync load exactly when pods are busiest.
   */
  settleMs?: number;
  /** Asks again this many times when the server answered without the missing numbers, then gives up on them. */
  maxAttempts?: number;
}

const DEFAULT_SETTLE_MS = 2_000;
/**
 * An acknowledged message can stay unreadable for minutes without being lost: a room's recent
 * window keeps only its last messages, and a job the persistence worker has to retry (after a
 * PostgreSQL outage, or taken over from a killed worker when its lock lapses) is stored only
 * after its backoff. Giving up after seconds made a client skip such a message for good (until
 * its next resync), so the asking goes on, backing off to once a minute, for about six minutes
 * (1 + 2 + … + 32 s, then 60 s five times) before a number is taken as never stored.
 */
export const GAP_FILL_MAX_ATTEMPTS = 12;
export const GAP_FILL_MAX_DELAY_MS = 60_000;
const UNANSWERED_RETRY_MS = 2_000;

/** How long to wait before asking again after the n-th answer that still lacked the missing numbers. */
export function gapFillDelayMs(attempt: number): number {
  return Math.min(GAP_FILL_MAX_DELAY_MS, 1_000 * 2 ** Math.min(attempt - 1, 16));
}
/** Rounds of `hasMore` followed in one fill (each carries up to ROOM_SYNC_MAX_MESSAGES per room). */
const MAX_ROUNDS = 50;

/**
 * Keeps the rooms a client follows complete: every message it sees goes through `observe`;
 * when a sequence gap stays open for `settleMs` (2 s by default) it asks `room:sync` from the room's complete
 * point and follows `hasMore`. `resyncAll` does the same for every room at once (after a
 * reconnection, or when the server says `server:resync`). A gap the server cannot fill yet is
 * asked for again with backoff for about six minutes (GAP_FILL_MAX_ATTEMPTS), longer than an
 * acknowledged message can stay unreadable; only then is it taken as never stored and skipped,
 * never looped on.
 */
export class RoomGapFiller {
  private readonly rooms = new Map<string, RoomSequence>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly attempts = new Map<string, number>();
  private readonly filling = new Set<string>();
  private closed = false;

  constructor(private readonly settings: RoomGapFillerSettings) {}

  /** Starts following a room whose messages up to `completeUpTo` the client has (or already follows). */
  track(roomId: string, completeUpTo: number): void {
    if (!this.rooms.has(roomId)) this.rooms.set(roomId, new RoomSequence(completeUpTo));
  }

  /** Starts following a room from the oldest message of a page the client just loaded. */
  trackFrom(roomId: string, messages: readonly Pick<Message, 'seq'>[]): void {
    if (this.rooms.has(roomId)) return;
    const lowest = messages.reduce((min, message) => Math.min(min, message.seq), Number.POSITIVE_INFINITY);
    this.track(roomId, Number.isFinite(lowest) ? lowest - 1 : 0);
  }

  isTracking(roomId: string): boolean {
    return this.rooms.has(roomId);
  }

  completeUpTo(roomId: string): number | undefined {
    return this.rooms.get(roomId)?.completeUpTo;
  }

  untrack(roomId: string): void {
    this.rooms.delete(roomId);
    clearTimeout(this.timers.get(roomId));
    this.timers.delete(roomId);
    this.attempts.delete(roomId);
  }

  /** Records messages (live, acknowledged or loaded) of followed rooms; schedules a fill for a gap. */
  observe(messages: readonly Message[]): void {
    for (const message of messages) {
      const sequence = this.rooms.get(message.roomId);
      if (!sequence) continue;
      sequence.add(message.seq);
      if (sequence.hasGap) this.scheduleFill(message.roomId, this.settings.settleMs ?? DEFAULT_SETTLE_MS);
      else this.attempts.delete(message.roomId);
    }
  }

  /** Asks for everything after each followed room's complete point (reconnection, `server:resync`). */
  async resyncAll(): Promise<void> {
    await this.fill([...this.rooms.keys()]);
    for (const [roomId, sequence] of this.rooms) if (sequence.hasGap) this.scheduleFill(roomId, this.settings.settleMs ?? DEFAULT_SETTLE_MS);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private scheduleFill(roomId: string, delayMs: number): void {
    if (this.closed || this.timers.has(roomId)) return;
    this.timers.set(
      roomId,
      setTimeout(() => {
        this.timers.delete(roomId);
        void this.fillGap(roomId);
      }, delayMs),
    );
  }

  private async fillGap(roomId: string): Promise<void> {
    const sequence = this.rooms.get(roomId);
    if (!sequence?.hasGap) return;
    const answered = await this.fill([roomId]);
    if (!sequence.hasGap || !this.rooms.has(roomId)) {
      this.attempts.delete(roomId);
      return;
    }
    if (!answered) {
      // No answer (disconnected, timed out) says nothing about the gap: ask again, never give up on it for that.
      this.scheduleFill(roomId, UNANSWERED_RETRY_MS);
      return;
    }
    // Answered, and still missing: maybe not readable yet; ask again later, then give up on it.
    const attempt = (this.attempts.get(roomId) ?? 0) + 1;
    if (attempt >= (this.settings.maxAttempts ?? GAP_FILL_MAX_ATTEMPTS)) {
      this.attempts.delete(roomId);
      sequence.skipGap();
      if (sequence.hasGap) this.scheduleFill(roomId, this.settings.settleMs ?? DEFAULT_SETTLE_MS);
      return;
    }
    this.attempts.set(roomId, attempt);
    this.scheduleFill(roomId, gapFillDelayMs(attempt));
  }

  /** room:sync from each room's complete point, following hasMore; false when a sync went unanswered. */
  private async fill(roomIds: string[]): Promise<boolean> {
    const mine = roomIds.filter((roomId) => !this.filling.has(roomId));
    for (const roomId of mine) this.filling.add(roomId);
    let pending = mine;
    try {
      for (let round = 0; round < MAX_ROUNDS && pending.length > 0 && !this.closed; round += 1) {
        const more: string[] = [];
        for (let start = 0; start < pending.length; start += ROOM_SYNC_MAX_ROOMS) {
          const chunk = pending.slice(start, start + ROOM_SYNC_MAX_ROOMS).filter((roomId) => this.rooms.has(roomId));
          if (chunk.length === 0) continue;
          const answer = await this.settings
            .sync(chunk.map((roomId) => ({ roomId, afterSeq: this.rooms.get(roomId)!.completeUpTo })))
            .catch(() => undefined);
          if (!answer) return false;
          const messages = answer.flatMap((room) => room.messages);
          this.observeWithoutScheduling(messages);
          if (messages.length > 0) this.settings.received(messages);
          for (const room of answer) if (room.hasMore && room.messages.length > 0) more.push(room.roomId);
        }
        pending = more;
      }
    } finally {
      for (const roomId of mine) this.filling.delete(roomId);
    }
    return true;
  }

  private observeWithoutScheduling(messages: readonly Message[]): void {
    for (const message of messages) this.rooms.get(message.roomId)?.add(message.seq);
  }
}
