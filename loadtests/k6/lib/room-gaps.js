// Sequence gap filling for one room, the k6 twin of RoomGapFiller (packages/contracts,
// room-sequence.ts) with k6's callback socket API. Pure JavaScript (timers passed in),
// unit-tested in Node.

/**
 * Follows a room's sequence numbers (`message.seq`: 1, 2, 3, … per room). A gap that stays
 * open for `settleMs` (deliveries from two pods may arrive slightly out of order) is asked of
 * the server with `room:sync` by sequence; `hasMore` is followed; a gap the server answers
 * without is asked again a few times with backoff, then given up (never looped on).
 *
 * settings: sync(afterSeq, done(room | undefined)) where room is `{ messages, hasMore }`;
 * received(messages) for what a sync brought; setTimeout; settleMs; maxAttempts.
 */
export class RoomGaps {
  constructor(settings) {
    this.settings = settings;
    this.complete = 0;
    this.ahead = {};
    this.aheadCount = 0;
    this.timer = undefined;
    this.attempts = 0;
    this.syncing = false;
  }

  get hasGap() {
    return this.aheadCount > 0;
  }

  /** Records a message's sequence number; schedules a fill when it leaves a gap. */
  observe(seq) {
    this.add(seq);
    if (this.hasGap) this.schedule(this.settleMs());
    else this.attempts = 0;
  }

  /** How long a gap may stay open first (late deliveries close most gaps on their own). */
  settleMs() {
    return this.settings.settleMs === undefined ? 2000 : this.settings.settleMs;
  }

  /** Asks for everything after the complete point now (`server:resync`). */
  resync() {
    this.fill();
  }

  add(seq) {
    if (typeof seq !== 'number' || seq <= this.complete || this.ahead[seq]) return;
    if (seq !== this.complete + 1) {
      this.ahead[seq] = true;
      this.aheadCount += 1;
      return;
    }
    this.advanceTo(seq);
  }

  /** Gives up on the numbers missing below the lowest one held. */
  skipGap() {
    const lowest = Math.min(...Object.keys(this.ahead).map(Number));
    delete this.ahead[lowest];
    this.aheadCount -= 1;
    this.advanceTo(lowest);
  }

  advanceTo(seq) {
    this.complete = seq;
    while (this.ahead[this.complete + 1]) {
      delete this.ahead[this.complete + 1];
      this.aheadCount -= 1;
      this.complete += 1;
    }
  }

  schedule(delayMs) {
    if (this.timer !== undefined) return;
    this.timer = this.settings.setTimeout(() => {
      this.timer = undefined;
      if (this.hasGap) this.fill();
    }, delayMs);
  }

  fill(round = 0) {
    if (this.syncing) return;
    this.syncing = true;
    this.settings.sync(this.complete, (room) => {
      this.syncing = false;
      if (!room) {
        if (this.hasGap) this.schedule(2000);
        return;
      }
      const messages = room.messages || [];
      for (const message of messages) this.add(message.seq);
      if (messages.length > 0) this.settings.received(messages);
      if (room.hasMore && messages.length > 0 && round < 50) return this.fill(round + 1);
      if (!this.hasGap) {
        this.attempts = 0;
        return;
      }
      this.attempts += 1;
      // As the web client's RoomGapFiller: an acknowledged message can stay unreadable for
      // minutes (a persistence job waiting out its retry backoff), so ask for about six minutes,
      // at most a minute apart, before taking the number as never stored.
      if (this.attempts >= (this.settings.maxAttempts || 12)) {
        this.attempts = 0;
        this.skipGap();
        if (this.hasGap) this.schedule(this.settleMs());
        return;
      }
      this.schedule(Math.min(60000, 1000 * 2 ** (this.attempts - 1)));
    });
  }
}
