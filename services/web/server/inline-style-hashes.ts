import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { indexFile } from './static-site.js';

const STYLE_ELEMENT = /<style(?:\s[^>]*)?>([\s\S]*?)<\/style>/g;

/** CSP sources (`'sha256-…'`) for the `<style>` elements of an HTML document. */
export function styleHashesOf(html: string): string[] {
  return [...html.matchAll(STYLE_ELEMENT)].map((match) => `'sha256-${createHash('sha256').update(match[1] ?? '').digest('base64')}'`);
}

/**
 * The build inlines the style sheet into index.html (first paint then needs no second request;
 * see docs/decisions/0008-web-first-paint.md); the Content-Security-Policy allows exactly that
 * stylesheet by its hash. Read again whenever index.html changes (a new build).
 */
export function inlineStyleHashes(staticDir: string): () => string[] {
  let seen: { mtimeMs: number; hashes: string[] } | undefined;
  return () => {
    try {
      const { mtimeMs } = statSync(indexFile(staticDir));
      if (seen?.mtimeMs !== mtimeMs) seen = { mtimeMs, hashes: styleHashesOf(readFileSync(indexFile(staticDir), 'utf8')) };
      return seen.hashes;
    } catch {
      return [];
    }
  };
}
