import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { composer, launchChromium, openPerson, registerLater, sendAcked, type Person } from './support/browser-session.js';
import { seriousAxeViolations } from './support/axe.js';
import { startWebPlatform, type WebPlatform } from './support/web-platform.js';
import { screenshotFailures, stopAfterAll } from './support/test-teardown.js';

/**
 * Signing out reaches every open tab: the tabs of the session that ended (and, after "sign out
 * everywhere", every session of the person) return to the sign-in page at once, saying why,
 * and can no longer send. Real Chromium against the platform started by the launcher: two tabs
 * of one browser (one session, a shared cookie) and a second browser (another session).
 */

const PASSWORD = 'correct horse battery';
let web: WebPlatform;
let browser: Browser;
/** First browser, first tab. */
let ana: Person;
/** First browser, second tab (same session). */
let anaTab: Page;
/** A second browser of the same person (a session of its own). */
let anaLaptop: Person;
const room = `Plans ${Math.random().toString(36).slice(2, 6)}`;

const signInHeading = (page: Page) => page.getByRole('heading', { name: 'Sign in to Parley' });

async function signIn(page: Page, login: string): Promise<void> {
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // A browser that never said "Later" to the email confirmation is asked first.
  const later = page.getByRole('button', { name: 'Later' });
  const chat = page.getByRole('button', { name: 'New group' });
  await later.or(chat).waitFor();
  if (await later.isVisible()) await later.click();
  await chat.waitFor();
}

async function openRoom(page: Page): Promise<void> {
  await page.getByRole('list', { name: 'Rooms' }).getByRole('button', { name: new RegExp(`^${room}`) }).click();
  await page.getByRole('heading', { name: room, level: 2 }).waitFor();
}

beforeAll(async () => {
  web = await startWebPlatform('web_sign_out');
  browser = await launchChromium();
  ana = await openPerson(browser, web.origin, `ana_${Math.random().toString(36).slice(2, 7)}`);
  await registerLater(ana);
  await ana.page.getByRole('button', { name: 'New group' }).click();
  const dialog = ana.page.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Group name').fill(room);
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await ana.page.getByRole('heading', { name: room, level: 2 }).waitFor();
  anaTab = await ana.context.newPage();
  await anaTab.goto('/');
  await openRoom(anaTab);
  anaLaptop = await openPerson(browser, web.origin, `${ana.name}-laptop`);
  await signIn(anaLaptop.page, ana.name);
  await openRoom(anaLaptop.page);
}, 240_000);

stopAfterAll(() => browser, () => web);
screenshotFailures(() => [ana, anaLaptop], 'failed-sign-out-', 20);

describe('signing out reaches every tab', () => {
  it('logging out in one tab returns the other tab of the session to sign-in with the reason; the other browser stays signed in', async () => {
    await ana.page.getByRole('button', { name: 'Log out' }).click();
    await signInHeading(ana.page).waitFor();
    await ana.page.getByText('You signed out.', { exact: true }).waitFor();

    // The other tab did nothing: it is told, and its composer is gone.
    await signInHeading(anaTab).waitFor();
    await anaTab.getByText('You signed out in another tab.').waitFor();
    // The reason is read out and meets contrast, in both themes.
    for (const colorScheme of ['light', 'dark'] as const) {
      await anaTab.emulateMedia({ colorScheme });
      expect(await seriousAxeViolations(anaTab)).toEqual([]);
    }
    expect(await composer({ ...ana, page: anaTab }).count()).toBe(0);

    // A reload does not bring the session back: it is over on the server.
    await anaTab.reload();
    await signInHeading(anaTab).waitFor();

    // The second browser is another session: still signed in, still sending.
    await sendAcked(anaLaptop, 'still here');
  });

  it('"sign out everywhere" returns every tab of every session to sign-in, and none can send', async () => {
    await signIn(ana.page, ana.email);
    await anaTab.reload();
    await anaTab.getByRole('button', { name: 'New group' }).waitFor();
    await openRoom(anaTab);

    // From a third place (a script, say): the REST call that "Sign out everywhere" makes.
    const login = await fetch(`${web.origin}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: ana.name, password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const ended = await fetch(`${web.origin}/api/v1/auth/logout-all`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: '{}',
    });
    expect(ended.status).toBe(204);

    for (const page of [ana.page, anaTab, anaLaptop.page]) {
      await signInHeading(page).waitFor();
      await page.getByText('You were signed out everywhere.').waitFor();
      expect(await page.getByRole('textbox', { name: /^Message / }).count()).toBe(0);
    }
    expect([...ana.problems, ...anaLaptop.problems]).toEqual([]);
  });

  it('a password reset elsewhere returns every tab to sign-in saying the password was reset', async () => {
    await signIn(ana.page, ana.name);
    await anaTab.reload();
    await anaTab.getByRole('button', { name: 'New group' }).waitFor();
    await signIn(anaLaptop.page, ana.name);
    await openRoom(anaLaptop.page);

    const post = (path: string, body: unknown) =>
      fetch(`${web.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/api/v1/auth/password/reset/request', { email: ana.email })).status).toBe(202);
    let code: string | undefined;
    for (let tries = 0; !code && tries < 100; tries += 1) {
      const mailbox = (await (await fetch(`${web.origin}/dev/mailbox?to=${encodeURIComponent(ana.email)}`)).json()) as { messages: Array<{ text: string; subject: string }> };
      code = mailbox.messages.filter((mail) => /reset/i.test(mail.subject)).map((mail) => /\b(\d{6})\b/.exec(mail.text)?.[1])[0];
      if (!code) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await post('/api/v1/auth/password/reset/confirm', { email: ana.email, code, newPassword: 'a brand new passphrase' })).status).toBe(204);

    for (const page of [ana.page, anaTab, anaLaptop.page]) {
      await signInHeading(page).waitFor();
      await page.getByText(/Your password was reset/).waitFor();
      expect(await page.getByRole('textbox', { name: /^Message / }).count()).toBe(0);
    }
  });
});
