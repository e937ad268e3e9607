import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { messageRows, roomButton, screenshot, sendAcked, type Person } from './support/browser-session.js';
import { directRoomPair } from './support/direct-room-pair.js';

/**
 * Edits, deletions and reactions in the browser (docs/decisions/0021-timeline-events.md): real
 * Chromium, the platform started by the launcher, two people in a direct room; one of them is
 * offline while the other changes things and must come back to exactly the same room, live and
 * after a reload. Steps build on each other and run in order.
 */

const pair = directRoomPair('web_timeline', 'timeline');
let ana: Person;
let ben: Person;

beforeAll(() => {
  ({ ana, ben } = pair);
});

const problems = () => [ana, ben].flatMap((person) => person?.problems ?? []);

/** The reaction chip of one emoji under a message, named by its count and who reacted, e.g. "👍 2: You and ben_x1y2z". */
const reaction = (row: Locator, emoji: string, count: number, who: string) => row.getByRole('button', { name: `${emoji} ${count}: ${who}`, exact: true });

async function edit(person: Person, body: string, next: string): Promise<void> {
  const row = messageRows(person, body);
  await row.getByRole('button', { name: 'Edit' }).click();
  await row.getByRole('textbox', { name: 'Edit message' }).fill(next);
  await row.getByRole('button', { name: 'Save' }).click();
  await messageRows(person, next).getByText('edited').waitFor();
}

async function react(person: Person, body: string, emoji: string): Promise<void> {
  const row = messageRows(person, body);
  await row.getByRole('button', { name: 'React' }).click();
  await row.getByRole('button', { name: `React with ${emoji}` }).click();
}

describe('edit, delete and react in the web client', () => {
  it('shows an edit and reactions to the other person live', async () => {
    await sendAcked(ana, 'first draft');
    await sendAcked(ana, 'this will go');
    await roomButton(ben, ana.name).click();
    await messageRows(ben, 'this will go').waitFor();

    await edit(ana, 'first draft', 'final words');
    await messageRows(ben, 'final words').getByText('edited').waitFor();
    expect(await messageRows(ben, 'first draft').count()).toBe(0);

    await react(ben, 'final words', '👍');
    await reaction(messageRows(ana, 'final words'), '👍', 1, ben.name).waitFor();
    await react(ana, 'final words', '👍');
    // Named in the order they reacted; the chip still shows the count.
    const both = reaction(messageRows(ben, 'final words'), '👍', 2, `You and ${ana.name}`);
    await both.waitFor();
    expect(await both.textContent()).toBe('👍 2');
    expect(await both.getAttribute('title')).toBe(`You and ${ana.name}`);
    // Clicking one's own reaction takes it back.
    await both.click();
    await reaction(messageRows(ana, 'final words'), '👍', 1, 'You').waitFor();
    await screenshot(ana, 'timeline-01-live');
    expect(problems()).toEqual([]);
  }, 60_000);

  it('brings someone who was offline during a deletion, an edit and a reaction to the same room, and keeps it after a reload', async () => {
    await ben.context.setOffline(true);
    await ben.page.getByTestId('connection-banner').getByText(/You are offline/).waitFor();

    const doomed = messageRows(ana, 'this will go');
    await doomed.getByRole('button', { name: 'Delete' }).click();
    // Nothing happens before the confirmation.
    await doomed.getByRole('alertdialog', { name: 'Delete this message?' }).getByRole('button', { name: 'Delete' }).click();
    await ana.page.getByTestId('message-deleted').waitFor();
    await edit(ana, 'final words', 'final words, really');
    await react(ana, 'final words, really', '🎉');
    await reaction(messageRows(ana, 'final words, really'), '🎉', 1, 'You').waitFor();
    await screenshot(ana, 'timeline-02-changed-while-ben-offline');

    await ben.context.setOffline(false);
    await ben.page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 30_000 });
    const expectSameRoom = async (person: Person) => {
      const byAna = person === ana ? 'You' : ana.name;
      await messageRows(person, 'final words, really').getByText('edited').waitFor({ timeout: 30_000 });
      await reaction(messageRows(person, 'final words, really'), '🎉', 1, byAna).waitFor({ timeout: 30_000 });
      await reaction(messageRows(person, 'final words, really'), '👍', 1, byAna).waitFor();
      await person.page.getByTestId('message-deleted').waitFor();
      expect(await messageRows(person, 'this will go').count()).toBe(0);
      expect(await messageRows(person, 'final words').count()).toBe(0);
      // The room list's preview of the (deleted) last message does not show its text either.
      await roomButton(person, ana.name).getByText('Message deleted').waitFor();
      expect(await roomButton(person, ana.name).getByText('this will go').count()).toBe(0);
    };
    await expectSameRoom(ben);
    await screenshot(ben, 'timeline-03-back-online');

    await ben.page.reload();
    await roomButton(ben, ana.name).click();
    await expectSameRoom(ben);
    await screenshot(ben, 'timeline-04-after-reload');
    expect(problems()).toEqual([]);
  }, 120_000);
});
