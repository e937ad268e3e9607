import { useCallback, useEffect, useRef, type RefObject } from 'react';
import { maxMessageId } from './chat-message';

/** A row counts as seen once half of it (or half the view, for a tall one) is on screen. */
const SEEN_FRACTION = 0.5;

/**
 * Which messages have been on screen while the window had focus and was visible: rows are
 * watched with an IntersectionObserver inside the scroller, and the newest id among the visible
 * ones is reported whenever it, the focus or the page's visibility changes. Messages scrolled
 * past without focus (another window in front, a background tab) stay unread.
 */
export function useSeenMessages(root: RefObject<HTMLElement | null>, onSeen: (messageId: string) => void): (element: HTMLElement | null) => (() => void) | undefined {
  const visible = useRef(new Map<Element, string>());
  const tracked = useRef(new Set<Element>());
  const observer = useRef<IntersectionObserver | null>(null);
  const focused = useRef(typeof document === 'undefined' ? false : document.hasFocus());
  const report = useRef(onSeen);
  report.current = onSeen;

  const reportVisible = useCallback(() => {
    if (!focused.current || document.visibilityState !== 'visible') return;
    let newest: string | null = null;
    for (const id of visible.current.values()) newest = maxMessageId(newest, id);
    if (newest) report.current(newest);
  }, []);

  useEffect(() => {
    if (typeof IntersectionObserver === 'undefined') return;
    const watcher = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const id = (entry.target as HTMLElement).dataset.messageId;
          const rootHeight = entry.rootBounds?.height ?? Number.POSITIVE_INFINITY;
          const seen = entry.isIntersecting && (entry.intersectionRatio >= SEEN_FRACTION || entry.intersectionRect.height >= rootHeight * SEEN_FRACTION);
          if (id && seen) visible.current.set(entry.target, id);
          else visible.current.delete(entry.target);
        }
        reportVisible();
      },
      { root: root.current, threshold: [0, SEEN_FRACTION, 1] },
    );
    observer.current = watcher;
    // Rows mounted before this effect ran (the first render) are watched now.
    for (const element of tracked.current) watcher.observe(element);
    const onFocus = () => {
      focused.current = true;
      reportVisible();
    };
    const onBlur = () => {
      focused.current = false;
    };
    window.addEventListener('focus', onFocus);
    window.addEventListener('blur', onBlur);
    document.addEventListener('visibilitychange', reportVisible);
    return () => {
      watcher.disconnect();
      observer.current = null;
      window.removeEventListener('focus', onFocus);
      window.removeEventListener('blur', onBlur);
      document.removeEventListener('visibilitychange', reportVisible);
    };
  }, [root, reportVisible]);

  // A ref callback for each message row (with data-message-id): watched while it is mounted.
  return useCallback((element: HTMLElement | null) => {
    if (!element) return undefined;
    tracked.current.add(element);
    observer.current?.observe(element);
    return () => {
      tracked.current.delete(element);
      observer.current?.unobserve(element);
      visible.current.delete(element);
    };
  }, []);
}
