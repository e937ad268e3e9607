import type { Plugin, Rollup } from 'vite';

/**
 * Puts the app's one style sheet into index.html as a `<style>` element, so the first paint
 * needs the page alone (on a slow link each extra request costs a full round trip). The web
 * server allows it by its hash in the Content-Security-Policy (server/inline-style-hashes.ts).
 */
export function inlineStylesheet(): Plugin {
  return {
    name: 'parley:inline-stylesheet',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const bundle = context.bundle;
        if (!bundle) return html;
        return html.replace(/<link rel="stylesheet"[^>]*href="\/([^"]+\.css)"[^>]*>/g, (tag, fileName: string) => {
          const asset = bundle[fileName] as Rollup.OutputAsset | Rollup.OutputChunk | undefined;
          if (asset?.type !== 'asset') return tag;
          delete bundle[fileName];
          return `<style>${String(asset.source).replaceAll('</style', '<\\/style')}</style>`;
        });
      },
    },
  };
}
