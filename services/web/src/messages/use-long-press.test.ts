// @vitest-environment jsdom
import { cleanup, renderHook } from '@testing-library/react';
import type { TouchEvent } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LONG_PRESS_MS, movedTooFar, useLongPress } from './use-long-press';

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/** The parts of a React touch event the hook reads. */
function touchAt(x: number, y: number, fingers = 1) {
  const touches = Array.from({ length: fingers }, () => ({ clientX: x, clientY: y }));
  return { touches, cancelable: true, preventDefault: vi.fn() } as unknown as TouchEvent & { preventDefault: ReturnType<typeof vi.fn> };
}
const lifted = () => touchAt(0, 0, 0);

function setup() {
  const onPress = vi.fn();
  const { result } = renderHook(() => useLongPress(onPress));
  return { onPress, handlers: () => result.current };
}

describe('a long press on a message', () => {
  it('tells a press from a scroll by how far the finger moved', () => {
    expect(movedTooFar({ x: 10, y: 10 }, { x: 16, y: 18 })).toBe(false);
    expect(movedTooFar({ x: 10, y: 10 }, { x: 10, y: 21 })).toBe(true);
  });

  it('fires once the finger has rested long enough, and swallows the lift and the browser menu', () => {
    const { onPress, handlers } = setup();
    handlers().onTouchStart(touchAt(50, 50));
    vi.advanceTimersByTime(LONG_PRESS_MS - 1);
    expect(onPress).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onPress).toHaveBeenCalledTimes(1);

    const menu = { preventDefault: vi.fn() };
    handlers().onContextMenu(menu);
    expect(menu.preventDefault).toHaveBeenCalled();
    const end = lifted();
    handlers().onTouchEnd(end);
    expect(end.preventDefault).toHaveBeenCalled();
  });

  it('does not fire when the finger lifts early, and leaves that tap alone', () => {
    const { onPress, handlers } = setup();
    handlers().onTouchStart(touchAt(50, 50));
    vi.advanceTimersByTime(100);
    const end = lifted();
    handlers().onTouchEnd(end);
    vi.advanceTimersByTime(LONG_PRESS_MS * 2);
    expect(onPress).not.toHaveBeenCalled();
    expect(end.preventDefault).not.toHaveBeenCalled();
    const menu = { preventDefault: vi.fn() };
    handlers().onContextMenu(menu);
    expect(menu.preventDefault).not.toHaveBeenCalled();
  });

  it('does not fire when the finger moves away, the page scrolls, the browser cancels the touch, or two fingers are down', () => {
    const { onPress, handlers } = setup();
    handlers().onTouchStart(touchAt(50, 50));
    handlers().onTouchMove(touchAt(50, 58));
    handlers().onTouchMove(touchAt(50, 80));
    vi.advanceTimersByTime(LONG_PRESS_MS * 2);

    handlers().onTouchStart(touchAt(50, 50));
    window.dispatchEvent(new Event('scroll'));
    vi.advanceTimersByTime(LONG_PRESS_MS * 2);

    handlers().onTouchStart(touchAt(50, 50));
    handlers().onTouchCancel();
    vi.advanceTimersByTime(LONG_PRESS_MS * 2);

    handlers().onTouchStart(touchAt(50, 50, 2));
    vi.advanceTimersByTime(LONG_PRESS_MS * 2);
    expect(onPress).not.toHaveBeenCalled();
  });

  it('still fires after a small wobble of the finger', () => {
    const { onPress, handlers } = setup();
    handlers().onTouchStart(touchAt(50, 50));
    handlers().onTouchMove(touchAt(53, 54));
    vi.advanceTimersByTime(LONG_PRESS_MS);
    expect(onPress).toHaveBeenCalledTimes(1);
  });
});
