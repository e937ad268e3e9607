import type { RequestHandler } from 'express';

/**
 * The client's Content-Security-Policy: only this origin's scripts, styles and fonts (plus the
 * inline style sheet of index.html, by its hash); API calls and the socket (WebSocket or
 * long-polling) to this origin only; avatars may be any https image, the favicon with the
 * unread count a data: URL. No inline script is needed by the build.
 */
export function contentSecurityPolicy(styleHashes: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    ["style-src 'self'", ...styleHashes].join(' '),
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self' ws: wss:",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Headers for every page and file. helmet (from @parley/http) has already set its defaults;
 * these replace the ones a browser app needs tighter or different.
 */
export function securityHeaders(options: { styleHashes?: () => readonly string[] } = {}): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(options.styleHashes?.() ?? []));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    next();
  };
}
