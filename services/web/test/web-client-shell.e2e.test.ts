import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { rawGet } from '@parley/testing';
import { seriousAxeViolations, type AxeFinding } from './support/axe.js';
import {
  CHROMIUM,
  closeDialog,
  launchChromium,
  messageRows,
  openPeople,
  openPerson,
  registerLater,
  roomButton,
  screenshot,
  sendAcked,
  type Person,
} from './support/browser-session.js';
import { startWebPlatform, type WebPlatform } from './support/web-platform.js';

/**
 * How the client reaches the browser, through the launcher's gateway as `npm start` serves it:
 * compressed and cached, no public source maps, a first paint that does not wait for scripts
 * (measured on an emulated slow 4G link), installable and opening offline with what it saved,
 * and accessible (axe-core on the main screens, light and dark).
 */

let web: WebPlatform;
let browser: Browser;

/** Chrome DevTools' "Slow 4G" preset (request-level emulation): 562.5 ms latency, 1.44 Mbit/s down. */
const SLOW_4G = { offline: false, latency: 562.5, downloadThroughput: (1.6 * 1000 * 1000 * 0.9) / 8, uploadThroughput: (750 * 1000 * 0.9) / 8 };
const FIRST_PAINT_BUDGET_MS = 1_500;
/**
 * The paint is asserted on what the emulated link alone costs (deterministic: round trips and
 * bytes), with room left for the CPU: on this shared machine CPU time varies several times
 * between runs, so the measured paint is printed, never asserted.
 */
const NETWORK_SHARE_OF_BUDGET = 2 / 3;


beforeAll(async () => {
  web = await startWebPlatform('web_shell');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

describe('delivery through the gateway', () => {
  it('sends the page and scripts precompressed (brotli, else gzip), hashed files cached a year as immutable, and no source maps', async () => {
    const page = await rawGet(`${web.origin}/`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(page.headers['content-encoding']).toBe('br');
    expect(page.headers['cache-control']).toBe('no-cache');
    const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
    const html = brotliDecompressSync(page.body).toString();
    const scripts = [...html.matchAll(/src="(\/assets\/[^"]+\.js)"/g)].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const brotli = await rawGet(`${web.origin}${script}`, { 'accept-encoding': 'gzip, deflate, br' });
      expect(brotli.headers['content-encoding']).toBe('br');
      expect(brotli.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(brotli.headers.vary).toMatch(/accept-encoding/i);
      const source = brotliDecompressSync(brotli.body).toString();
      expect(source).not.toContain('sourceMappingURL');
      const gzip = await rawGet(`${web.origin}${script}`, { 'accept-encoding': 'gzip' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.body).toString()).toBe(source);
      console.log(`${script}: ${source.length} B raw, ${gzip.body.length} B gzip, ${brotli.body.length} B brotli`);
      const map = await rawGet(`${web.origin}${script}.map`);
      expect(map.status).toBe(404);
    }
  });

  it(`paints the sign-in form within ${FIRST_PAINT_BUDGET_MS} ms on emulated slow 4G: one round trip for the page, scripts not waited for`, async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    const transfers = new Map<string, { url: string; type: string; bytes: number }>();
    cdp.on('Network.responseReceived', (event) => transfers.set(event.requestId, { url: event.response.url, type: event.type, bytes: 0 }));
    cdp.on('Network.loadingFinished', (event) => {
      const transfer = transfers.get(event.requestId);
      if (transfer) transfer.bytes = event.encodedDataLength;
    });
    // A hydration mismatch (prerendered markup unlike the client's first render) is a console error.
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) consoleErrors.push(message.text());
    });
    await page.goto(web.origin, { waitUntil: 'load' });
    await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    // Interactive once the scripts are in: the form reacts to input (hydrated, not a dead copy).
    await page.waitForFunction("Object.keys(document.getElementById('root')).some((key) => key.startsWith('__reactContainer'))");
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Enter your username or email address').waitFor();
    // A string: it runs in the page, with the page's Performance API.
    const timing = await page.evaluate<{ responseEnd: number; firstContentfulPaint: number; firstScriptEnd: number }>(`(() => {
      const navigation = performance.getEntriesByType('navigation')[0];
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      const scripts = performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('.js'));
      return { responseEnd: navigation.responseEnd, firstContentfulPaint: paint ? paint.startTime : NaN, firstScriptEnd: Math.min(...scripts.map((entry) => entry.responseEnd)) };
    })()`);
    await context.close();
    expect(consoleErrors).toEqual([]);

    const documentTransfer = [...transfers.values()].find((transfer) => transfer.type === 'Document');
    expect(documentTransfer, 'the page was fetched').toBeDefined();
    // What the first paint depends on: the page itself (its style sheet is inline, its scripts are modules).
    const networkMs = SLOW_4G.latency + (documentTransfer!.bytes / SLOW_4G.downloadThroughput) * 1000;
    const scriptBytes = [...transfers.values()].filter((transfer) => transfer.type === 'Script').reduce((sum, transfer) => sum + transfer.bytes, 0);
    console.log(
      `slow 4G: page ${documentTransfer!.bytes} B over the wire → ${networkMs.toFixed(0)} ms of emulated network before the first paint (budget share ${(FIRST_PAINT_BUDGET_MS * NETWORK_SHARE_OF_BUDGET).toFixed(0)} ms); ` +
        `measured: first contentful paint ${timing.firstContentfulPaint.toFixed(0)} ms, page received ${timing.responseEnd.toFixed(0)} ms, first script received ${timing.firstScriptEnd.toFixed(0)} ms (${scriptBytes} B of scripts)`,
    );
    console.log(JSON.stringify({ slow4gFirstPaintNetworkMs: Math.round(networkMs), measuredFirstContentfulPaintMs: Math.round(timing.firstContentfulPaint), pageBytes: documentTransfer!.bytes, scriptBytes }));
    expect(networkMs).toBeLessThanOrEqual(FIRST_PAINT_BUDGET_MS * NETWORK_SHARE_OF_BUDGET);
    // Structural, not a timing: the paint happened before any script had arrived.
    expect(timing.firstContentfulPaint).toBeLessThan(timing.firstScriptEnd);
  }, 60_000);
});

describe('installable', () => {
  it('has a web app manifest Chromium accepts for installing', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'parley-chromium-profile-'));
    // Installability is not checked in incognito profiles: a persistent one is needed here.
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await context.newPage();
      await page.goto(web.origin);
      await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
      const cdp = await context.newCDPSession(page);
      const manifest = await cdp.send('Page.getAppManifest');
      expect(manifest.errors).toEqual([]);
      expect(JSON.parse(manifest.data ?? '{}')).toMatchObject({ name: 'Parley', display: 'standalone', start_url: '/' });
      expect((await cdp.send('Page.getInstallabilityErrors')).installabilityErrors).toEqual([]);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 60_000);

  it('opens offline from the service worker’s cache and shows the rooms and messages it saved', async () => {
    const dee = await openPerson(browser, web.origin, `dee_${Math.random().toString(36).slice(2, 7)}`);
    try {
      await registerLater(dee);
      await dee.page.getByRole('button', { name: 'New group' }).click();
      const dialog = dee.page.getByRole('dialog', { name: 'New group' });
      await dialog.getByLabel('Group name').fill('Offline notes');
      await dialog.getByRole('button', { name: 'Create group' }).click();
      await dee.page.getByRole('heading', { name: 'Offline notes', level: 2 }).waitFor();
      await sendAcked(dee, 'kept for offline');
      await dee.page.evaluate('navigator.serviceWorker.ready.then(() => true)');
      // The saved copy is written within 2 s of a change.
      await dee.page.waitForTimeout(3_000);

      await dee.context.setOffline(true);
      const reloaded = await dee.page.reload();
      expect(reloaded?.fromServiceWorker()).toBe(true);
      await dee.page.getByTestId('connection-banner').getByText(/You are offline/).waitFor({ timeout: 30_000 });
      await roomButton(dee, 'Offline notes').waitFor();
      await messageRows(dee, 'kept for offline').waitFor();
      await screenshot(dee, '15-offline-shell');
      await dee.context.setOffline(false);
      // Back online, the session is picked up again and the chat goes live.
      await dee.page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 30_000 });
      await sendAcked(dee, 'back online');
      expect(dee.problems).toEqual([]);
    } finally {
      await dee.context.close();
    }
  }, 90_000);
});

describe('accessibility', () => {
  let eve: Person;
  let fay: Person;
  const findings: Array<AxeFinding & { screen: string }> = [];

  async function check(page: Page, screen: string): Promise<void> {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.waitForTimeout(100);
      for (const finding of await seriousAxeViolations(page)) findings.push({ ...finding, screen: `${screen} (${colorScheme})` });
    }
  }

  beforeAll(async () => {
    eve = await openPerson(browser, web.origin, `eve_${Math.random().toString(36).slice(2, 7)}`);
    fay = await openPerson(browser, web.origin, `fay_${Math.random().toString(36).slice(2, 7)}`);
  });

  it('finds no serious or critical violation on the sign-in, room list, room, dialog and account settings screens, in light and dark', async () => {
    await eve.page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    await check(eve.page, 'sign-in');
    await registerLater(eve);
    await registerLater(fay);
    await check(eve.page, 'room list');

    await eve.page.getByRole('button', { name: 'New group' }).click();
    await check(eve.page, 'new group dialog');
    const dialog = eve.page.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill('Accessible room');
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await eve.page.getByRole('heading', { name: 'Accessible room', level: 2 }).waitFor();
    await sendAcked(eve, 'Hello, screen readers');
    await sendAcked(eve, 'مرحبا');
    await check(eve.page, 'room');

    await eve.page.getByRole('button', { name: 'Settings' }).click();
    await check(eve.page, 'room settings dialog');
    await closeDialog(eve);
    await eve.page.getByRole('button', { name: 'Members' }).click();
    await eve.page.getByRole('button', { name: 'Leave this group' }).click();
    await eve.page.getByRole('alertdialog').waitFor();
    await check(eve.page, 'confirmation dialog');
    await eve.page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    await closeDialog(eve);

    const people = await openPeople(eve);
    await people.getByLabel('Username, name or email').fill(fay.name);
    await people.getByRole('button', { name: 'Search' }).click();
    await people.getByRole('list', { name: 'Search results' }).waitFor();
    await check(eve.page, 'people dialog');
    await closeDialog(eve);
    await eve.page.getByRole('button', { name: 'Profile' }).click();
    await check(eve.page, 'profile dialog');
    await closeDialog(eve);
    await eve.page.getByRole('button', { name: 'Account', exact: true }).click();
    await eve.page.getByRole('dialog', { name: 'Account settings' }).getByRole('list', { name: 'Sessions' }).waitFor();
    await check(eve.page, 'account settings dialog');
    await eve.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await eve.page.getByRole('alertdialog', { name: 'Sign out everywhere?' }).waitFor();
    await check(eve.page, 'sign out everywhere confirmation');
    await eve.page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    await closeDialog(eve);

    // The phone-sized layout: the room list as its own screen.
    await eve.page.setViewportSize({ width: 390, height: 800 });
    await eve.page.getByRole('button', { name: 'Back to rooms' }).click();
    await roomButton(eve, 'Accessible room').waitFor();
    await check(eve.page, 'room list (phone)');

    for (const finding of findings) console.log(`${finding.screen}: ${finding.impact} ${finding.id} — ${finding.help} — ${finding.targets.join(', ')}`);
    expect(findings).toEqual([]);
  }, 120_000);
});
