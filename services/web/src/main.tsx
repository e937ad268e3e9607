import { StrictMode } from 'react';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { App } from './app';
import { lastSignedInUser } from './auth/session-hint';
import { registerServiceWorker } from './install/register-service-worker';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
const app = (
  <StrictMode>
    <App />
  </StrictMode>
);
// index.html holds the prerendered sign-in form: take it over as it is for a visitor who is
// signed out; someone who was signed in gets a fresh render (the splash while the session is checked).
if (root.firstElementChild && !lastSignedInUser()) {
  hydrateRoot(root, app);
} else {
  root.replaceChildren();
  createRoot(root).render(app);
}
if (import.meta.env.PROD) registerServiceWorker();
