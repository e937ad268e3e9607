import { useEffect, useRef, type TouchEvent } from 'react';

/** How long a finger rests on a message before its actions open (the platforms' usual ~500 ms). */
export const LONG_PRESS_MS = 500;
/** Further than this (px) and the touch is a scroll or a swipe, not a press. */
export const LONG_PRESS_SLOP = 10;

/** Whether a touch that started at `from` and is now at `to` has moved too far to be a press. */
export function movedTooFar(from: { x: number; y: number }, to: { x: number; y: number }, slop = LONG_PRESS_SLOP): boolean {
  return Math.hypot(to.x - from.x, to.y - from.y) > slop;
}

/**
 * Touch handlers that call `onPress` when a finger rests still on the element; moving, lifting,
 * or the browser taking the touch over for scrolling cancel it. After a press the lift is
 * swallowed (no click under the finger) and so is the browser's own long-press menu.
 */
export function useLongPress(onPress: () => void) {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const start = useRef<{ x: number; y: number } | null>(null);
  const fired = useRef(false);
  const pressed = useRef(onPress);
  pressed.current = onPress;

  // Stable across renders, so the scroll listener added below can be removed again.
  const cancel = useRef(() => {
    clearTimeout(timer.current);
    timer.current = undefined;
    start.current = null;
    window.removeEventListener('scroll', cancel.current, true);
  });
  useEffect(() => cancel.current, []);

  return {
    onTouchStart(event: TouchEvent) {
      cancel.current();
      fired.current = false;
      const touch = event.touches[0];
      if (!touch || event.touches.length > 1) return;
      start.current = { x: touch.clientX, y: touch.clientY };
      // Any scroll (the list's included: captured on the way down) means the finger is scrolling.
      window.addEventListener('scroll', cancel.current, true);
      timer.current = setTimeout(() => {
        cancel.current();
        fired.current = true;
        pressed.current();
      }, LONG_PRESS_MS);
    },
    onTouchMove(event: TouchEvent) {
      const touch = event.touches[0];
      if (start.current && touch && movedTooFar(start.current, { x: touch.clientX, y: touch.clientY })) cancel.current();
    },
    onTouchEnd(event: TouchEvent) {
      cancel.current();
      if (fired.current && event.cancelable) event.preventDefault();
    },
    onTouchCancel() {
      cancel.current();
    },
    onContextMenu(event: { preventDefault(): void }) {
      if (fired.current || timer.current !== undefined) event.preventDefault();
    },
  };
}
