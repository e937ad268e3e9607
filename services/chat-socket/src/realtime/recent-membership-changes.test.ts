import { describe, expect, it } from 'vitest';
import { RecentMembershipChanges } from './recent-membership-changes.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('membership changes applied while a socket is in its handshake', () => {
  it('keeps a member removed after the handshake read their rooms out of that room', () => {
    const time = clock();
    const recent = new RecentMembershipChanges(120_000, time.now);
    const readAt = time.now();
    time.advance(5);
    recent.record({ roomId: 'r1', join: [], leave: ['u1'] });
    expect(recent.correct('u1', ['r1', 'r2'], readAt)).toEqual(['r2']);
  });

  it('adds a room joined after the read, and applies several changes in the order they came', () => {
    const time = clock();
    const recent = new RecentMembershipChanges(120_000, time.now);
    const readAt = time.now();
    recent.record({ roomId: 'r3', join: ['u1'], leave: [] });
    recent.record({ roomId: 'r1', join: [], leave: ['u1'] });
    recent.record({ roomId: 'r1', join: ['u1'], leave: [] });
    recent.record({ roomId: 'r3', join: [], leave: ['u1'] });
    expect(recent.correct('u1', ['r1'], readAt).sort()).toEqual(['r1']);
  });

  it('leaves alone what the read already saw: changes applied before it, and other users', () => {
    const time = clock();
    const recent = new RecentMembershipChanges(120_000, time.now);
    recent.record({ roomId: 'r1', join: [], leave: ['u1'] });
    time.advance(1);
    const readAt = time.now();
    // The read, after the removal was applied here, no longer lists r1; a later join of r1 by
    // someone else changes nothing for u1.
    recent.record({ roomId: 'r1', join: ['u2'], leave: [] });
    expect(recent.correct('u1', ['r2'], readAt)).toEqual(['r2']);
    expect(recent.correct('u2', [], readAt)).toEqual(['r1']);
  });

  it('forgets changes older than its retention', () => {
    const time = clock();
    const recent = new RecentMembershipChanges(1_000, time.now);
    const readAt = time.now();
    recent.record({ roomId: 'r1', join: [], leave: ['u1'] });
    time.advance(1_001);
    expect(recent.correct('u1', ['r1'], readAt)).toEqual(['r1']);
  });
});
