import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { messageRows, roomButton, screenshot, sendAcked, type Person } from './support/browser-session.js';
import { directRoomPair } from './support/direct-room-pair.js';

/**
 * Message search in the browser (docs/decisions/0032-message-search.md): real Chromium, the
 * platform started by the launcher (the worker stores what is searched). One person writes in a
 * direct room, the other finds a message, across all rooms and in the room, and opens it in its
 * room: the messages around it loaded, the hit highlighted; then back to the live timeline.
 */

const BEFORE = Array.from({ length: 6 }, (_, index) => `earlier note ${index + 1}`);
const HIT = 'the secret marmalade recipe <b>is</b> here';
const AFTER = Array.from({ length: 6 }, (_, index) => `later note ${index + 1}`);

const pair = directRoomPair('web_search', 'search');
let ana: Person;
let ben: Person;

beforeAll(async () => {
  ({ ana, ben } = pair);
  for (const body of [...BEFORE, HIT, ...AFTER]) await sendAcked(ana, body);
}, 120_000);

/** Searches until the worker has stored the message (search covers stored messages); the results list. */
async function searchFor(person: Person, words: string): Promise<Locator> {
  const dialog = person.page.getByRole('dialog', { name: 'Search messages' });
  await dialog.getByRole('searchbox', { name: 'Words to find' }).fill(words);
  const results = dialog.getByRole('list', { name: 'Search results' });
  const deadline = Date.now() + 20_000;
  for (;;) {
    await dialog.getByRole('button', { name: 'Search', exact: true }).click();
    try {
      await results.waitFor({ timeout: 1_000 });
      return results;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

describe('message search in the web client', () => {
  it('finds a message across all rooms and opens it in its room, in context and highlighted', async () => {
    await ben.page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Search' }).click();
    const results = await searchFor(ben, 'marmalade');
    const hit = results.getByRole('button');
    await expect.poll(() => hit.count()).toBe(1);
    // The match is marked; the markup in the message is text.
    expect(await hit.locator('mark').allTextContents()).toEqual(['marmalade']);
    expect(await hit.textContent()).toContain('<b>is</b>');
    await screenshot(ben, 'search-01-results');

    await hit.click();
    const context = ben.page.getByRole('region', { name: 'Search result in context' });
    const current = context.locator('[aria-current="true"]');
    await current.waitFor();
    expect(await current.locator('.message-body').textContent()).toBe(HIT);
    // Its neighbours on both sides were loaded around it.
    for (const body of [BEFORE[0]!, BEFORE.at(-1)!, AFTER[0]!, AFTER.at(-1)!]) await context.getByText(body, { exact: true }).waitFor();
    expect(await context.locator('.message-body').allTextContents()).toEqual([...BEFORE, HIT, ...AFTER]);
    await screenshot(ben, 'search-02-in-context');

    await context.getByRole('button', { name: 'Back to the latest messages' }).click();
    await context.waitFor({ state: 'detached' });
    await messageRows(ben, AFTER.at(-1)!).waitFor();
    expect(ben.problems).toEqual([]);
  }, 90_000);

  it('searches within the open room and says when nothing matches', async () => {
    await roomButton(ana, ben.name).click();
    await ana.page.getByRole('button', { name: 'Search this room' }).click();
    const dialog = ana.page.getByRole('dialog', { name: 'Search messages' });
    expect(await dialog.getByRole('combobox', { name: 'Where' }).inputValue()).toBe('room');
    const results = await searchFor(ana, 'later note');
    await expect.poll(() => results.getByRole('button').count()).toBe(AFTER.length);

    await dialog.getByRole('searchbox', { name: 'Words to find' }).fill('&|!():* "');
    await dialog.getByRole('button', { name: 'Search', exact: true }).click();
    await dialog.getByText('No messages found.').waitFor();
    expect(ana.problems).toEqual([]);
  }, 60_000);
});
