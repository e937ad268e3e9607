import { beforeAll, describe, expect, it } from 'vitest';
import type { CDPSession, Locator } from 'playwright-core';
import { seriousAxeViolations } from './support/axe.js';
import { messageRows, roomButton, screenshot, sendAcked, type Person } from './support/browser-session.js';
import { directRoomPair } from './support/direct-room-pair.js';

/**
 * How message actions are reached: on a desktop they appear when the row is hovered or holds
 * keyboard focus; on a phone a long press opens them as a sheet. Real Chromium, ana at a desk, ben
 * on a touch screen (390 × 800), in their direct room. Steps build on each other.
 */

const pair = directRoomPair('web_message_touch', 'message-touch', {}, { ben: { touch: true, viewport: { width: 390, height: 800 } } });
let ana: Person;
let ben: Person;
let touch: CDPSession;

beforeAll(async () => {
  ({ ana, ben } = pair);
  touch = await ben.context.newCDPSession(ben.page);
});

const problems = () => [ana, ben].flatMap((person) => person?.problems ?? []);
const sheet = () => ben.page.getByRole('dialog', { name: 'Message actions' });
/** What the test reads of the page (its own TypeScript has no DOM types; casts vanish before the code runs there). */
type PageWindow = { getComputedStyle(element: unknown): { opacity: string }; document: { activeElement: unknown } };
const opacity = (locator: Locator) => locator.evaluate((element: unknown) => (globalThis as unknown as PageWindow).getComputedStyle(element).opacity);

/** A finger on the middle of the message's text, held for `holdMs`, moved `moveBy` px on the way. */
async function press(row: Locator, holdMs: number, moveBy = 0): Promise<void> {
  const box = await row.locator('.message-body').boundingBox();
  if (!box) throw new Error('the message is not on screen');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await touch.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
  if (moveBy) await touch.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y + moveBy }] });
  await ben.page.waitForTimeout(holdMs);
  await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

describe('message actions on a desktop and on a touch screen', () => {
  it('shows the actions only while the row is hovered or holds keyboard focus, and keeps them in the Tab order', async () => {
    await sendAcked(ana, 'hover over me');
    const row = messageRows(ana, 'hover over me');
    const tools = row.locator('.message-tools');
    await ana.page.mouse.move(1, 1);
    expect(await opacity(tools)).toBe('0');

    await row.hover();
    expect(await opacity(tools)).toBe('1');
    await ana.page.mouse.move(1, 1);
    expect(await opacity(tools)).toBe('0');

    // Keyboard: Tab moves from Reply to React (nothing skipped them), and focus shows the row's actions.
    await row.getByRole('button', { name: 'Reply' }).focus();
    await ana.page.keyboard.press('Tab');
    const react = row.getByRole('button', { name: 'React' });
    expect(await react.evaluate((element: unknown) => element === (globalThis as unknown as PageWindow).document.activeElement)).toBe(true);
    expect(await opacity(tools)).toBe('1');
    await ana.page.keyboard.press('Enter');
    await row.getByRole('group', { name: 'Pick a reaction' }).waitFor();
    await row.getByRole('button', { name: 'React with 👍' }).press('Enter');
    await row.getByRole('button', { name: '👍 1: You', exact: true }).waitFor();
    await screenshot(ana, 'message-touch-01-keyboard');
    expect(problems()).toEqual([]);
  }, 60_000);

  it('opens the actions on a long press, reacts from there, and names who reacted on the chip', async () => {
    await roomButton(ben, ana.name).tap();
    const row = messageRows(ben, 'hover over me');
    await row.waitFor();
    await press(row, 900);
    await sheet().waitFor();
    // The press selected no text.
    expect(await ben.page.evaluate<string>('String(window.getSelection())')).toBe('');
    expect(await seriousAxeViolations(ben.page)).toEqual([]);
    await screenshot(ben, 'message-touch-02-sheet');

    await sheet().getByRole('button', { name: 'React' }).tap();
    await sheet().getByRole('button', { name: 'React with 🎉' }).tap();
    await sheet().waitFor({ state: 'detached' });
    await row.getByRole('button', { name: '🎉 1: You', exact: true }).waitFor();
    const chip = messageRows(ana, 'hover over me').getByRole('button', { name: `🎉 1: ${ben.name}`, exact: true });
    await chip.waitFor();
    expect(await chip.getAttribute('title')).toBe(ben.name);
    // Both reacted with 👍 now (ana from the keyboard, ben here): named in order, counted on the chip.
    await press(row, 900);
    await sheet().getByRole('button', { name: 'React' }).tap();
    await sheet().getByRole('button', { name: 'React with 👍' }).tap();
    const both = messageRows(ana, 'hover over me').getByRole('button', { name: `👍 2: You and ${ben.name}`, exact: true });
    await both.waitFor();
    expect(await both.textContent()).toBe('👍 2');
    expect(problems()).toEqual([]);
  }, 60_000);

  it('copies the message text from the sheet, since rows refuse text selection on a phone', async () => {
    await ben.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(ben.page.url()).origin });
    const row = messageRows(ben, 'hover over me');
    await press(row, 900);
    await sheet().getByRole('button', { name: 'Copy text' }).tap();
    await sheet().waitFor({ state: 'detached' });
    expect(await ben.page.evaluate<string>('navigator.clipboard.readText()')).toContain('hover over me');
    expect(problems()).toEqual([]);
  }, 60_000);

  it('closes the sheet with Escape or a tap outside it, and opens nothing when the finger moves or lifts early', async () => {
    const row = messageRows(ben, 'hover over me');
    await press(row, 900);
    await sheet().waitFor();
    await ben.page.keyboard.press('Escape');
    await sheet().waitFor({ state: 'detached' });

    await press(row, 900);
    await sheet().waitFor();
    await row.locator('.message-body').tap();
    await sheet().waitFor({ state: 'detached' });

    // A scroll-like move, then a quick tap: neither is a long press.
    await press(row, 900, 40);
    await press(row, 50);
    await ben.page.waitForTimeout(800);
    expect(await sheet().count()).toBe(0);
    expect(problems()).toEqual([]);
  }, 60_000);
});
