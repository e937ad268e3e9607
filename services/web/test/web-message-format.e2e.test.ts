import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import { befriend, composer, launchChromium, openDirect, openPerson, registerAndVerify, roomButton, screenshot, type Person } from './support/browser-session.js';
import { seriousAxeViolations } from './support/axe.js';
import { startWebPlatform, type WebPlatform } from './support/web-platform.js';
import { screenshotFailures, stopAfterAll } from './support/test-teardown.js';

/**
 * Formatted message text in the browser (src/messages/message-text-format.ts): real Chromium,
 * the platform started by the launcher, two people in a direct room. One sends a message with a
 * link, bold, a code block, a mention and a `javascript:` text; the other sees them as elements,
 * the `javascript:` text as text; an edit and a reply's quote show the formatting too. Steps
 * build on each other and run in order.
 */

let web: WebPlatform;
let browser: Browser;
let ana: Person;
let ben: Person;

const unique = (base: string) => `${base}_${Math.random().toString(36).slice(2, 7)}`;

beforeAll(async () => {
  web = await startWebPlatform('web_format');
  browser = await launchChromium();
  [ana, ben] = await Promise.all([openPerson(browser, web.origin, unique('ana')), openPerson(browser, web.origin, unique('ben'))]);
  await Promise.all([registerAndVerify(ana), registerAndVerify(ben)]);
  await befriend(ana, ben);
  await openDirect(ana, ben);
}, 240_000);

stopAfterAll(() => browser, () => web);
screenshotFailures(() => [ana, ben], 'format-failed-');

const problems = () => [ana, ben].flatMap((person) => person?.problems ?? []);

/** The message whose own text (not a quote of it) contains `words`. */
const row = (person: Person, words: string): Locator => person.page.locator('article.message').filter({ has: person.page.locator('.message-body', { hasText: words }) });

describe('formatted message text in the web client', () => {
  it('shows a link, bold, a code block and a mention to the other person as elements, and a javascript: text as text', async () => {
    const body = [
      `Hi @${ben.name}, read **the install guide** at https://example.com/guide?step=1).`,
      '```sh',
      'npm ci',
      '  npm test   # keeps its spaces',
      '```',
      'Not a link: javascript:alert(1) nor [x](javascript:alert(2)) nor <b>tags</b>',
    ].join('\n');
    await composer(ana).fill(body);
    await composer(ana).press('Enter');
    await row(ana, 'the install guide').locator('[data-delivery="sent"], [data-delivery="read"]').waitFor();

    await roomButton(ben, ana.name).click();
    const message = row(ben, 'the install guide');
    await message.waitFor();
    const text = message.locator('.message-body');

    const links = text.locator('a');
    await expect.poll(() => links.count()).toBe(1);
    const link = links.first();
    expect(await link.textContent()).toBe('https://example.com/guide?step=1');
    expect(await link.getAttribute('href')).toBe('https://example.com/guide?step=1');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');

    expect(await text.locator('strong').textContent()).toBe('the install guide');
    expect(await text.locator('pre > code').textContent()).toBe('npm ci\n  npm test   # keeps its spaces');
    expect(await text.locator('pre > code').getAttribute('data-language')).toBe('sh');
    // The code block keeps its spaces on screen, not only in the DOM.
    expect(await text.locator('pre').evaluate((element) => element.ownerDocument.defaultView!.getComputedStyle(element).whiteSpace)).toBe('pre-wrap');
    await text.locator('.mention-me').getByText(`@${ben.name}`).waitFor();

    // What is not an http(s) address, or is markup, is shown exactly as typed.
    await text.getByText('Not a link: javascript:alert(1) nor [x](javascript:alert(2)) nor <b>tags</b>').waitFor();
    expect(await text.locator('b, script, img').count()).toBe(0);
    expect(await ben.page.locator('a[href^="javascript:" i]').count()).toBe(0);

    await screenshot(ben, 'format-01-received');
    expect(await seriousAxeViolations(ben.page)).toEqual([]);
    expect(problems()).toEqual([]);
  }, 60_000);

  it('shows the formatting of an edit to the other person, and in a reply’s quote', async () => {
    const own = row(ana, 'the install guide');
    await own.getByRole('button', { name: 'Edit' }).click();
    await own.getByRole('textbox', { name: 'Edit message' }).fill('Changed: *the short guide* with `npm ci` at www.example.com.');
    await own.getByRole('button', { name: 'Save' }).click();

    const edited = row(ben, 'Changed:');
    await edited.getByText('edited').waitFor({ timeout: 30_000 });
    const text = edited.locator('.message-body');
    expect(await text.locator('em').textContent()).toBe('the short guide');
    expect(await text.locator('code').textContent()).toBe('npm ci');
    expect(await text.locator('strong, pre').count()).toBe(0);
    expect(await text.locator('a').getAttribute('href')).toBe('https://www.example.com/');
    expect(await text.locator('a').textContent()).toBe('www.example.com');

    await edited.getByRole('button', { name: 'Reply' }).click();
    await composer(ben).fill('**Thanks**, see https://example.org');
    await composer(ben).press('Enter');
    const reply = row(ana, 'Thanks');
    await reply.waitFor();
    expect(await reply.locator('.message-body strong').textContent()).toBe('Thanks');
    expect(await reply.locator('.message-body a').getAttribute('href')).toBe('https://example.org/');
    // The quote is a button: formatting shows, but no link sits inside it.
    const quote = reply.locator('.reply-quote');
    expect(await quote.locator('em').textContent()).toBe('the short guide');
    expect(await quote.locator('a').count()).toBe(0);
    await quote.getByText('www.example.com').waitFor();
    await screenshot(ana, 'format-02-reply');
    expect(problems()).toEqual([]);
  }, 60_000);
});
