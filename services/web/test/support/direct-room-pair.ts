import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { befriend, launchChromium, openDirect, openPerson, registerAndVerify, screenshot, type Person, type PersonOptions } from './browser-session.js';
import { startWebPlatform, type WebPlatform } from './web-platform.js';

/** Two people in Chromium, friends, each with their direct room open. */
export interface DirectRoomPair {
  web: WebPlatform;
  browser: Browser;
  ana: Person;
  ben: Person;
}

const unique = (base: string) => `${base}_${Math.random().toString(36).slice(2, 7)}`;

/**
 * The hooks of a browser test of two people in a direct room: the platform started by the
 * launcher (`label` names its database), Chromium, ana and ben registered and verified, friends,
 * their direct room open; both screenshotted (`<screenshots>-failed-<test>`) when a test fails;
 * everything stopped afterwards. `env` is added to the platform's environment; `browsers` sets
 * either person's browser (e.g. a phone). The returned object is filled in before the file's own
 * beforeAll hooks run.
 */
export function directRoomPair(label: string, screenshots: string, env: Record<string, string> = {}, browsers: { ana?: PersonOptions; ben?: PersonOptions } = {}): DirectRoomPair {
  const pair = {} as DirectRoomPair;
  beforeAll(async () => {
    pair.web = await startWebPlatform(label, env);
    pair.browser = await launchChromium();
    [pair.ana, pair.ben] = await Promise.all([openPerson(pair.browser, pair.web.origin, unique('ana'), browsers.ana), openPerson(pair.browser, pair.web.origin, unique('ben'), browsers.ben)]);
    await Promise.all([registerAndVerify(pair.ana), registerAndVerify(pair.ben)]);
    await befriend(pair.ana, pair.ben);
    await openDirect(pair.ana, pair.ben);
  }, 240_000);

  afterAll(async () => {
    await pair.browser?.close();
    await pair.web?.stop();
  });

  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    for (const person of [pair.ana, pair.ben]) {
      if (person) await screenshot(person, `${screenshots}-failed-${context.task.name.slice(0, 30).replaceAll(' ', '-')}`).catch(() => undefined);
    }
  });
  return pair;
}
