import { Router } from 'express';

export type ReadinessCheck = () => Promise<void>;

export interface HealthRouter {
  router: Router;
  /** Called on SIGTERM so load balancers stop sending traffic while we drain. */
  markDraining(): void;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * `/healthz`: the process is alive (no dependency checks, so a database outage never
 * restarts every pod). `/readyz`: every dependency answers, and we are not draining; `info`
 * adds facts an operator should see there without them deciding readiness (say, a durability
 * promise the Redis settings cannot keep).
 */
export function createHealthRouter(checks: Record<string, ReadinessCheck>, info?: () => Record<string, unknown>): HealthRouter {
  const router = Router();
  let draining = false;

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: 'draining', checks: {} });
      return;
    }
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check)] as const),
    );
    const ready = results.every(([, result]) => result === 'ok');
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ok' : 'unavailable', checks: Object.fromEntries(results), ...(info ? { info: info() } : {}) });
  });

  return {
    router,
    markDraining: () => {
      draining = true;
    },
  };
}

async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? `failed: ${error.message}` : 'failed';
  } finally {
    clearTimeout(timer);
  }
}
