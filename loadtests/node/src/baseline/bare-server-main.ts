import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { startBareServer } from './bare-server.js';

/**
 * One process of the bare baseline (started twice by `startBareCluster`): reads its settings
 * from the environment, prints `{"port":N}` on stdout once it listens, and closes on SIGTERM or
 * when the benchmark that started it goes away.
 */
const envSchema = z.object({
  BARE_REDIS_URL: z.string().min(1),
  BARE_KEY_PREFIX: z.string().min(1),
  BARE_ADAPTER: z.enum(['sharded', 'classic']),
  BARE_MEMBERSHIP_FILE: z.string().min(1),
  BARE_PROCESS_INDEX: z.coerce.number().int().min(0).max(3),
});

/** The membership file: user id → room ids, written by the benchmark. */
const membershipSchema = z.record(z.string(), z.array(z.string()));

async function main(): Promise<void> {
  const env = envSchema.parse(process.env);
  const membership = membershipSchema.parse(JSON.parse(await readFile(env.BARE_MEMBERSHIP_FILE, 'utf8')));
  const server = await startBareServer({
    redisUrl: env.BARE_REDIS_URL,
    keyPrefix: env.BARE_KEY_PREFIX,
    adapter: env.BARE_ADAPTER,
    membership: new Map(Object.entries(membership)),
    processIndex: env.BARE_PROCESS_INDEX,
  });
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  const stop = () => void server.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  // The benchmark is gone (its IPC channel closed): do not outlive it.
  process.once('disconnect', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bare server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
