import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Text files the web server may send compressed (the same list as server/precompressed.ts). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.webmanifest', '.txt', '.xml']);

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

/**
 * Writes `<file>.br` (brotli, best quality) and `<file>.gz` (gzip -9) beside every text file of
 * the build, once, so the server sends the smallest representation without compressing per
 * request. A compressed file that would not be smaller is not written.
 */
export function precompress(outDir: () => string): Plugin {
  return {
    name: 'parley:precompress',
    apply: 'build',
    enforce: 'post',
    async closeBundle() {
      for await (const file of filesUnder(outDir())) {
        if (!COMPRESSIBLE.has(extname(file))) continue;
        const source = await readFile(file);
        const size = (await stat(file)).size;
        const brotli = brotliCompressSync(source, {
          params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: size },
        });
        const gzip = gzipSync(source, { level: 9 });
        if (brotli.length < size) await writeFile(`${file}.br`, brotli);
        if (gzip.length < size) await writeFile(`${file}.gz`, gzip);
      }
    },
  };
}
