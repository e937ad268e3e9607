import type { MembershipChange } from './socket-types.js';

interface AppliedChange {
  roomId: string;
  joined: boolean;
  at: number;
}

/**
 * The membership changes this pod applied lately, by user: what a socket whose handshake read
 * the user's rooms before a change, and joins them after it was applied, must correct.
 * A change is applied on a pod only after it was committed, so a change applied before the
 * handshake's read began is in what the read saw; one applied since then may not be. Without
 * this, a member removed between the read and the join would keep a socket in the room's channel.
 */
export class RecentMembershipChanges {
  private readonly byUser = new Map<string, AppliedChange[]>();

  /** `retainMs` must exceed the longest handshake (read to join); older changes are forgotten. */
  constructor(
    private readonly retainMs = 120_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a change as applied on this pod now. */
  record(change: MembershipChange): void {
    const at = this.now();
    for (const [userIds, joined] of [
      [change.join, true],
      [change.leave, false],
    ] as const) {
      for (const userId of userIds) {
        const changes = this.live(userId);
        changes.push({ roomId: change.roomId, joined, at });
        this.byUser.set(userId, changes);
      }
    }
  }

  /** `roomIds` as read at `readAt`, with every change applied since then made on top, in order. */
  correct(userId: string, roomIds: string[], readAt: number): string[] {
    const changes = this.live(userId);
    if (changes.length === 0) return roomIds;
    const rooms = new Set(roomIds);
    for (const change of changes) {
      if (change.at < readAt) continue;
      if (change.joined) rooms.add(change.roomId);
      else rooms.delete(change.roomId);
    }
    return [...rooms];
  }

  /** The user's changes still retained (drops the expired ones, and the user once none is left). */
  private live(userId: string): AppliedChange[] {
    const changes = this.byUser.get(userId);
    if (!changes) return [];
    const cutoff = this.now() - this.retainMs;
    const kept = changes.filter((change) => change.at >= cutoff);
    if (kept.length === 0) this.byUser.delete(userId);
    else if (kept.length !== changes.length) this.byUser.set(userId, kept);
    return kept;
  }
}
