import { describeError } from '../api/error-messages';
import { compareMessageIds } from '../messages/chat-message';
import { firstConfirmedId, firstConfirmedSeq } from '../messages/message-merge';
import type { ControllerContext } from './controller-context';

const PAGE_SIZE = 50;
/** Opening a room with many unread, older pages are loaded until the first unread is in (at most this many). */
const MAX_PAGES_TO_FIRST_UNREAD = 10;

/** A room's message history: the newest page when it is opened, older pages on demand. */
export class RoomHistory {
  constructor(private readonly context: ControllerContext) {}

  /** The newest page; with many unread, older pages too until the first unread message is in. */
  async loadLatest(roomId: string): Promise<void> {
    const { api, dispatch, live, people } = this.context;
    dispatch({ type: 'history/loading', roomId });
    try {
      const page = await api.history(roomId, { limit: PAGE_SIZE });
      live.gaps.trackFrom(roomId, page.messages);
      live.gaps.observe(page.messages);
      dispatch({ type: 'history/loaded', roomId, messages: page.messages, hasMore: page.hasMore, older: false });
      void people.ensureProfiles(page.messages.map((message) => message.senderId));
    } catch (error) {
      dispatch({ type: 'history/failed', roomId, error: describeError(error) });
      return;
    }
    for (let pages = 0; pages < MAX_PAGES_TO_FIRST_UNREAD && (this.firstUnreadMissing(roomId) || this.noMessageYet(roomId)); pages += 1) await this.loadOlder(roomId);
    dispatch({ type: 'history/opened', roomId });
  }

  async loadOlder(roomId: string): Promise<void> {
    const { api, dispatch, getState, people } = this.context;
    const history = getState().messages[roomId];
    if (!history?.loaded || !history.hasMore || history.loadingOlder) return;
    const beforeSeq = history.oldestSeq ?? firstConfirmedSeq(history.items);
    if (beforeSeq === null) return;
    dispatch({ type: 'history/loading', roomId });
    try {
      const page = await api.history(roomId, { beforeSeq, limit: PAGE_SIZE });
      dispatch({ type: 'history/loaded', roomId, messages: page.messages, hasMore: page.hasMore, older: true });
      void people.ensureProfiles(page.messages.map((message) => message.senderId));
    } catch (error) {
      dispatch({ type: 'history/failed', roomId, error: describeError(error) });
    }
  }

  /** The pages so far held only edits, deletions and reactions: nothing to show yet, older pages exist. */
  private noMessageYet(roomId: string): boolean {
    const history = this.context.getState().messages[roomId];
    return !!history?.hasMore && !history.items.some((item) => item.id !== null);
  }

  private firstUnreadMissing(roomId: string): boolean {
    const state = this.context.getState();
    const line = state.unreadLine[roomId];
    const history = state.messages[roomId];
    if (line === undefined || !history?.hasMore) return false;
    const first = firstConfirmedId(history.items);
    return first !== null && compareMessageIds(first, line) > 0;
  }
}
