import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Router, type Request, type Response } from 'express';
import { NotFoundError, UnavailableError } from '@parley/errors';
import { chooseRepresentation, type Representation } from './precompressed.js';

/** Vite writes content-hashed file names under `assets/`: they never change, cache them for a year. */
const HASHED_ASSET = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and other unhashed files (the service worker, the manifest): always revalidate. */
const REVALIDATE = 'no-cache';

/** Paths that belong to other services behind the same origin; never answered with the app. */
const NOT_THE_APP = ['/api/', '/socket.io/', '/internal/', '/admin/'];

/**
 * Operational paths only the admin port serves: a 404 on the public port, not the app page,
 * so a scrape pointed at the wrong port fails visibly instead of parsing HTML.
 */
const ADMIN_ONLY = new Set(['/metrics']);

/** Source maps stay private (the build keeps them outside the served folder); never serve one. */
const SOURCE_MAP = /\.map$/i;

export function indexFile(staticDir: string): string {
  return join(staticDir, 'index.html');
}

/** True when the build is there to be served (readiness). */
export function hasBuild(staticDir: string): boolean {
  return existsSync(indexFile(staticDir));
}

/**
 * Serves the built single-page app: files from the build folder, precompressed (brotli or
 * gzip, by Accept-Encoding) where the build stored them, and `index.html` for any other page
 * path (client-side routes), so a reload on a deep link works. Missing files (a path with an
 * extension, or under `assets/`) stay 404s rather than turning into HTML.
 */
export function staticSite(staticDir: string): Router {
  const root = resolve(staticDir);
  const router = Router();

  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (SOURCE_MAP.test(req.path)) return next(new NotFoundError('No such file'));
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return next(new NotFoundError('No such file'));
    }
    if (path.includes('\0') || path.split('/').some((segment) => segment.startsWith('.') && segment.length > 0)) return next();
    if (path !== '/' && !path.endsWith('/')) {
      const representation = chooseRepresentation(req, root, path);
      if (representation) return send(res, representation, path, HASHED_ASSET.test(path) ? IMMUTABLE : REVALIDATE, next);
    }
    if (NOT_THE_APP.some((prefix) => req.path.startsWith(prefix)) || ADMIN_ONLY.has(req.path)) return next();
    if (req.path.startsWith('/assets/') || extname(req.path) !== '') return next();
    sendIndex(req, res, root, next);
  });

  return router;
}

function sendIndex(req: Request, res: Response, root: string, next: (error?: unknown) => void): void {
  const representation = chooseRepresentation(req, root, '/index.html');
  if (!representation) return next(hasBuild(root) ? undefined : new UnavailableError('The web client is not built yet'));
  send(res, representation, '/index.html', REVALIDATE, next);
}

/** One stored file, with the type of what it encodes and the headers a cache needs. */
function send(res: Response, representation: Representation, path: string, cacheControl: string, next: (error?: unknown) => void): void {
  res.setHeader('Cache-Control', cacheControl);
  if (representation.varies) res.vary('Accept-Encoding');
  if (representation.encoding) res.setHeader('Content-Encoding', representation.encoding);
  res.type(extname(path) || '.html');
  res.sendFile(representation.file, { dotfiles: 'deny', lastModified: true, etag: true }, (error?: Error) => {
    if (error && !res.headersSent) next(error);
  });
}
