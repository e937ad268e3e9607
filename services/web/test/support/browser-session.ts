import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); playwright-core ships no browser of its own. */
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

/** The flags a closed-network CI machine needs (no background calls home, no sandbox as root). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/web-e2e/', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface Person {
  name: string;
  email: string;
  context: BrowserContext;
  page: Page;
  /** Browser console errors and page errors, shown when a step fails. */
  problems: string[];
}

export interface PersonOptions {
  viewport?: { width: number; height: number };
  locale?: string;
  timezoneId?: string;
  colorScheme?: 'light' | 'dark';
  /** Browser permissions granted up front (e.g. `notifications`). */
  permissions?: string[];
  /** A phone: touch events, mobile viewport rules (no hover). */
  touch?: boolean;
}

export async function openPerson(browser: Browser, baseUrl: string, name: string, options: PersonOptions | { width: number; height: number } = {}): Promise<Person> {
  const settings: PersonOptions = 'width' in options ? { viewport: options } : options;
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: settings.viewport ?? { width: 1100, height: 760 },
    ...(settings.locale ? { locale: settings.locale } : {}),
    ...(settings.timezoneId ? { timezoneId: settings.timezoneId } : {}),
    ...(settings.colorScheme ? { colorScheme: settings.colorScheme } : {}),
    ...(settings.permissions ? { permissions: settings.permissions } : {}),
    ...(settings.touch ? { hasTouch: true, isMobile: true } : {}),
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto('/');
  return { name, email: `${name}@example.com`, context, page, problems };
}

export async function screenshot(person: Person, step: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await person.page.screenshot({ path: join(ARTIFACTS, `${step}-${person.name.split('_')[0]}.png`) });
}

/** Opens the registration form and submits the person's details. */
export async function submitRegistration(person: Person): Promise<void> {
  const { page } = person;
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Username').fill(person.name);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** Registers in the UI and confirms the email address with the code from the local dev mailbox. */
export async function registerAndVerify(person: Person): Promise<void> {
  const { page } = person;
  await submitRegistration(person);
  await page.getByRole('heading', { name: 'Confirm your email address' }).waitFor();
  // No code is mailed until asked for.
  await page.getByRole('button', { name: 'Email me a code' }).click();
  const code = page.getByTestId('dev-mailbox-code');
  await code.waitFor({ timeout: 20_000 });
  await page.getByLabel('Verification code').fill((await code.textContent()) ?? '');
  await page.getByRole('button', { name: 'Confirm email' }).click();
  await page.getByRole('button', { name: 'New group' }).waitFor();
}

export async function openPeople(person: Person): Promise<Locator> {
  await person.page.getByRole('button', { name: /^People/ }).click();
  return person.page.getByRole('dialog', { name: 'People' });
}

export async function closeDialog(person: Person): Promise<void> {
  await person.page.keyboard.press('Escape');
  await person.page.getByRole('dialog').waitFor({ state: 'detached' });
}

/** Sends a friend request from `from` to `to` (found by username) and accepts it as `to`. */
export async function befriend(from: Person, to: Person): Promise<void> {
  const people = await openPeople(from);
  await people.getByLabel('Username, name or email').fill(to.name);
  await people.getByRole('button', { name: 'Search' }).click();
  await people.getByRole('button', { name: `Add friend: ${to.name}` }).click();
  await people.getByText('waiting for an answer').waitFor();
  await closeDialog(from);

  const incoming = await openPeople(to);
  await incoming.getByRole('button', { name: `Accept: ${from.name}` }).click();
  await incoming.getByRole('list', { name: 'Friends' }).getByRole('button', { name: `Message: ${from.name}` }).waitFor();
  await closeDialog(to);
}

export function roomButton(person: Person, title: string): Locator {
  return person.page.getByRole('list', { name: 'Rooms' }).getByRole('button', { name: new RegExp(`^${title}`) });
}

export function composer(person: Person): Locator {
  return person.page.getByRole('textbox', { name: /^Message / });
}

/** Registers without confirming the email address ("Later"). */
export async function registerLater(person: Person): Promise<void> {
  const { page } = person;
  await submitRegistration(person);
  await page.getByRole('button', { name: 'Later' }).click();
  await page.getByRole('button', { name: 'New group' }).waitFor();
}

/** Opens (or creates) the direct room with `other` from the People dialog. */
export async function openDirect(person: Person, other: Person): Promise<void> {
  const people = await openPeople(person);
  await people.getByLabel('Username, name or email').fill(other.name);
  await people.getByRole('button', { name: 'Search' }).click();
  await people.getByRole('button', { name: `Message: ${other.name}` }).first().click();
  await person.page.getByRole('heading', { name: other.name, level: 2 }).waitFor();
}

/** Sends and waits for the server's acknowledgement. */
export async function sendAcked(person: Person, body: string): Promise<void> {
  await send(person, body);
  await messageRows(person, body).locator('[data-delivery="sent"], [data-delivery="read"]').waitFor();
}

export async function send(person: Person, body: string): Promise<void> {
  await composer(person).fill(body);
  await composer(person).press('Enter');
}

/** The message bubbles (rendered rows of the virtualized list) whose text is exactly `body`. */
export function messageRows(person: Person, body: string): Locator {
  return person.page.locator('article.message').filter({ has: person.page.getByText(body, { exact: true }) });
}

/** A public group `title`, made by `person` in the New group dialog and open in their window. */
export async function createPublicGroup(person: Person, title: string): Promise<void> {
  await person.page.getByRole('button', { name: 'New group' }).click();
  const group = person.page.getByRole('dialog', { name: 'New group' });
  await group.getByLabel('Group name').fill(title);
  await group.getByRole('radio', { name: /Public/ }).check();
  await group.getByRole('button', { name: 'Create group' }).click();
  await person.page.getByRole('heading', { name: title, level: 2 }).waitFor();
}

/** `person` joins the public group `title` from the Public rooms directory and has it open. */
export async function joinPublicGroup(person: Person, title: string): Promise<void> {
  await person.page.getByRole('button', { name: 'Public rooms' }).click();
  await person.page.getByRole('dialog', { name: 'Public rooms' }).getByRole('button', { name: `Join ${title}` }).click();
  await person.page.getByRole('heading', { name: title, level: 2 }).waitFor();
}
