import { randomInt, randomUUID } from 'node:crypto';
import type { Redis } from '@parley/redis';
import { workerIdLeaseKey } from '@parley/keyspace';
import type { Logger } from '@parley/logger';
import { MAX_WORKER_ID } from './snowflake.js';

export interface WorkerIdLease {
  readonly workerId: number;
  /** Stops renewing and frees the id for the next pod. */
  release(): Promise<void>;
  /** Stops renewing without freeing (a crash): the lease lapses by itself. */
  abandon(): void;
}

export interface WorkerIdLeaseSettings {
  redis: Redis;
  redisKeyPrefix: string;
  logger: Logger;
  ttlMs?: number;
  /** Called when the lease was lost and another id was taken instead. */
  onChange(workerId: number): void;
}

const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Leases a snowflake worker id (0..1023) unique across pods: `SET snowflake:worker:<n> NX`
 * with a TTL, renewed by a heartbeat at a third of the TTL. If renewal finds the key gone or
 * taken (Redis lost it, or this process stalled past the TTL), another free id is leased.
 */
export async function leaseWorkerId(settings: WorkerIdLeaseSettings): Promise<WorkerIdLease> {
  const ttlMs = settings.ttlMs ?? 30_000;
  const owner = randomUUID();
  const keyOf = (workerId: number) => workerIdLeaseKey(settings.redisKeyPrefix, workerId);

  const acquire = async (): Promise<number> => {
    const start = randomInt(MAX_WORKER_ID + 1);
    for (let offset = 0; offset <= MAX_WORKER_ID; offset += 1) {
      const candidate = (start + offset) % (MAX_WORKER_ID + 1);
      const taken = await settings.redis.set(keyOf(candidate), owner, 'PX', ttlMs, 'NX');
      if (taken === 'OK') return candidate;
    }
    throw new Error('all 1024 snowflake worker ids are leased');
  };

  let workerId = await acquire();
  settings.logger.info({ workerId }, 'leased snowflake worker id');

  const renew = async () => {
    try {
      const renewed = await settings.redis.eval(RENEW_SCRIPT, 1, keyOf(workerId), owner, String(ttlMs));
      if (renewed === 1) return;
      const lost = workerId;
      workerId = await acquire();
      settings.logger.warn({ lost, workerId }, 'snowflake worker id lease was lost; leased another');
      settings.onChange(workerId);
    } catch (error) {
      settings.logger.warn({ err: error }, 'cannot renew the snowflake worker id lease');
    }
  };
  const timer = setInterval(() => void renew(), Math.max(100, Math.floor(ttlMs / 3)));
  timer.unref();

  return {
    get workerId() {
      return workerId;
    },
    async release() {
      clearInterval(timer);
      await settings.redis.eval(RELEASE_SCRIPT, 1, keyOf(workerId), owner).catch(() => undefined);
    },
    abandon() {
      clearInterval(timer);
    },
  };
}
