import { afterAll, afterEach } from 'vitest';
import type { Browser } from 'playwright-core';
import { screenshot, type Person } from './browser-session.js';
import type { WebPlatform } from './web-platform.js';

/**
 * The hooks every browser test file ends with. The getters are read when the hooks run, since
 * the browser, the platform and the people are only there once `beforeAll` has made them (and may
 * not be, when it failed).
 */

/** After the file: the browser closed, then the platform stopped. */
export function stopAfterAll(browser: () => Browser | undefined, web: () => WebPlatform | undefined): void {
  afterAll(async () => {
    await browser()?.close();
    await web()?.stop();
  });
}

/** After a failed test: each person's page saved as `<prefix><start of the test's name>`. */
export function screenshotFailures(people: () => Person[], prefix: string, nameLength = 30): void {
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    for (const person of people()) await screenshot(person, `${prefix}${context.task.name.slice(0, nameLength).replaceAll(' ', '-')}`).catch(() => undefined);
  });
}
