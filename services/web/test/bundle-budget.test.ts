import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/**
 * The budget of the built client (`npm run build` writes services/web/dist; `npm test` builds
 * first, so CI checks every change): the JavaScript a first visit must load before the page
 * works, gzipped, stays within INITIAL_JS_BUDGET. Figures are printed, with a final JSON line.
 */
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const INITIAL_JS_BUDGET = 150_000;

function builtFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? builtFiles(join(dir, entry.name)) : [join(dir, entry.name)]));
}

const gzipped = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

describe('the built web client', () => {
  it('exists (run `npm run build` first)', () => {
    expect(existsSync(join(DIST, 'index.html')), `no build in ${DIST}`).toBe(true);
  });

  it(`keeps the initial JavaScript within ${INITIAL_JS_BUDGET / 1000} KB gzipped; the signed-in app loads as chunks of its own`, () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const initial = [
      ...[...html.matchAll(/<script type="module"[^>]*src="\/([^"]+)"/g)].map((match) => match[1]!),
      ...[...html.matchAll(/<link rel="modulepreload"[^>]*href="\/([^"]+)"/g)].map((match) => match[1]!),
    ];
    const allJs = builtFiles(join(DIST, 'assets')).filter((file) => file.endsWith('.js'));
    const initialBytes = initial.reduce((sum, file) => sum + gzipped(join(DIST, file)), 0);
    const lazy = allJs.filter((file) => !initial.some((entry) => file.endsWith(entry)));
    const lazyBytes = lazy.reduce((sum, file) => sum + gzipped(file), 0);
    const rawInitial = initial.reduce((sum, file) => sum + statSync(join(DIST, file)).size, 0);
    const htmlGzip = gzipped(join(DIST, 'index.html'));
    console.log(`initial JS: ${initial.join(', ')} — ${(rawInitial / 1000).toFixed(1)} KB raw, ${(initialBytes / 1000).toFixed(1)} KB gzipped (budget ${INITIAL_JS_BUDGET / 1000} KB)`);
    console.log(`lazy JS: ${lazy.length} chunk(s), ${(lazyBytes / 1000).toFixed(1)} KB gzipped; index.html ${(htmlGzip / 1000).toFixed(1)} KB gzipped`);
    console.log(JSON.stringify({ initialJsGzipBytes: initialBytes, initialJsRawBytes: rawInitial, lazyJsGzipBytes: lazyBytes, indexHtmlGzipBytes: htmlGzip }));
    expect(initial.length).toBeGreaterThan(0);
    expect(initialBytes).toBeLessThanOrEqual(INITIAL_JS_BUDGET);
    expect(lazy.length).toBeGreaterThan(0);
  });

  it('paints the sign-in form from index.html alone: prerendered, its style sheet inlined, scripts deferred', () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    expect(html).toMatch(/<div id="root"><main class="auth-page">[\s\S]*Sign in to Parley/);
    expect(html).toMatch(/<style>[^<]+<\/style>/);
    expect(html).not.toMatch(/<link rel="stylesheet"/);
    for (const script of html.match(/<script[^>]*>/g) ?? []) expect(script).toMatch(/type="module"/);
  });

  it('ships no source maps (kept in dist-sourcemaps/) and a .br and .gz beside every text file', () => {
    const files = builtFiles(DIST);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    for (const file of files.filter((name) => /\.(js|css|html|svg|webmanifest)$/.test(name))) {
      if (file.endsWith('.js')) expect(readFileSync(file, 'utf8'), file).not.toContain('sourceMappingURL');
      if (statSync(file).size < 1_000) continue;
      expect(existsSync(`${file}.br`), `${file}.br`).toBe(true);
      expect(existsSync(`${file}.gz`), `${file}.gz`).toBe(true);
    }
  });
});
