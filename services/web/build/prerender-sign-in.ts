import { runnerImport, type AliasOptions, type Plugin } from 'vite';

export interface PrerenderOptions {
  root: string;
  /** The module exporting `renderShell(): string` (rendered with Vite's module runner). */
  entry: string;
  alias: AliasOptions;
}

/**
 * Renders the signed-out screen into index.html at build time, so a first visit paints the
 * sign-in form as soon as the page arrives, before any script (docs/decisions/0008-web-first-paint.md);
 * the client then hydrates it. Signed-in visitors get the splash instead (src/main.tsx).
 */
export function prerenderSignIn(options: PrerenderOptions): Plugin {
  return {
    name: 'parley:prerender-sign-in',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      async handler(html) {
        const { module } = await runnerImport<{ renderShell(): string }>(options.entry, {
          root: options.root,
          configFile: false,
          logLevel: 'error',
          resolve: { alias: options.alias },
        });
        const markup = module.renderShell();
        if (!html.includes('<div id="root"></div>')) throw new Error('index.html lacks an empty <div id="root">');
        return html.replace('<div id="root"></div>', `<div id="root">${markup}</div>`);
      },
    },
  };
}
