import { describe, expect, it } from 'vitest';
import { judgeOtherTabAnnouncement } from './other-tab-announcement';

const ANA = '00000000-0000-4000-8000-000000000001';
const BEN = '00000000-0000-4000-8000-000000000002';

describe('another tab saying a session ended', () => {
  it('ends this tab’s session when it is signed in as the same person', () => {
    expect(judgeOtherTabAnnouncement({ clientUserId: ANA, clientSessionEnded: false, shownUserId: ANA }, ANA)).toBe('end-client');
  });

  it('keeps this tab’s own reason when its session already ended, even before the screen caught up', () => {
    // This tab's logout was answered; the screen still shows Ana until React renders again.
    expect(judgeOtherTabAnnouncement({ clientUserId: null, clientSessionEnded: true, shownUserId: ANA }, ANA)).toBe('ignore');
  });

  it('returns a tab opened offline with Ana’s saved data to sign-in', () => {
    expect(judgeOtherTabAnnouncement({ clientUserId: null, clientSessionEnded: false, shownUserId: ANA }, ANA)).toBe('end-screen');
  });

  it('ignores the end of someone else’s session', () => {
    expect(judgeOtherTabAnnouncement({ clientUserId: BEN, clientSessionEnded: false, shownUserId: BEN }, ANA)).toBe('ignore');
    expect(judgeOtherTabAnnouncement({ clientUserId: null, clientSessionEnded: false, shownUserId: BEN }, ANA)).toBe('ignore');
    expect(judgeOtherTabAnnouncement({ clientUserId: null, clientSessionEnded: false, shownUserId: null }, ANA)).toBe('ignore');
  });
});
