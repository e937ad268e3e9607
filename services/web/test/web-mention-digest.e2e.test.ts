import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { closeDialog, createPublicGroup, joinPublicGroup, launchChromium, messageRows, openPerson, registerAndVerify, registerLater, sendAcked, type Person } from './support/browser-session.js';
import { EXTERNAL_URL, startWebPlatform, type WebPlatform } from './support/web-platform.js';
import { screenshotFailures, stopAfterAll } from './support/test-teardown.js';

/**
 * Mentions missed while away arrive by email: the whole platform as `npm start` runs it (the
 * launcher wires the worker to the user service), real Chromium, the dev mailbox. Ben confirmed
 * his address and stays on the default (mention emails on); Cy turns them off in the profile
 * dialog; Dee has not confirmed her address yet. All three leave, Ana mentions them.
 */

const WINDOW_SECONDS = '2';
let web: WebPlatform;
let browser: Browser;
let ana: Person;
let ben: Person;
let cy: Person;
let dee: Person;
const unique = (base: string) => `${base}_${Math.random().toString(36).slice(2, 7)}`;
const room = `Lunch crew ${Math.random().toString(36).slice(2, 6)}`;

interface MailboxEntry {
  kind: string;
  subject: string;
  text: string;
  html?: string;
}
const mailboxOf = async (person: Person): Promise<MailboxEntry[]> =>
  ((await (await fetch(`${web.origin}/dev/mailbox?to=${encodeURIComponent(person.email)}`)).json()) as { messages: MailboxEntry[] }).messages;

async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  // LOG_LEVEL info: the worker logs each closed digest window, which is how the test knows Cy's closed.
  web = await startWebPlatform('web_digest', { MENTION_DIGEST_WINDOW_SECONDS: WINDOW_SECONDS, LOG_LEVEL: 'info' });
  browser = await launchChromium();
  ana = await openPerson(browser, web.origin, unique('ana'));
  ben = await openPerson(browser, web.origin, unique('ben'));
  cy = await openPerson(browser, web.origin, unique('cy'));
  dee = await openPerson(browser, web.origin, unique('dee'));
  // Only a confirmed address gets digests.
  await registerAndVerify(ben);
  for (const person of [ana, cy, dee]) await registerLater(person);
}, 180_000);

stopAfterAll(() => browser, () => web);
screenshotFailures(() => [ana, ben, cy, dee], 'failed-digest-');

describe('mention digest by email', () => {
  it('lets a user turn mention emails off in the profile, and keeps the choice', async () => {
    await cy.page.getByRole('button', { name: 'Profile' }).click();
    const profile = cy.page.getByRole('dialog', { name: 'Your profile' });
    const toggle = profile.getByLabel('Email me a digest of mentions I miss while offline');
    // Enabled once the profile is loaded; on by default.
    await expect.poll(() => toggle.isEnabled()).toBe(true);
    expect(await toggle.isChecked()).toBe(true);
    await toggle.uncheck();
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await profile.getByText('Profile saved.').waitFor();
    await closeDialog(cy);

    await cy.page.reload();
    await cy.page.getByRole('button', { name: 'Profile' }).click();
    const reopened = cy.page.getByRole('dialog', { name: 'Your profile' });
    const again = reopened.getByLabel('Email me a digest of mentions I miss while offline');
    await expect.poll(() => again.isEnabled()).toBe(true);
    expect(await again.isChecked()).toBe(false);
    await closeDialog(cy);
  }, 60_000);

  // Reads the launched platform's logs and needs its short digest window: not against an external one.
  it.skipIf(EXTERNAL_URL !== undefined)('mails a member who is away one digest of the mention, nothing to the one who turned it off, nothing to an unconfirmed address', async () => {
    await createPublicGroup(ana, room);
    for (const person of [ben, cy, dee]) {
      await joinPublicGroup(person, room);
    }
    await sendAcked(ana, 'welcome, all of you');
    await messageRows(ben, 'welcome, all of you').waitFor();

    // Ben, Cy and Dee leave (Dee keeps her session for later); Ana sees them go.
    for (const person of [ben, cy, dee]) await person.page.close();
    await ana.page.getByText('4 members, 1 online').waitFor({ timeout: 30_000 });

    await sendAcked(ana, `@${ben.name} @${cy.name} @${dee.name} lunch at <noon>?`);

    const digest = await eventually(async () => (await mailboxOf(ben)).find((mail) => mail.kind === 'mention-digest'), 'Ben’s digest');
    expect(digest.subject).toBe('You were mentioned on Parley');
    expect(digest.html).toBeUndefined();
    expect(digest.text).toContain(`${ana.name} in #${room}`);
    expect(digest.text).toContain(`"@${ben.name} @${cy.name} @${dee.name} lunch at <noon>?"`);
    expect(digest.text).toMatch(new RegExp(`${web.origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/rooms/[0-9a-f-]{36}`));

    await eventually(async () => (web.platform!.output.some((line) => line.includes('"outcome":"skipped_opted_out"')) ? true : undefined), 'Cy’s window to close');
    await eventually(async () => (web.platform!.output.some((line) => line.includes('"outcome":"skipped_unconfirmed_address"')) ? true : undefined), 'Dee’s window to close');
    expect(await mailboxOf(cy)).toEqual([]);
    expect(await mailboxOf(dee)).toEqual([]);
    expect((await mailboxOf(ben)).filter((mail) => mail.kind === 'mention-digest')).toHaveLength(1);
  }, 120_000);

  it.skipIf(EXTERNAL_URL !== undefined)('mails the next digest once the address is confirmed', async () => {
    // Dee comes back in a new tab of her session and confirms her address from the banner.
    dee.page = await dee.context.newPage();
    await dee.page.goto('/');
    await dee.page.getByRole('button', { name: 'Confirm it now' }).click();
    await dee.page.getByRole('button', { name: 'Email me a code' }).click();
    const code = dee.page.getByTestId('dev-mailbox-code');
    await code.waitFor({ timeout: 20_000 });
    await dee.page.getByLabel('Verification code').fill((await code.textContent()) ?? '');
    await dee.page.getByRole('button', { name: 'Confirm email' }).click();
    await dee.page.getByRole('button', { name: 'New group' }).waitFor();
    // Seen back and gone again, so the mention below finds her away.
    await ana.page.getByText('4 members, 2 online').waitFor({ timeout: 30_000 });
    await dee.page.close();
    await ana.page.getByText('4 members, 1 online').waitFor({ timeout: 30_000 });

    await sendAcked(ana, `@${dee.name} are you in?`);

    const digest = await eventually(async () => (await mailboxOf(dee)).find((mail) => mail.kind === 'mention-digest'), 'Dee’s digest');
    expect(digest.text).toContain(`"@${dee.name} are you in?"`);
    // The mention of the window that closed before she confirmed is not mailed late.
    expect(digest.text).not.toContain('lunch at <noon>');
    expect((await mailboxOf(dee)).filter((mail) => mail.kind === 'mention-digest')).toHaveLength(1);
  }, 90_000);
});
