import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  befriend,
  closeDialog,
  composer,
  createPublicGroup,
  launchChromium,
  messageRows,
  openPeople,
  openPerson,
  registerAndVerify,
  roomButton,
  screenshot,
  send,
  type Person,
} from './support/browser-session.js';
import { startWebPlatform, type WebPlatform } from './support/web-platform.js';
import { screenshotFailures, stopAfterAll } from './support/test-teardown.js';

/**
 * The browser client end to end: real Chromium, the platform started by the launcher exactly
 * as `npm start` does, and three people. Steps build on each other and run in order.
 * Screenshots of each step land in test-artifacts/web-e2e/.
 */

let web: WebPlatform;
let browser: Browser;
let ana: Person;
let ben: Person;
let cy: Person;

const unique = (base: string) => `${base}_${Math.random().toString(36).slice(2, 7)}`;
const HISTORY_MESSAGES = 70;

beforeAll(async () => {
  web = await startWebPlatform('web_e2e');
  const origin = web.origin;
  browser = await launchChromium();
  [ana, ben] = await Promise.all([openPerson(browser, origin, unique('ana')), openPerson(browser, origin, unique('ben'))]);
  // The third person uses a phone-sized screen: room list and room are separate screens there.
  cy = await openPerson(browser, origin, unique('cy'), { width: 390, height: 800 });
}, 180_000);

stopAfterAll(() => browser, () => web);
screenshotFailures(() => [ana, ben, cy], 'failed-');

const problems = () => [ana, ben, cy].flatMap((person) => person?.problems ?? []);

describe('the web client against the launched platform', () => {
  it('is served at / by the platform, with the chat services behind the same origin', async () => {
    if (web.platform) {
      const started = /Parley is up at .*\(services: ([^)]*)\)/.exec(web.platform.output.join('\n'))?.[1]?.split(', ') ?? [];
      // The chat steps need chat-socket (and persistence-worker) in tools/launcher/src/service-catalog.ts.
      expect(started, 'services started by the launcher').toEqual(expect.arrayContaining(['auth', 'user', 'chat-socket', 'web']));
    }
    await ana.page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    await screenshot(ana, '01-sign-in');
  });

  it('registers people and confirms their email addresses with the code from the dev mailbox', async () => {
    await Promise.all([registerAndVerify(ana), registerAndVerify(ben)]);
    await registerAndVerify(cy);
    await screenshot(ana, '02-registered');
    expect(problems()).toEqual([]);
  }, 90_000);

  it('makes friends: a request found through search, accepted by the other person', async () => {
    await befriend(ana, ben);
    await befriend(ana, cy);
    const people = await openPeople(ana);
    await people.getByRole('list', { name: 'Friends' }).getByRole('button', { name: `Message: ${ben.name}` }).waitFor();
    await screenshot(ana, '03-friends');
    await closeDialog(ana);
  }, 60_000);

  it('chats in a direct room with typing, ticks and presence', async () => {
    const people = await openPeople(ana);
    await people.getByRole('button', { name: `Message: ${ben.name}` }).click();
    await ana.page.getByRole('heading', { name: ben.name, level: 2 }).waitFor();
    await ana.page.getByTestId('room-presence').getByText('online').waitFor();

    await send(ana, 'Hello Ben!');
    const sent = messageRows(ana, 'Hello Ben!');
    await sent.locator('[data-delivery="sent"], [data-delivery="read"]').waitFor();

    // Ben gets the new room live, with the message unread, and opens it: Ana sees the double tick.
    await roomButton(ben, ana.name).getByTestId('unread-badge').waitFor();
    await roomButton(ben, ana.name).click();
    await messageRows(ben, 'Hello Ben!').waitFor();
    await sent.locator('[data-delivery="read"]').waitFor();

    await composer(ben).pressSequentially('Hi Ana, typing');
    await ana.page.getByText(`${ben.name} is typing…`).waitFor();
    await screenshot(ana, '04-typing');
    await composer(ben).fill('');
    await send(ben, 'Hi Ana, good to see you.');
    await messageRows(ana, 'Hi Ana, good to see you.').waitFor();
    await ana.page.getByText(`${ben.name} is typing…`).waitFor({ state: 'detached' });
    await screenshot(ben, '04-direct-chat');
  }, 60_000);

  it('chats in a group with a third person on a phone-sized screen', async () => {
    await ana.page.getByRole('button', { name: 'New group' }).click();
    const dialog = ana.page.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill('Trio');
    await dialog.getByRole('checkbox', { name: new RegExp(ben.name) }).check();
    await dialog.getByRole('checkbox', { name: new RegExp(cy.name) }).check();
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await ana.page.getByRole('heading', { name: 'Trio', level: 2 }).waitFor();

    await roomButton(cy, 'Trio').click();
    await cy.page.getByRole('button', { name: 'Back to rooms' }).waitFor();
    expect(await cy.page.getByRole('list', { name: 'Rooms' }).isVisible()).toBe(false);
    await send(cy, 'Hi both, Cy here');
    await messageRows(ana, 'Hi both, Cy here').waitFor();
    await roomButton(ben, 'Trio').getByTestId('unread-badge').waitFor();
    await roomButton(ben, 'Trio').click();
    await messageRows(ben, 'Hi both, Cy here').waitFor();
    await send(ben, 'Welcome to Trio');
    await messageRows(cy, 'Welcome to Trio').waitFor();
    await messageRows(cy, 'Hi both, Cy here').locator('[data-delivery="read"]').waitFor();
    await screenshot(cy, '05-group-phone');
    await cy.page.getByRole('button', { name: 'Back to rooms' }).click();
    await roomButton(cy, 'Trio').waitFor();
    await screenshot(cy, '05-room-list-phone');
  }, 60_000);

  it('finds the whole history after a reload, loading older pages while scrolling up', async () => {
    await roomButton(ana, ben.name).click();
    // Paced under the per-user send limit (10/s): each waits for its ack before the next goes.
    for (let index = 1; index <= HISTORY_MESSAGES; index += 1) {
      await send(ana, `history ${index}`);
      await messageRows(ana, `history ${index}`).locator('[data-delivery="sent"], [data-delivery="read"]').waitFor();
      await ana.page.waitForTimeout(120);
    }
    // Ben was in another room: the conversation opens at the first of the 70 unread, under the line.
    await roomButton(ben, ana.name).click();
    await ben.page.getByTestId('new-messages-line').waitFor();
    await messageRows(ben, 'history 1').waitFor();
    await ben.page.getByRole('button', { name: /^Jump to latest \(\d+\)$/ }).click();
    await messageRows(ben, `history ${HISTORY_MESSAGES}`).waitFor();
    await roomButton(ben, ana.name).getByTestId('unread-badge').waitFor({ state: 'detached' });
    // The read marker reached the server (Ana sees it), so the reload opens at the newest message.
    await messageRows(ana, `history ${HISTORY_MESSAGES}`).locator('[data-delivery="read"]').waitFor();

    await ben.page.reload();
    await messageRows(ben, `history ${HISTORY_MESSAGES}`).waitFor();
    const scroller = ben.page.getByRole('log', { name: 'Messages' });
    const start = ben.page.getByText('This is the start of the conversation.');
    const first = messageRows(ben, 'Hello Ben!');
    for (let attempt = 0; attempt < 40 && !((await start.isVisible()) && (await first.count()) > 0); attempt += 1) {
      await scroller.evaluate((element) => element.scrollTo({ top: 0 }));
      await ben.page.waitForTimeout(250);
    }
    await messageRows(ben, 'Hello Ben!').waitFor();
    await messageRows(ben, 'history 1').waitFor();
    await screenshot(ben, '06-history-after-reload');
  }, 120_000);

  it('comes back from being offline to the messages it missed, each shown once, and sends what was written meanwhile', async () => {
    await ben.context.setOffline(true);
    await ben.page.getByTestId('connection-banner').getByText(/You are offline/).waitFor();
    await screenshot(ben, '07-offline');

    // A message written while offline waits in the outbox (no failure, no Retry to click).
    await send(ben, 'written while offline');
    const unsent = messageRows(ben, 'written while offline');
    await unsent.locator('[data-delivery="queued"]').waitFor();
    expect(await unsent.getByRole('alert').count()).toBe(0);

    for (const body of ['while you were away 1', 'while you were away 2', 'while you were away 3']) await send(ana, body);
    await messageRows(ana, 'while you were away 3').locator('[data-delivery="sent"]').waitFor();

    await ben.context.setOffline(false);
    await ben.page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 30_000 });
    await unsent.locator('[data-delivery="sent"], [data-delivery="read"]').waitFor({ timeout: 30_000 });
    await messageRows(ana, 'written while offline').waitFor();
    expect(await messageRows(ana, 'written while offline').count()).toBe(1);
    await ben.page.getByRole('log', { name: 'Messages' }).evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    for (const body of ['while you were away 1', 'while you were away 2', 'while you were away 3']) {
      await messageRows(ben, body).waitFor();
      expect(await messageRows(ben, body).count()).toBe(1);
    }
    await messageRows(ana, 'while you were away 3').locator('[data-delivery="read"]').waitFor();
    await screenshot(ben, '07-back-online');
    expect(problems()).toEqual([]);
  }, 90_000);
  it('edits a profile, joins a public room found in the directory, and blocks someone', async () => {
    await ana.page.getByRole('button', { name: 'Profile' }).click();
    const profile = ana.page.getByRole('dialog', { name: 'Your profile' });
    await profile.getByLabel('Display name').fill('Ana Lopez');
    await profile.getByLabel('Avatar URL').fill('not a url');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await profile.getByText('Enter a web address starting with https://, or leave it empty.').waitFor();
    await profile.getByLabel('Avatar URL').fill('');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await profile.getByText('Profile saved.').waitFor();
    await closeDialog(ana);

    const lounge = unique('Open lounge');
    await createPublicGroup(ben, lounge);

    await cy.page.getByRole('button', { name: 'Public rooms' }).click();
    const directory = cy.page.getByRole('dialog', { name: 'Public rooms' });
    await directory.getByRole('button', { name: `Join ${lounge}` }).click();
    await cy.page.getByRole('heading', { name: lounge, level: 2 }).waitFor();
    await send(cy, 'Hello lounge');
    await messageRows(ben, 'Hello lounge').waitFor();
    await screenshot(cy, '08-public-room-phone');

    const people = await openPeople(ben);
    await people.getByLabel('Username, name or email').fill(cy.name);
    await people.getByRole('button', { name: 'Search' }).click();
    await people.getByRole('list', { name: 'Search results' }).getByRole('button', { name: `Block: ${cy.name}` }).click();
    await ben.page.getByRole('alertdialog', { name: `Block ${cy.name}?` }).getByRole('button', { name: 'Block' }).click();
    await ben.page.getByRole('alertdialog').waitFor({ state: 'detached' });
    await people.getByRole('list', { name: 'Blocked people' }).getByRole('button', { name: `Unblock: ${cy.name}` }).waitFor();
    await screenshot(ben, '08-blocked');
    await closeDialog(ben);
  }, 60_000);

  it('resets a forgotten password with the code from the dev mailbox, then signs in with the new one', async () => {
    await cy.page.getByRole('button', { name: 'Back to rooms' }).click();
    await cy.page.getByRole('button', { name: 'Log out' }).click();
    await cy.page.getByRole('button', { name: 'Forgot your password?' }).click();
    await cy.page.getByLabel('Email').fill(cy.email);
    await cy.page.getByRole('button', { name: 'Send reset code' }).click();
    await cy.page.getByTestId('dev-mailbox-code').waitFor({ timeout: 20_000 });
    await cy.page.getByRole('button', { name: 'Use this code' }).click();
    await cy.page.getByLabel('New password', { exact: true }).fill('an even better passphrase');
    await cy.page.getByRole('button', { name: 'Change password' }).click();
    await cy.page.getByText('Your password was changed. Sign in with the new one.').waitFor();

    await cy.page.getByLabel('Username or email').fill(cy.name);
    await cy.page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await cy.page.getByRole('button', { name: 'Sign in' }).click();
    await cy.page.getByText('Wrong username, email or password.').waitFor();
    await cy.page.getByLabel('Password', { exact: true }).fill('an even better passphrase');
    await cy.page.getByRole('button', { name: 'Sign in' }).click();
    await roomButton(cy, 'Trio').waitFor();
    await screenshot(cy, '09-signed-in-after-reset');
    expect(problems()).toEqual([]);
  }, 60_000);
});
