import { StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { App } from '../app';

/**
 * The signed-out screen as HTML, rendered at build time into index.html (build/prerender-sign-in.ts):
 * the same tree src/main.tsx hydrates for a visitor who is not signed in.
 */
export function renderShell(): string {
  return renderToString(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
