/**
 * What a tab does when another tab of this browser says the session of `userId` ended.
 * - `end-client`: this tab's client is signed in as that person: its session ends too (with the
 *   other tab's reason, unless this tab is ending it itself).
 * - `end-screen`: the tab was opened offline and shows what it saved for that person: the screen
 *   returns to sign-in (there is no client session to end).
 * - `ignore`: someone else, or this tab's own session already ended with its own reason. The
 *   second case is a race, not a rarity: the server's `session:ended` reaches the other tab,
 *   which announces it, while this tab's own logout is answered; the later word must not
 *   replace "You signed out." with "You signed out in another tab.".
 */
export type OtherTabVerdict = 'end-client' | 'end-screen' | 'ignore';

export interface TabSessionView {
  /** Who this tab's API client is signed in as (null: nobody). */
  clientUserId: string | null;
  /** Whether this tab's client ended a session since the page loaded (it then has its own reason). */
  clientSessionEnded: boolean;
  /** Whose saved data the screen shows (null: nobody's). */
  shownUserId: string | null;
}

export function judgeOtherTabAnnouncement(view: TabSessionView, userId: string): OtherTabVerdict {
  if (view.clientUserId === userId) return 'end-client';
  if (view.clientUserId !== null || view.clientSessionEnded) return 'ignore';
  return view.shownUserId === userId ? 'end-screen' : 'ignore';
}
