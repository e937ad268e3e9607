import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { transformWithOxc, type Plugin } from 'vite';

export interface ServiceWorkerOptions {
  /** TypeScript source of the worker; it reads its file list from `self.__PARLEY_SHELL__`. */
  source: string;
  /** Files copied from here into the build (favicon, manifest, icons) are precached too. */
  publicDir: string;
}

/**
 * Emits `/sw.js` (not hashed: the browser checks it for updates at each visit), with the list of
 * the build's files to cache for offline use and a cache name that changes with them.
 */
export function serviceWorkerAsset(options: ServiceWorkerOptions): Plugin {
  return {
    name: 'parley:service-worker',
    apply: 'build',
    enforce: 'post',
    // After index.html is written: the style sheet it inlined is gone from the bundle by then.
    generateBundle: { order: 'post', async handler(_options, bundle) {
      const built = Object.keys(bundle).filter((file) => !file.endsWith('.map') && file !== 'index.html');
      const copied = (await readdir(options.publicDir).catch(() => [] as string[])).filter((file) => !file.startsWith('.'));
      const files = ['/', ...[...built, ...copied].sort().map((file) => `/${file}`)];
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
      const { code } = await transformWithOxc(await readFile(options.source, 'utf8'), options.source, { lang: 'ts' });
      const shell = JSON.stringify({ version, files });
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: `self.__PARLEY_SHELL__ = ${shell};\n${code}` });
    } },
  };
}
