import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import express, { Router } from 'express';
import { UnavailableError } from '@parley/errors';
/** Vite writes content-hashed file names under `assets/`: they never change, cache them for a year. */
const HASHED_ASSET = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and other unhashed files: always revalidate, so a deploy is picked up at once. */
const REVALIDATE = 'no-cache';
/** Paths that belong to other services behind the same origin; never answered with the app. */
const NOT_THE_APP = ['/api/', '/socket.io/', '/internal/', '/admin/'];
export function indexFile(staticDir) {
    return join(staticDir, 'index.html');
}
/** True when the build is there to be served (readiness). */
export function hasBuild(staticDir) {
    return existsSync(indexFile(staticDir));
}
/**
 * Serves the built single-page app: files from the build folder, and `index.html` for any
 * other page path (client-side routes), so a reload on a deep link works. Missing files
 * (a path with an extension, or under `assets/`) stay 404s rather than turning into HTML.
 */
export function staticSite(staticDir) {
    const router = Router();
    router.use(express.static(staticDir, {
        index: false,
        redirect: false,
        dotfiles: 'ignore',
        setHeaders: (res, path) => {
            const relative = path.slice(staticDir.length).replaceAll('\\', '/');
            res.setHeader('Cache-Control', HASHED_ASSET.test(relative) ? IMMUTABLE : REVALIDATE);
        },
    }));
    router.use((req, res, next) => {
        if (req.method !== 'GET' && req.method !== 'HEAD')
            return next();
        if (NOT_THE_APP.some((prefix) => req.path.startsWith(prefix)))
            return next();
        if (req.path.startsWith('/assets/') || extname(req.path) !== '')
            return next();
        sendIndex(res, staticDir, next);
    });
    return router;
}
function sendIndex(res, staticDir, next) {
    res.setHeader('Cache-Control', REVALIDATE);
    res.sendFile(indexFile(staticDir), { dotfiles: 'deny', lastModified: true }, (error) => {
        if (!error)
            return;
        next(hasBuild(staticDir) ? error : new UnavailableError('The web client is not built yet'));
    });
}
//# sourceMappingURL=static-site.js.map