import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { closeDialog, createPublicGroup, joinPublicGroup, launchChromium, messageRows, openPerson, registerLater, screenshot, sendAcked, type Person } from './support/browser-session.js';
import { startWebPlatform, type WebPlatform } from './support/web-platform.js';
import { screenshotFailures, stopAfterAll } from './support/test-teardown.js';

/**
 * Account settings in the web client: change the password, see and end sessions ("sign out"
 * one, "sign out everywhere"), delete the account. Real Chromium against the platform started
 * by the launcher: Ana in two browsers (two sessions), Ben sharing a room with her.
 */

const FIRST_PASSWORD = 'correct horse battery';
const SECOND_PASSWORD = 'a brand new passphrase';
let web: WebPlatform;
let browser: Browser;
let ana: Person;
let anaLaptop: Person;
let ben: Person;
const room = `Open house ${Math.random().toString(36).slice(2, 6)}`;

const signInHeading = (page: Page) => page.getByRole('heading', { name: 'Sign in to Parley' });

async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const later = page.getByRole('button', { name: 'Later' });
  const chat = page.getByRole('button', { name: 'New group' });
  await later.or(chat).waitFor();
  if (await later.isVisible()) await later.click();
  await chat.waitFor();
}

async function openAccount(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Account settings' });
  await dialog.getByRole('list', { name: 'Sessions' }).waitFor();
  return dialog;
}

beforeAll(async () => {
  web = await startWebPlatform('web_account');
  browser = await launchChromium();
  ana = await openPerson(browser, web.origin, `ana_${Math.random().toString(36).slice(2, 7)}`);
  ben = await openPerson(browser, web.origin, `ben_${Math.random().toString(36).slice(2, 7)}`);
  await registerLater(ana);
  await registerLater(ben);
  await createPublicGroup(ana, room);
  await joinPublicGroup(ben, room);
  await sendAcked(ana, 'a message that outlives its account');
  await messageRows(ben, 'a message that outlives its account').waitFor();
  anaLaptop = await openPerson(browser, web.origin, `${ana.name}-laptop`);
  await signIn(anaLaptop.page, ana.name, FIRST_PASSWORD);
}, 240_000);

stopAfterAll(() => browser, () => web);
screenshotFailures(() => [ana, anaLaptop, ben], 'failed-account-', 20);

describe('account settings', () => {
  it('lists the sessions, marks this one, and starts with focus in the first field', async () => {
    const dialog = await openAccount(ana.page);
    expect(await ana.page.evaluate<string | null>("document.activeElement?.getAttribute('name') ?? null")).toBe('currentPassword');
    const sessions = dialog.getByRole('list', { name: 'Sessions' }).getByRole('listitem');
    await expect.poll(() => sessions.count()).toBe(2);
    await expect.poll(() => dialog.getByText('This session').count()).toBe(1);
    await expect.poll(() => dialog.getByRole('button', { name: /^Sign out: Chrome on Linux/ }).count()).toBe(1);
    await screenshot(ana, 'account-settings');
    await closeDialog(ana);
  });

  it('changes the password: a wrong current one is said beside the field; the other session returns to sign-in saying why, this one stays', async () => {
    const dialog = await openAccount(ana.page);
    await dialog.getByLabel('Current password').fill('not my password');
    await dialog.getByLabel('New password', { exact: true }).fill(SECOND_PASSWORD);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByText('That password is not right.').waitFor();
    expect(await dialog.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');

    await dialog.getByLabel('Current password').fill(FIRST_PASSWORD);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByText('Password changed. Your other sessions were signed out.').waitFor();
    await closeDialog(ana);

    await signInHeading(anaLaptop.page).waitFor();
    await anaLaptop.page.getByText('Your password was changed. Sign in with the new password.').waitFor();
    await sendAcked(ana, 'still signed in here');
  });

  it('signs one other session out: that browser returns to sign-in, this one stays', async () => {
    await signIn(anaLaptop.page, ana.name, SECOND_PASSWORD);
    const dialog = await openAccount(ana.page);
    await dialog.getByRole('button', { name: /^Sign out: / }).click();
    await dialog.getByText(/^Signed out: /).waitFor();
    await expect.poll(() => dialog.getByRole('list', { name: 'Sessions' }).getByRole('listitem').count()).toBe(1);
    await closeDialog(ana);

    await signInHeading(anaLaptop.page).waitFor();
    await anaLaptop.page.getByText('This session was signed out from another device.').waitFor();
    await sendAcked(ana, 'and still here');
  });

  it('"sign out everywhere" asks first, then returns every session to sign-in', async () => {
    await signIn(anaLaptop.page, ana.name, SECOND_PASSWORD);
    const dialog = await openAccount(ana.page);
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    const confirm = ana.page.getByRole('alertdialog', { name: 'Sign out everywhere?' });
    // Focus starts on Cancel: Enter alone never confirms.
    expect(await ana.page.evaluate<string | null>('document.activeElement?.textContent ?? null')).toBe('Cancel');
    await confirm.getByRole('button', { name: 'Sign out everywhere' }).click();

    for (const page of [ana.page, anaLaptop.page]) {
      await signInHeading(page).waitFor();
      await page.getByText('You were signed out everywhere.').waitFor();
    }
  });

  it('deletes the account after the password and a confirmation: signed out at once, can no longer sign in, messages stay from "Deleted user"', async () => {
    await signIn(ana.page, ana.name, SECOND_PASSWORD);
    await signIn(anaLaptop.page, ana.name, SECOND_PASSWORD);
    let dialog = await openAccount(ana.page);
    await dialog.getByLabel('Password to confirm').fill('not my password');
    await dialog.getByRole('button', { name: 'Delete account…' }).click();
    let confirm = ana.page.getByRole('alertdialog', { name: 'Delete your account?' });
    await confirm.getByRole('button', { name: 'Delete my account' }).click();
    await confirm.getByText('That password is not right. Nothing was deleted.').waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();

    await dialog.getByLabel('Password to confirm').fill(SECOND_PASSWORD);
    await dialog.getByRole('button', { name: 'Delete account…' }).click();
    confirm = ana.page.getByRole('alertdialog', { name: 'Delete your account?' });
    await confirm.getByRole('button', { name: 'Delete my account' }).click();
    await signInHeading(ana.page).waitFor();
    await ana.page.getByText('Your account was deleted.').waitFor();
    // The other browser is told the same, by the server.
    await signInHeading(anaLaptop.page).waitFor();
    await anaLaptop.page.getByText('Your account was deleted.').waitFor();

    await ana.page.getByLabel('Username or email').fill(ana.name);
    await ana.page.getByLabel('Password').fill(SECOND_PASSWORD);
    await ana.page.getByRole('button', { name: 'Sign in' }).click();
    await ana.page.getByText('Wrong username, email or password.').waitFor();

    // Ben keeps the conversation; its sender has no profile any more.
    await expect
      .poll(async () => {
        await ben.page.reload();
        await ben.page.getByRole('heading', { name: room, level: 2 }).waitFor();
        return messageRows(ben, 'a message that outlives its account').getByText('Deleted user').count();
      }, { timeout: 30_000 })
      .toBeGreaterThan(0);
    dialog = ben.page.getByRole('dialog');
    expect(await dialog.count()).toBe(0);
    expect([...ana.problems, ...ben.problems]).toEqual([]);
  }, 90_000);
});
