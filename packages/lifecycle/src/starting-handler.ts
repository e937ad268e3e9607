import type { RequestListener } from 'node:http';

/**
 * What a port answers between listening and the app being built (a dependency the build waits
 * for may be down): alive (`/healthz` 200) but not ready (`/readyz` 503), and 503 `unavailable`
 * for everything else, in the platform's error shape.
 */
export const startingHandler: RequestListener = (request, response) => {
  const path = (request.url ?? '/').split('?')[0];
  const answer = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  };
  if (path === '/healthz') answer(200, { status: 'ok' });
  else if (path === '/readyz') answer(503, { status: 'starting', checks: {} });
  else answer(503, { error: { code: 'unavailable', message: 'The service is starting; try again shortly.' } });
};
