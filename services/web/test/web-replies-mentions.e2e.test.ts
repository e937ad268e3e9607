import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { composer, roomButton, screenshot, sendAcked, type Person } from './support/browser-session.js';
import { seriousAxeViolations } from './support/axe.js';
import { directRoomPair } from './support/direct-room-pair.js';

/**
 * Replies, threads and @mentions in the browser (docs/decisions/0034-replies-and-mentions.md):
 * real Chromium, the platform started by the launcher (chat-socket, the worker, the user
 * service that resolves usernames), two people in a direct room. Steps build on each other and
 * run in order.
 */

// A thread longer than the panel's page is written quickly in the last step.
const pair = directRoomPair('web_replies', 'replies', { SEND_BURST: '200', SEND_RATE_PER_SECOND: '200' });
let ana: Person;
let ben: Person;

beforeAll(() => {
  ({ ana, ben } = pair);
});

const problems = () => [ana, ben].flatMap((person) => person?.problems ?? []);

/** The message whose own text (not a quote of it) is `body`. */
const row = (person: Person, body: string): Locator => person.page.locator('article.message').filter({ has: person.page.locator('.message-body', { hasText: body }) });
const thread = (person: Person) => person.page.getByRole('complementary', { name: 'Thread' });

describe('replies, threads and mentions in the web client', () => {
  it('replies to a message with its quote, and shows the thread with its count to both people live', async () => {
    await sendAcked(ana, 'Where shall we meet?');
    await roomButton(ben, ana.name).click();
    const parentForBen = row(ben, 'Where shall we meet?');
    await parentForBen.waitFor();

    await parentForBen.getByRole('button', { name: 'Reply' }).click();
    const replying = ben.page.getByRole('group', { name: 'Reply' });
    await replying.getByText('Where shall we meet?').waitFor();
    await composer(ben).fill('At the station');
    await composer(ben).press('Enter');
    await replying.waitFor({ state: 'detached' });

    for (const person of [ana, ben]) {
      const reply = row(person, 'At the station');
      const quote = reply.locator('.reply-quote', { hasText: 'Where shall we meet?' });
      await quote.getByText(person === ana ? 'You' : ana.name, { exact: true }).waitFor();
      await row(person, 'Where shall we meet?').getByRole('button', { name: /^1 reply/ }).waitFor();
    }

    await row(ana, 'Where shall we meet?').getByRole('button', { name: /^1 reply/ }).click();
    await thread(ana).getByText('At the station').waitFor();
    await thread(ana).getByTestId('thread-count').getByText(/^1 reply/).waitFor();
    const inThread = thread(ana).getByRole('textbox', { name: 'Reply in thread' });
    await inThread.fill('See you there');
    await inThread.press('Enter');
    await thread(ana).getByText('See you there').waitFor();
    await thread(ana).getByTestId('thread-count').getByText(/^2 replies/).waitFor();
    await row(ben, 'Where shall we meet?').getByRole('button', { name: /^2 replies/ }).waitFor();
    await screenshot(ana, 'replies-01-thread');
    // The quotes, thread summaries and the thread panel pass the accessibility checks.
    expect(await seriousAxeViolations(ana.page)).toEqual([]);
    expect(problems()).toEqual([]);
  }, 60_000);

  it('brings someone who was offline during a reply to the same count, live and after a reload', async () => {
    await ben.context.setOffline(true);
    await ben.page.getByTestId('connection-banner').getByText(/You are offline/).waitFor();
    const inThread = thread(ana).getByRole('textbox', { name: 'Reply in thread' });
    await inThread.fill('Bring umbrellas');
    await inThread.press('Enter');
    await row(ana, 'Where shall we meet?').getByRole('button', { name: /^3 replies/ }).waitFor();

    await ben.context.setOffline(false);
    await ben.page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 30_000 });
    await row(ben, 'Where shall we meet?').getByRole('button', { name: /^3 replies/ }).waitFor({ timeout: 30_000 });
    await ben.page.reload();
    await roomButton(ben, ana.name).click();
    await row(ben, 'Where shall we meet?').getByRole('button', { name: /^3 replies/ }).waitFor({ timeout: 30_000 });
    // Opened after the reload, the thread lists every reply once.
    await row(ben, 'Where shall we meet?').getByRole('button', { name: /^3 replies/ }).click();
    await thread(ben).getByText('Bring umbrellas').waitFor();
    expect(await thread(ben).locator('li.thread-reply').count()).toBe(3);
    await screenshot(ben, 'replies-02-after-reload');
    expect(problems()).toEqual([]);
  }, 90_000);

  it('completes @mentions from the room members, highlights them for the person mentioned, and tells them when the room is not in view', async () => {
    // Ben is signed in with no room open.
    await ben.page.goto('/');
    await roomButton(ben, ana.name).waitFor();

    await composer(ana).fill('');
    await composer(ana).pressSequentially(`Are you coming @${ben.name.slice(0, 4)}`);
    const suggestions = ana.page.getByRole('listbox', { name: 'Mention someone' });
    await suggestions.getByRole('option', { name: new RegExp(ben.name) }).waitFor();
    expect(await seriousAxeViolations(ana.page)).toEqual([]);
    await composer(ana).press('Enter');
    await expect.poll(() => composer(ana).inputValue()).toBe(`Are you coming @${ben.name} `);
    await composer(ana).pressSequentially('?');
    await composer(ana).press('Enter');
    await row(ana, 'Are you coming').locator('[data-delivery="sent"], [data-delivery="read"]').waitFor();

    await ben.page.getByText(`${ana.name} mentioned you.`).waitFor({ timeout: 30_000 });
    await roomButton(ben, ana.name).getByTestId('mention-badge').getByText('@1').waitFor();
    await screenshot(ben, 'replies-03-mentioned');

    await roomButton(ben, ana.name).click();
    // Opened from what the app saved last time, the room still has its quotes and counts.
    await row(ben, 'Where shall we meet?').getByRole('button', { name: /^3 replies/ }).waitFor();
    await row(ben, 'Bring umbrellas').locator('.reply-quote', { hasText: 'Where shall we meet?' }).getByText(ana.name, { exact: true }).waitFor();
    const mentioned = row(ben, 'Are you coming');
    await mentioned.locator('.mention-me').getByText(`@${ben.name}`).waitFor();
    await expect.poll(() => mentioned.evaluate((element) => element.classList.contains('message-mentions-me'))).toBe(true);
    // Seen: the mention badge goes with the unread count.
    await roomButton(ben, ana.name).getByTestId('mention-badge').waitFor({ state: 'detached', timeout: 30_000 });
    // The sender sees the mention as a name too, without the reader's highlight.
    await row(ana, 'Are you coming').locator('.mention').getByText(`@${ben.name}`).waitFor();
    expect(await row(ana, 'Are you coming').locator('.mention-me').count()).toBe(0);
    await screenshot(ben, 'replies-04-highlight');
    expect(problems()).toEqual([]);
  }, 90_000);
  it('pages a thread longer than the panel with "Load earlier replies", each reply once, while replies keep arriving', async () => {
    // More than the panel's page (THREAD_PANEL_PAGE = 50).
    const TOTAL = 55;
    const label = (n: number) => `Long reply ${String(n).padStart(2, '0')}`;
    await sendAcked(ana, 'A long thread starts');
    await row(ana, 'A long thread starts').getByRole('button', { name: 'Reply' }).click();
    await composer(ana).fill(label(1));
    await composer(ana).press('Enter');
    await row(ana, 'A long thread starts').getByRole('button', { name: /^1 reply/ }).click();
    const inThread = thread(ana).getByRole('textbox', { name: 'Reply in thread' });
    for (let n = 2; n <= TOTAL; n += 1) {
      await inThread.fill(label(n));
      await inThread.press('Enter');
      // As a person types: the next reply once the box has taken this one.
      await expect.poll(() => inThread.inputValue()).toBe('');
    }
    // Polled rather than waited for, so a failure says which count and which replies were shown.
    const threadState = async () => {
      const shown = await thread(ana).locator('li.thread-reply .message-body').allTextContents();
      const count = await thread(ana).getByTestId('thread-count').textContent();
      return {
        count: count?.match(/^\d+ repl(?:y|ies)/)?.[0],
        missing: Array.from({ length: TOTAL }, (_, index) => label(index + 1)).filter((text) => !shown.includes(text)),
      };
    };
    await expect.poll(threadState, { timeout: 60_000 }).toEqual({ count: `${TOTAL} replies`, missing: [] });

    // Opened again, the panel reads the latest page and offers the earlier ones.
    await thread(ana).getByRole('button', { name: 'Close thread' }).click();
    await row(ana, label(TOTAL)).locator('.reply-quote').click();
    const earlier = thread(ana).getByRole('button', { name: 'Load earlier replies' });
    await earlier.waitFor();
    const replies = thread(ana).locator('li.thread-reply');
    await expect.poll(() => replies.count()).toBe(50);
    expect(await thread(ana).getByText(label(1), { exact: true }).count()).toBe(0);
    expect(await seriousAxeViolations(ana.page)).toEqual([]);

    // A reply arrives live meanwhile, from the other person's own thread panel.
    await row(ben, label(TOTAL)).locator('.reply-quote').click();
    const bensThread = thread(ben).getByRole('textbox', { name: 'Reply in thread' });
    await bensThread.fill('Arrived while paging');
    await bensThread.press('Enter');
    await thread(ana).getByText('Arrived while paging').waitFor();

    await earlier.click();
    await earlier.waitFor({ state: 'detached' });
    await expect.poll(() => replies.count()).toBe(TOTAL + 1);
    const texts = await replies.locator('.message-body').allTextContents();
    expect(new Set(texts).size).toBe(TOTAL + 1);
    expect([...texts].sort()).toEqual([...Array.from({ length: TOTAL }, (_, index) => label(index + 1)), 'Arrived while paging'].sort());
    expect(texts.at(-1)).toBe('Arrived while paging');
    await thread(ana).getByTestId('thread-count').getByText(new RegExp(`^${TOTAL + 1} replies`)).waitFor();
    await screenshot(ana, 'replies-05-earlier-loaded');
    expect(problems()).toEqual([]);
  }, 180_000);
});
