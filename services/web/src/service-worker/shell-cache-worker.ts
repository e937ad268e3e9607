/// <reference lib="webworker" />
/**
 * Parley's service worker (built into /sw.js by build/service-worker-asset.ts): it keeps the
 * app shell (index.html and the built files) in a cache, so the app opens without a network and
 * shows what it saved (docs/decisions/0009-web-offline-shell.md). API calls and the socket are never
 * touched: data comes from the network or from the app's own saved copy.
 */
const worker = self as unknown as ServiceWorkerGlobalScope & { __PARLEY_SHELL__: { version: string; files: string[] } };

const SHELL = worker.__PARLEY_SHELL__;
const CACHE = `parley-shell-${SHELL.version}`;
const NEVER = ['/api/', '/socket.io/', '/dev/', '/healthz', '/readyz', '/metrics'];

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // One missing file must not cost the whole shell.
      await Promise.allSettled(
        SHELL.files.map(async (file) => {
          const response = await fetch(new Request(file, { cache: 'reload' }));
          if (response.ok) await cache.put(file, await storable(response));
        }),
      );
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('parley-shell-') && name !== CACHE) await caches.delete(name);
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== worker.location.origin || NEVER.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (request.mode === 'navigate') {
    event.respondWith(pageFor(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cachedFirst(request));
  } else {
    event.respondWith(freshOrCached(request));
  }
});

/** Pages: the network when it answers (a deploy shows at once), else the cached shell for any app path. */
async function pageFor(request: Request): Promise<Response> {
  try {
    const response = await fetch(request);
    if (response.ok) void storable(response.clone()).then(async (copy) => (await caches.open(CACHE)).put('/', copy));
    return response;
  } catch {
    return (await caches.match('/', { cacheName: CACHE, ignoreVary: true })) ?? Response.error();
  }
}

/** Hashed files never change: the cache first. */
async function cachedFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: CACHE, ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) void storable(response.clone()).then(async (copy) => (await caches.open(CACHE)).put(request, copy));
  return response;
}

async function freshOrCached(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch {
    return (await caches.match(request, { cacheName: CACHE, ignoreVary: true })) ?? Response.error();
  }
}

/**
 * A copy fit for the cache: the body as decoded, without the Content-Encoding and length of
 * the compressed transfer (served again with them, it would be decoded twice and fail).
 */
async function storable(response: Response): Promise<Response> {
  const headers = new Headers(response.headers);
  for (const name of ['content-encoding', 'content-length', 'vary']) headers.delete(name);
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}
