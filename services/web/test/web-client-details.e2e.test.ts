import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import pg from 'pg';
import {
  befriend,
  closeDialog,
  composer,
  launchChromium,
  messageRows,
  openDirect,
  openPeople,
  openPerson,
  registerAndVerify,
  roomButton,
  screenshot,
  send,
  sendAcked,
  submitRegistration,
  type Person,
} from './support/browser-session.js';
import { startWebPlatform, type WebPlatform } from './support/web-platform.js';
import { screenshotFailures, stopAfterAll } from './support/test-teardown.js';

/**
 * The details of the web client, each one a defect found by a new user or a feature people
 * count on: read state by what was seen, the outbox, email confirmation, errors in plain words,
 * presence, dates and directions, notifications, the room timeline and settings, invite links,
 * confirmations. Real Chromium against the platform started by the launcher; steps build on
 * each other and run in order.
 */

let web: WebPlatform;
let browser: Browser;
let ana: Person;
let ben: Person;
let cy: Person;

const unique = (base: string) => `${base}_${Math.random().toString(36).slice(2, 7)}`;

/** Records each browser notification the page raises (the Notification API is wrapped before the app loads). */
const RECORD_NOTIFICATIONS = `(() => {
  const Original = window.Notification;
  if (!Original) return;
  window.__notifications = [];
  class Recorded extends Original {
    constructor(title, options) {
      window.__notifications.push({ title, body: options && options.body });
      super(title, options);
    }
  }
  Object.defineProperty(Recorded, 'permission', { get: () => Original.permission });
  Recorded.requestPermission = (...args) => Original.requestPermission(...args);
  window.Notification = Recorded;
})();`;

const notificationsOf = (page: Page) => page.evaluate<Array<{ title: string; body: string }>>('window.__notifications');
const mailboxOf = async (person: Person) => ((await (await fetch(`${web.origin}/dev/mailbox?to=${encodeURIComponent(person.email)}`)).json()) as { messages: unknown[] }).messages;
/** The room's button in the list says the partner is online (its accessible name: "<title>, online, …"). */
const shownOnline = (person: Person, title: string) =>
  person.page.getByRole('list', { name: 'Rooms' }).getByRole('button', { name: new RegExp(`^${title}\\s*,\\s*online`) });
const deliveryOf = (person: Person, body: string) => messageRows(person, body).locator('[data-delivery]').getAttribute('data-delivery');

/** Pictures are served by the test itself, under a host that does not exist outside this browser. */
const PICTURES = 'https://pictures.invalid/';
/** A 1×1 PNG. */
const PICTURE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
/** What the test reads of an `<img>` (its own TypeScript has no DOM types). */
interface PageImage {
  complete: boolean;
  naturalWidth: number;
}
/** A picture shown (loaded, not the initial fallback) from `url`. */
const shownPicture = async (picture: Locator, url: string) => {
  await picture.waitFor();
  await expect.poll(() => picture.evaluate((element: unknown) => (element as PageImage).complete && (element as PageImage).naturalWidth > 0)).toBe(true);
  expect(await picture.getAttribute('src')).toBe(url);
};
/** Changes the database of the launched platform behind the app's back (what time would do). */
const inDatabase = async (sql: string, values: unknown[]) => {
  if (!web.platform) throw new Error('this step needs the platform started by the launcher, not PARLEY_WEB_E2E_URL');
  const client = new pg.Client({ connectionString: web.platform.databaseUrl });
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
};

beforeAll(async () => {
  web = await startWebPlatform('web_details');
  browser = await launchChromium();
  ana = await openPerson(browser, web.origin, unique('ana'), { permissions: ['notifications'] });
  await ana.context.addInitScript(RECORD_NOTIFICATIONS);
  ben = await openPerson(browser, web.origin, unique('ben'));
  // Cy reads German, in a time zone 14 hours ahead of UTC.
  cy = await openPerson(browser, web.origin, unique('cy'), { locale: 'de-DE', timezoneId: 'Pacific/Kiritimati' });
  for (const person of [ana, ben, cy]) await person.context.route(`${PICTURES}**`, (route) => route.fulfill({ contentType: 'image/png', body: PICTURE }));
}, 180_000);

stopAfterAll(() => browser, () => web);
screenshotFailures(() => [ana, ben, cy], 'failed-');

const problems = () => [ana, ben, cy].flatMap((person) => person?.problems ?? []);

describe('signing up', () => {
  it('mails no code until asked, and remembers "Later" across reloads and new tabs', async () => {
    const { page } = ana;
    await submitRegistration(ana);
    await page.getByRole('heading', { name: 'Confirm your email address' }).waitFor();
    await page.waitForTimeout(1_500);
    expect(await mailboxOf(ana)).toEqual([]);

    await page.getByRole('button', { name: 'Later' }).click();
    await page.getByRole('button', { name: 'New group' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'New group' }).waitFor();
    const secondTab = await ana.context.newPage();
    await secondTab.goto('/');
    await secondTab.getByRole('button', { name: 'New group' }).waitFor();
    expect(await secondTab.getByRole('heading', { name: 'Confirm your email address' }).count()).toBe(0);
    await secondTab.close();
    expect(await mailboxOf(ana)).toEqual([]);

    // Asked for from the banner: one code, and the address is confirmed with it.
    await page.getByRole('button', { name: 'Confirm it now' }).click();
    await page.getByRole('button', { name: 'Email me a code' }).click();
    const code = page.getByTestId('dev-mailbox-code');
    await code.waitFor({ timeout: 20_000 });
    expect(await mailboxOf(ana)).toHaveLength(1);
    await page.getByLabel('Verification code').fill((await code.textContent()) ?? '');
    await page.getByRole('button', { name: 'Confirm email' }).click();
    await page.getByRole('button', { name: 'New group' }).waitFor();
    expect(await page.getByText('Your email address is not confirmed yet.').count()).toBe(0);
  }, 60_000);

  it('says what is wrong in plain words, never the server’s developer text', async () => {
    const { page } = ben;
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill('not an address');
    await page.getByLabel('Username').fill('b');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Enter a valid email address, like name@example.com.').waitFor();
    await page.getByText('Use 3–32 characters: lowercase letters, digits, “_” and “.”.').waitFor();
    await page.getByText('Use at least 8 characters.').waitFor();

    // The server refuses an address that is taken.
    await page.getByLabel('Email').fill(ana.email);
    await page.getByLabel('Username').fill(ben.name);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').getByText('That email address or username is already taken.').waitFor();

    await page.getByLabel('Email').fill(ben.email);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByTestId('dev-mailbox-code').waitFor({ timeout: 20_000 });
    await page.getByLabel('Verification code').fill('000000');
    await page.getByRole('button', { name: 'Confirm email' }).click();
    await page.getByRole('alert').getByText(/^That code did not work/).waitFor();
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/attempt\(s\)|Too small|expected string|is incorrect/);
    await page.getByRole('button', { name: 'Use this code' }).click();
    await page.getByRole('button', { name: 'Confirm email' }).click();
    await page.getByRole('button', { name: 'New group' }).waitFor();
    await registerAndVerify(cy);
    await screenshot(ben, '11-plain-errors');
  }, 90_000);
});

describe('friends and presence', () => {
  it('tells the sender of a friend request when it is accepted', async () => {
    await befriend(ana, ben);
    await ana.page.getByTestId('notice').getByText(`${ben.name} accepted your friend request.`).waitFor();
  }, 60_000);

  it('shows a new chat partner’s presence at once, hides everyone’s while offline oneself, and comes back', async () => {
    // Cy is no friend of Ana: she learns of him only through the direct room he opens.
    await openDirect(cy, ana);
    await roomButton(ana, cy.name).waitFor();
    await shownOnline(ana, cy.name).waitFor();

    await ana.context.setOffline(true);
    await ana.page.getByTestId('connection-banner').getByText(/You are offline/).waitFor();
    await shownOnline(ana, cy.name).waitFor({ state: 'detached' });
    await ana.context.setOffline(false);
    await shownOnline(ana, cy.name).waitFor({ timeout: 30_000 });
  }, 90_000);
});

describe('read state', () => {
  it('marks read only what was on screen while the window had focus: opens at the first unread, offers "Jump to latest (n)"', async () => {
    await openDirect(ana, ben);
    // Ben has no room open while Ana writes 30 messages.
    for (let index = 1; index <= 30; index += 1) {
      await sendAcked(ana, `unread ${index}`);
      await ana.page.waitForTimeout(110);
    }
    await roomButton(ben, ana.name).getByTestId('unread-badge').getByText('30').waitFor();
    await roomButton(ben, ana.name).click();
    await ben.page.getByTestId('new-messages-line').waitFor();
    await messageRows(ben, 'unread 1').waitFor();
    // What Ben has not scrolled to is not read on Ana's side; what he saw is (Ana scrolls up to it).
    await ana.page.waitForTimeout(1_000);
    expect(await deliveryOf(ana, 'unread 30')).toBe('sent');
    await ana.page.getByRole('log', { name: 'Messages' }).evaluate((element) => element.scrollTo({ top: 0 }));
    await messageRows(ana, 'unread 1').locator('[data-delivery="read"]').waitFor();
    await ana.page.getByRole('log', { name: 'Messages' }).evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    const jump = ben.page.getByRole('button', { name: /^Jump to latest \(\d+\)$/ });
    await jump.waitFor();
    await screenshot(ben, '12-first-unread');
    await jump.click();
    await messageRows(ana, 'unread 30').locator('[data-delivery="read"]').waitFor();
    await roomButton(ben, ana.name).getByTestId('unread-badge').waitFor({ state: 'detached' });

    // A message arriving while Ben is scrolled up stays unread (one tick) until he scrolls down.
    await ben.page.getByRole('log', { name: 'Messages' }).evaluate((element) => element.scrollTo({ top: 0 }));
    await sendAcked(ana, 'while you were scrolled up');
    await ben.page.getByRole('button', { name: 'Jump to latest (1)' }).waitFor();
    await ana.page.waitForTimeout(1_000);
    expect(await deliveryOf(ana, 'while you were scrolled up')).toBe('sent');
    await ben.page.getByRole('button', { name: 'Jump to latest (1)' }).click();
    await messageRows(ana, 'while you were scrolled up').locator('[data-delivery="read"]').waitFor();

    // In view but without focus (another window in front): unread until the window has focus again.
    await ben.page.evaluate("window.dispatchEvent(new Event('blur'))");
    await sendAcked(ana, 'while you looked away');
    await messageRows(ben, 'while you looked away').waitFor();
    await ana.page.waitForTimeout(1_000);
    expect(await deliveryOf(ana, 'while you looked away')).toBe('sent');
    await ben.page.evaluate("window.dispatchEvent(new Event('focus'))");
    await messageRows(ana, 'while you looked away').locator('[data-delivery="read"]').waitFor();
    expect(problems()).toEqual([]);
  }, 120_000);
});

describe('offline', () => {
  it('queues messages written offline, keeps them across a reload, and sends them in order once back', async () => {
    await ben.context.setOffline(true);
    await ben.page.getByTestId('connection-banner').getByText(/You are offline/).waitFor();
    for (const body of ['queued one', 'queued two', 'queued three']) await send(ben, body);
    await messageRows(ben, 'queued three').locator('[data-delivery="queued"]').waitFor();
    await ben.page.close();
    await ben.context.setOffline(false);

    ben.page = await ben.context.newPage();
    ben.page.on('pageerror', (error) => ben.problems.push(`pageerror: ${error.message}`));
    await ben.page.goto('/');
    for (const body of ['queued one', 'queued two', 'queued three']) await messageRows(ana, body).waitFor({ timeout: 30_000 });
    const order = await ana.page.locator('article.message .message-body').allTextContents();
    const queued = order.filter((body) => body.startsWith('queued '));
    expect(queued).toEqual(['queued one', 'queued two', 'queued three']);
  }, 90_000);
});

describe('notifications', () => {
  it('notifies of messages in rooms out of view, never for a muted room, and counts unread in the title and favicon', async () => {
    // Ana is in her room with Cy; Ben writes in theirs.
    await roomButton(ana, cy.name).click();
    await ben.page.getByRole('list', { name: 'Rooms' }).waitFor();
    await roomButton(ben, ana.name).click();
    await sendAcked(ben, 'ping for ana');
    await expect.poll(() => notificationsOf(ana.page), { timeout: 10_000 }).toEqual([{ title: ben.name, body: 'ping for ana' }]);
    await expect.poll(() => ana.page.title()).toBe('(1) Parley');
    await expect.poll(() => ana.page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/png;base64,/);

    // Muted: counted in its room, not in the title, and silent.
    await roomButton(ana, ben.name).click();
    await ana.page.getByRole('button', { name: 'Mute', pressed: false }).click();
    await ana.page.getByRole('button', { name: 'Muted', pressed: true }).waitFor();
    await roomButton(ana, cy.name).click();
    await sendAcked(ben, 'muted ping');
    await roomButton(ana, ben.name).getByTestId('unread-badge').waitFor();
    await ana.page.waitForTimeout(1_000);
    expect(await notificationsOf(ana.page)).toHaveLength(1);
    await expect.poll(() => ana.page.title()).toBe('Parley');
    await expect.poll(() => ana.page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon.svg');
  }, 60_000);

  it('asks for permission only after the person sent a message, and remembers "Not now"', async () => {
    // Ben's browser has not been asked: no prompt on load.
    await ben.page.reload();
    await roomButton(ben, ana.name).click();
    const prompt = ben.page.getByRole('region', { name: 'Notifications' });
    await ben.page.waitForTimeout(500);
    expect(await prompt.count()).toBe(0);
    await sendAcked(ben, 'engaged now');
    await prompt.getByRole('button', { name: 'Turn on notifications' }).waitFor();
    await prompt.getByRole('button', { name: 'Not now' }).click();
    await prompt.waitFor({ state: 'detached' });
    await ben.page.reload();
    await roomButton(ben, ana.name).click();
    await sendAcked(ben, 'still engaged');
    await ben.page.waitForTimeout(500);
    expect(await prompt.count()).toBe(0);
  }, 60_000);
});

describe('dates, directions and the composer', () => {
  it('shows day separators, relative times and full dates in the person’s language and time zone, and text in its own direction', async () => {
    await roomButton(cy, ana.name).click();
    await roomButton(ana, cy.name).click();
    await sendAcked(ana, 'مرحبا يا سي، كيف حالك؟');
    const arabic = messageRows(cy, 'مرحبا يا سي، كيف حالك؟');
    await arabic.waitFor();
    expect(await arabic.locator('.message-body').evaluate((element) => element.ownerDocument.defaultView!.getComputedStyle(element).direction)).toBe('rtl');
    await cy.page.getByRole('separator', { name: 'Heute' }).waitFor();
    const title = await arabic.locator('time').getAttribute('title');
    const weekday = new Intl.DateTimeFormat('de-DE', { weekday: 'long', timeZone: 'Pacific/Kiritimati' }).format(new Date());
    expect(title).toContain(weekday);
    expect(await roomButton(cy, ana.name).locator('.room-time').textContent()).toMatch(/jetzt|vor \d+ (Sek|Min)/);

    await composer(cy).fill('שלום לכולם');
    expect(await composer(cy).evaluate((element) => element.ownerDocument.defaultView!.getComputedStyle(element).direction)).toBe('rtl');
    await composer(cy).fill('');
  }, 60_000);

  it('grows the composer with its text and keeps a draft per room across room switches and reloads', async () => {
    const box = composer(ana);
    const before = (await box.boundingBox())?.height ?? 0;
    await box.fill('line one\nline two\nline three\nline four');
    const after = (await box.boundingBox())?.height ?? 0;
    expect(after).toBeGreaterThan(before * 2);

    await roomButton(ana, ben.name).click();
    await composer(ana).fill('draft for Ben');
    await roomButton(ana, cy.name).click();
    expect(await composer(ana).inputValue()).toBe('line one\nline two\nline three\nline four');
    await roomButton(ana, ben.name).click();
    expect(await composer(ana).inputValue()).toBe('draft for Ben');
    await ana.page.reload();
    await composer(ana).waitFor();
    expect(await composer(ana).inputValue()).toBe('draft for Ben');
    await composer(ana).fill('');
    await roomButton(ana, cy.name).click();
    await composer(ana).fill('');
  }, 60_000);
});

describe('groups', () => {
  let invite: string;

  it('renames a group and sets its topic; everyone sees it, and the timeline says who did it', async () => {
    await ana.page.getByRole('button', { name: 'New group' }).click();
    const dialog = ana.page.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill('Planners');
    await dialog.getByRole('checkbox', { name: new RegExp(ben.name) }).check();
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await ana.page.getByRole('heading', { name: 'Planners', level: 2 }).waitFor();
    await roomButton(ben, 'Planners').click();

    await ana.page.getByRole('button', { name: 'Settings', exact: true }).click();
    const settings = ana.page.getByRole('dialog', { name: 'Group settings' });
    await settings.getByLabel('Name', { exact: true }).fill('Plan B');
    await settings.getByLabel('Topic', { exact: true }).fill('Weekly plans');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByText('Settings saved.').waitFor();

    // Invite links for this private group.
    await settings.getByLabel('Valid for').selectOption({ label: '1 day' });
    await settings.getByRole('button', { name: 'Create invite link' }).click();
    invite = (await settings.getByTestId('invite-link').inputValue()) ?? '';
    expect(invite).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
    await screenshot(ana, '13-room-settings');
    await closeDialog(ana);

    await ben.page.getByRole('heading', { name: 'Plan B', level: 2 }).waitFor();
    await ben.page.getByText(`${ana.name} renamed the group to “Plan B”`).waitFor();
    await ben.page.getByText(`${ana.name} set the topic to “Weekly plans”`).waitFor();
    await ana.page.getByText('You renamed the group to “Plan B”').waitFor();
  }, 60_000);

  it('sets the group’s picture: the room list and header show it, to the owner and to the other members', async () => {
    const url = `${PICTURES}plan-b.png`;
    await ana.page.getByRole('button', { name: 'Settings', exact: true }).click();
    const settings = ana.page.getByRole('dialog', { name: 'Group settings' });
    await settings.getByLabel('Picture URL').fill('pictures.invalid/plain.png');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByText('Enter a web address starting with https://, or leave it empty.').waitFor();
    await settings.getByLabel('Picture URL').fill(url);
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByText('Settings saved.').waitFor();
    await closeDialog(ana);

    for (const person of [ana, ben]) {
      await shownPicture(roomButton(person, 'Plan B').locator('img.avatar'), url);
      await shownPicture(person.page.locator('.room-header img.avatar'), url);
    }
    await ben.page.reload();
    await shownPicture(roomButton(ben, 'Plan B').locator('img.avatar'), url);
  }, 60_000);

  it('lets someone with an invite link join; owners make admins; removal asks first and tells the one removed; all of it survives a reload', async () => {
    await cy.page.goto(invite);
    const invitation = cy.page.getByRole('dialog', { name: 'Invitation' });
    await invitation.getByRole('button', { name: 'Join Plan B' }).click();
    await cy.page.getByRole('heading', { name: 'Plan B', level: 2 }).waitFor();
    await ana.page.getByText(`${cy.name} joined`).waitFor();

    await ana.page.getByRole('button', { name: 'Members', exact: true }).click();
    const members = ana.page.getByRole('dialog', { name: 'Members of Plan B' });
    await members.getByRole('button', { name: `Make admin: ${ben.name}` }).click();
    await members.getByRole('button', { name: `Remove admin rights of ${ben.name}` }).waitFor();
    await ben.page.getByText(`${ana.name} made you an admin`).waitFor();

    // Remove asks first: Cancel keeps Cy in.
    await members.getByRole('button', { name: `Remove ${cy.name}` }).click();
    const confirm = ana.page.getByRole('alertdialog', { name: `Remove ${cy.name}?` });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    await members.getByRole('button', { name: `Remove ${cy.name}` }).click();
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await confirm.waitFor({ state: 'detached' });
    await cy.page.getByTestId('notice').getByText(`You were removed from “Plan B” by ${ana.name}.`).waitFor();
    await roomButton(cy, 'Plan B').waitFor({ state: 'detached' });
    await closeDialog(ana);
    await ana.page.getByText(`You removed ${cy.name}`).waitFor();

    await ana.page.reload();
    await ana.page.getByText(`${cy.name} joined`).waitFor();
    await ana.page.getByText(`You removed ${cy.name}`).waitFor();
    await ana.page.getByText(`You made ${ben.name} an admin`).waitFor();
    await screenshot(ana, '14-room-timeline');
  }, 60_000);

  it('stops a revoked invite link from working, and asks before leaving', async () => {
    await ana.page.getByRole('button', { name: 'Settings', exact: true }).click();
    const settings = ana.page.getByRole('dialog', { name: 'Group settings' });
    await settings.getByRole('list', { name: 'Invite links' }).getByRole('button', { name: 'Revoke' }).click();
    await settings.getByRole('list', { name: 'Invite links' }).getByText('revoked').waitFor();
    await closeDialog(ana);
    await cy.page.goto(invite);
    await cy.page.getByRole('dialog', { name: 'Invitation' }).getByText(/does not work any more: it expired or was revoked/).waitFor();
    await closeDialog(cy);

    await ben.page.getByRole('button', { name: 'Members', exact: true }).click();
    await ben.page.getByRole('button', { name: 'Leave this group' }).click();
    await ben.page.getByRole('alertdialog', { name: 'Leave Plan B?' }).getByRole('button', { name: 'Leave' }).click();
    await ben.page.getByRole('alertdialog').waitFor({ state: 'detached' });
    await roomButton(ben, 'Plan B').waitFor({ state: 'detached' });
    await ana.page.getByText(`${ben.name} left`).waitFor();
  }, 60_000);

  it('stops an expired invite link from working: the one who opens it is told and does not join; the owner sees it as expired', async () => {
    await ana.page.getByRole('button', { name: 'Settings', exact: true }).click();
    const settings = ana.page.getByRole('dialog', { name: 'Group settings' });
    await settings.getByLabel('Valid for').selectOption({ label: '1 hour' });
    await settings.getByRole('button', { name: 'Create invite link' }).click();
    const expiring = await settings.getByTestId('invite-link').inputValue();
    expect(expiring).not.toBe(invite);
    await settings.getByRole('list', { name: 'Invite links' }).getByRole('button', { name: 'Revoke' }).waitFor();
    await closeDialog(ana);
    // An hour later: the link's expiry moved into the past.
    const moved = await inDatabase(`UPDATE chat.room_invites SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL AND expires_at > now()`, []);
    expect(moved.rowCount).toBe(1);

    await cy.page.goto(expiring);
    const invitation = cy.page.getByRole('dialog', { name: 'Invitation' });
    await invitation.getByText(/does not work any more: it expired or was revoked/).waitFor();
    expect(await invitation.getByRole('button', { name: /^Join/ }).count()).toBe(0);
    await closeDialog(cy);
    await cy.page.reload();
    await roomButton(cy, ana.name).waitFor();
    expect(await roomButton(cy, 'Plan B').count()).toBe(0);

    await ana.page.getByRole('button', { name: 'Settings', exact: true }).click();
    const links = ana.page.getByRole('dialog', { name: 'Group settings' }).getByRole('list', { name: 'Invite links' });
    await links.getByText('expired', { exact: true }).waitFor();
    await links.getByText('revoked', { exact: true }).waitFor();
    expect(await links.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    await closeDialog(ana);
  }, 60_000);
});

describe('people', () => {
  it('shows a profile card with the bio and picture set in the profile', async () => {
    await ana.page.getByRole('button', { name: 'Profile' }).click();
    const profile = ana.page.getByRole('dialog', { name: 'Your profile' });
    await profile.getByLabel('Bio').fill('Plans things. Likes maps.');
    await profile.getByLabel('Avatar URL').fill(`${PICTURES}ana.png`);
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await profile.getByText('Profile saved.').waitFor();
    await closeDialog(ana);

    await roomButton(cy, ana.name).click();
    await cy.page.getByRole('button', { name: 'Details' }).click();
    const card = cy.page.getByRole('dialog', { name: ana.name });
    await card.getByText('Plans things. Likes maps.').waitFor();
    await card.getByText(`@${ana.name}`).waitFor();
    await shownPicture(card.locator('img.avatar'), `${PICTURES}ana.png`);
    expect(await card.locator('span.avatar').count()).toBe(0);
    await closeDialog(cy);
  }, 60_000);

  it('asks before unfriending and blocking; a blocked person no longer sees you online', async () => {
    const people = await openPeople(ana);
    await people.getByRole('list', { name: 'Friends' }).getByRole('button', { name: `Unfriend: ${ben.name}` }).click();
    const unfriend = ana.page.getByRole('alertdialog', { name: `Unfriend ${ben.name}?` });
    await unfriend.getByRole('button', { name: 'Cancel' }).click();
    await people.getByRole('list', { name: 'Friends' }).getByRole('button', { name: `Unfriend: ${ben.name}` }).waitFor();

    await roomButton(ben, ana.name).waitFor();
    await shownOnline(ben, ana.name).waitFor();
    await people.getByRole('list', { name: 'Friends' }).getByRole('button', { name: `Block: ${ben.name}` }).click();
    await ana.page.getByRole('alertdialog', { name: `Block ${ben.name}?` }).getByRole('button', { name: 'Block' }).click();
    await ana.page.getByRole('alertdialog').waitFor({ state: 'detached' });
    await people.getByRole('list', { name: 'Blocked people' }).getByRole('button', { name: `Unblock: ${ben.name}` }).waitFor();
    await closeDialog(ana);
    await shownOnline(ben, ana.name).waitFor({ state: 'detached' });
    await roomButton(ben, ana.name).waitFor();
    expect(problems()).toEqual([]);
  }, 60_000);
});

describe('room list', () => {
  /** The focused element's outline box (border box grown by outline width + offset) and the clip box (padding box) of the scrolling list around it. */
  const FOCUS_GEOMETRY = `(() => {
    const button = document.activeElement;
    const list = button.closest('.room-list');
    const style = getComputedStyle(button);
    const grow = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
    const box = button.getBoundingClientRect();
    const frame = list.getBoundingClientRect();
    const clipLeft = frame.left + list.clientLeft;
    const clipTop = frame.top + list.clientTop;
    return {
      focusVisible: button.matches(':focus-visible'),
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth),
      clipsOverflow: getComputedStyle(list).overflowY !== 'visible',
      outline: { left: box.left - grow, top: box.top - grow, right: box.right + grow, bottom: box.bottom + grow },
      clip: { left: clipLeft, top: clipTop, right: clipLeft + list.clientWidth, bottom: clipTop + list.clientHeight },
    };
  })()`;
  interface Box {
    left: number;
    top: number;
    right: number;
    bottom: number;
  }

  it('draws the keyboard focus ring of a room whole, not cut off by the scrolling list', async () => {
    const { page } = ana;
    await page.getByRole('button', { name: 'New group' }).focus();
    const onRoom = () => page.evaluate<boolean>(`document.activeElement?.classList.contains('room-item') === true`);
    for (let presses = 0; presses < 6 && !(await onRoom()); presses++) await page.keyboard.press('Tab');
    expect(await onRoom()).toBe(true);

    const geometry = await page.evaluate<{ focusVisible: boolean; outlineStyle: string; outlineWidth: number; clipsOverflow: boolean; outline: Box; clip: Box }>(FOCUS_GEOMETRY);
    expect(geometry).toMatchObject({ focusVisible: true, outlineStyle: 'solid', clipsOverflow: true });
    expect(geometry.outlineWidth).toBeGreaterThanOrEqual(2);
    expect(geometry.outline.left).toBeGreaterThanOrEqual(geometry.clip.left);
    expect(geometry.outline.top).toBeGreaterThanOrEqual(geometry.clip.top);
    expect(geometry.outline.right).toBeLessThanOrEqual(geometry.clip.right);
    expect(geometry.outline.bottom).toBeLessThanOrEqual(geometry.clip.bottom);
  }, 30_000);
});
