import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Plugin } from 'vite';

/**
 * The build makes "hidden" source maps (no sourceMappingURL comment in the scripts) and moves
 * them out of the served folder into `mapsDir`: they stay available to decode a stack trace,
 * but the public never downloads the app's sources (the server also refuses `*.map`).
 */
export function privateSourceMaps(outDir: () => string, mapsDir: string): Plugin {
  return {
    name: 'parley:private-source-maps',
    apply: 'build',
    enforce: 'post',
    async closeBundle() {
      await rm(mapsDir, { recursive: true, force: true });
      await mkdir(mapsDir, { recursive: true });
      const assets = join(outDir(), 'assets');
      for (const name of await readdir(assets).catch(() => [] as string[])) {
        if (name.endsWith('.map')) await rename(join(assets, name), join(mapsDir, name));
      }
    },
  };
}
