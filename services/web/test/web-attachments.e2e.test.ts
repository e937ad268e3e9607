import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { composer, messageRows, roomButton, screenshot, type Person } from './support/browser-session.js';
import { directRoomPair } from './support/direct-room-pair.js';

/**
 * Files in the browser (docs/decisions/0036-attachments.md): real Chromium, the platform started
 * by the launcher (two chat-socket processes), two people in a direct room. A pasted image and a
 * dropped file are uploaded with progress, sent, previewed, and seen by the other person, who
 * also finds them with the messages in search.
 */

const pair = directRoomPair('web_attachments', 'attachments');
let ana: Person;
let ben: Person;

beforeAll(() => {
  ({ ana, ben } = pair);
});

/** What the test reads of an `<img>` (its own TypeScript has no DOM types). */
interface PageImage {
  complete: boolean;
  naturalWidth: number;
}

/** Resolves once an `<img>` has loaded real pixels (a refused or broken URL never does). */
async function loaded(image: Locator): Promise<number> {
  await image.waitFor();
  await expect
    .poll(() => image.evaluate((element: unknown) => ((element as PageImage).complete ? (element as PageImage).naturalWidth : 0)), { timeout: 15_000 })
    .toBeGreaterThan(0);
  return image.evaluate((element: unknown) => (element as PageImage).naturalWidth);
}

describe('files in the web client', () => {
  it('uploads a pasted image, previews it in the message, and the other person sees it and opens it in a lightbox', async () => {
    // A picture on the clipboard, as a screenshot tool leaves it: drawn on a canvas, pasted into the composer.
    await composer(ana).focus();
    // (Page code as text: the test's own TypeScript has no DOM types.)
    await ana.page.evaluate(`(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 640;
      canvas.height = 400;
      const context = canvas.getContext('2d');
      context.fillStyle = '#1e90ff';
      context.fillRect(0, 0, 640, 400);
      context.fillStyle = '#ffd700';
      context.fillRect(100, 100, 200, 120);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
      const data = new DataTransfer();
      data.items.add(new File([blob], 'screenshot.png', { type: 'image/png' }));
      document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    })()`);
    await ana.page.getByTestId('pending-upload').and(ana.page.locator('[data-state="ready"]')).waitFor();
    await composer(ana).fill('the new logo');
    await composer(ana).press('Enter');

    const own = messageRows(ana, 'the new logo');
    await own.locator('[data-delivery="sent"], [data-delivery="read"]').waitFor();
    expect(await loaded(own.getByTestId('attachment-thumbnail'))).toBe(320);
    expect(await ana.page.getByTestId('pending-upload').count()).toBe(0);

    await roomButton(ben, ana.name).click();
    const theirs = messageRows(ben, 'the new logo');
    expect(await loaded(theirs.getByTestId('attachment-thumbnail'))).toBe(320);
    await theirs.getByRole('button', { name: 'Open image screenshot.png' }).click();
    const lightbox = ben.page.getByRole('dialog', { name: 'screenshot.png' });
    expect(await loaded(lightbox.getByTestId('lightbox-image'))).toBe(640);
    await screenshot(ben, 'attachments-01-lightbox');
    await ben.page.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'detached' });
  }, 90_000);

  it('uploads a dropped file and sends it under its name; the other person gets a download link, never a rendered page', async () => {
    await ana.page.evaluate(`(() => {
      const form = document.querySelector('[data-testid="composer"]');
      const data = new DataTransfer();
      data.items.add(new File(['<script>alert("x")</script>'], 'notes.html', { type: 'text/html' }));
      form.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      form.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    })()`);
    await ana.page.getByTestId('pending-upload').and(ana.page.locator('[data-state="ready"]')).waitFor();
    await ana.page.getByRole('button', { name: 'Send' }).click();

    const row = messageRows(ben, '📎 notes.html');
    const link = row.getByTestId('attachment-download');
    await link.waitFor();
    expect(await link.textContent()).toBe('notes.html');
    expect(await row.locator('img, iframe, object, embed').count()).toBe(0);
    const download = ben.page.waitForEvent('download');
    await link.click();
    expect((await download).suggestedFilename()).toBe('notes.html');
    expect([...ana.problems, ...ben.problems]).toEqual([]);
  }, 60_000);
  it('shows the files of a search hit: a thumbnail for the image, a chip for the file, and the image again in context', async () => {
    await ben.page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Search' }).click();
    const dialog = ben.page.getByRole('dialog', { name: 'Search messages' });
    const results = dialog.getByRole('list', { name: 'Search results' });
    // Search covers stored messages: asked again until the worker stored them. The one hit must
    // hold the words: until the new answer comes, the list still shows the previous search's hit.
    const searchUntilFound = async (words: string) => {
      await dialog.getByRole('searchbox', { name: 'Words to find' }).fill(words);
      await expect
        .poll(
          async () => {
            await dialog.getByRole('button', { name: 'Search', exact: true }).click();
            const hits = results.getByRole('button');
            return (await hits.count()) === 1 && (await hits.filter({ hasText: words }).count()) === 1;
          },
          { timeout: 20_000, interval: 500 },
        )
        .toBe(true);
    };
    await searchUntilFound('logo');
    const hit = results.getByRole('button');
    expect(await loaded(hit.getByTestId('search-hit-thumbnail'))).toBe(320);
    await hit.getByText('screenshot.png', { exact: true }).waitFor();

    // Found by its text (the web client writes the name into the body of a message without one).
    await searchUntilFound('notes.html');
    const fileHit = results.getByRole('button');
    await fileHit.locator('.search-hit-file').getByText('notes.html', { exact: true }).waitFor();
    expect(await fileHit.locator('img, iframe, object, embed').count()).toBe(0);
    await screenshot(ben, 'attachments-02-search-hit');

    await searchUntilFound('logo');
    await results.getByRole('button').click();
    const context = ben.page.getByRole('region', { name: 'Search result in context' });
    expect(await loaded(context.locator('[aria-current="true"]').getByTestId('attachment-thumbnail'))).toBe(320);
    await context.getByRole('button', { name: 'Back to the latest messages' }).click();
    expect([...ana.problems, ...ben.problems]).toEqual([]);
  }, 90_000);

  it('shows a progress bar while a file is still going up, then the file ready, and drops it when removed', async () => {
    // The upload is held in the browser until released: the bar must be there in between.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    // Matched on the path: the upload's URL carries the file name as a query string.
    const isUpload = (url: URL) => url.pathname.endsWith('/attachments');
    await ana.page.route(isUpload, async (route) => {
      await released;
      await route.continue();
    });
    const progress = ana.page.getByRole('progressbar', { name: 'Uploading slow.txt' });
    try {
      await ana.page.evaluate(`(() => {
        const form = document.querySelector('[data-testid="composer"]');
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(512 * 1024).fill(97)], 'slow.txt', { type: 'text/plain' }));
        form.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
        form.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      })()`);
      await progress.waitFor();
      // Held, it stays uploading however long the machine takes to send the rest.
      await ana.page.waitForTimeout(1_000);
      expect(await ana.page.getByTestId('pending-upload').getAttribute('data-state')).toBe('uploading');
      expect(await ana.page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
      await screenshot(ana, 'attachments-03-upload-progress');
    } finally {
      release();
    }
    await ana.page.getByTestId('pending-upload').and(ana.page.locator('[data-state="ready"]')).waitFor({ timeout: 30_000 });
    await ana.page.unroute(isUpload);
    expect(await progress.count()).toBe(0);
    await ana.page.getByRole('button', { name: 'Remove slow.txt' }).click();
    expect(await ana.page.getByTestId('pending-upload').count()).toBe(0);
    expect([...ana.problems, ...ben.problems]).toEqual([]);
  }, 90_000);
});
