import { join } from 'node:path';
import type { Checks } from './checks.js';
import { runCommand } from './podman.js';
import { CHART_DIR } from './repo-paths.js';

/**
 * A user's way in, through the Ingress entry point: the web client's page and bundle, then
 * the chart's own smoke flow (register, create a room, a socket.io message with its
 * acknowledgement, the room's history) from this machine through the same entry point.
 */
export async function checkUserFlow(checks: Checks, baseUrl: string): Promise<void> {
  const page = await checks.check('web client page through the Ingress (GET /)', async () => {
    const answer = await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(10_000) });
    const body = await answer.text();
    if (answer.status !== 200 || !(answer.headers.get('content-type') ?? '').includes('text/html')) throw new Error(`answered ${answer.status} ${answer.headers.get('content-type')}`);
    if (!/<script[^>]+src=/.test(body)) throw new Error('the page loads no script');
    return body;
  });
  if (page) {
    await checks.check('web client bundle through the Ingress', async () => {
      const script = /<script[^>]+src="([^"]+)"/.exec(page)?.[1] ?? '';
      const answer = await fetch(new URL(script, `${baseUrl}/`), { signal: AbortSignal.timeout(10_000) });
      const body = await answer.text();
      if (answer.status !== 200 || body.length < 1000) throw new Error(`${script} answered ${answer.status} with ${body.length} bytes`);
      return script;
    });
  }
  await checks.check('user flow through the Ingress: register, room, socket.io message, history', async () => {
    const result = await runCommand(process.execPath, ['--experimental-websocket', join(CHART_DIR, 'files', 'smoke-test.mjs')], {
      env: { PATH: process.env.PATH ?? '', AUTH_URL: baseUrl, CHAT_URL: baseUrl, SMOKE_TIMEOUT_MS: '60000' },
      timeoutMs: 90_000,
    });
    if (result.code !== 0) throw new Error(`exit ${result.code}: ${(result.stdout + result.stderr).trim().slice(-1500)}`);
    return result.stdout.trim().split('\n').length;
  }, (steps) => `${steps} steps`);
}
