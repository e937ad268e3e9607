import { Gauge, type Registry } from 'prom-client';
import { z } from 'zod';

/**
 * What the image was built from: the Dockerfile bakes its VERSION and REVISION build arguments
 * into PARLEY_VERSION and PARLEY_REVISION (not settings: nothing behaves differently by them).
 * Outside an image (tests, `npm start`) they read `dev` and `unknown`.
 */
const buildSchema = z.object({
  PARLEY_VERSION: z.string().regex(/^[0-9A-Za-z.+_-]{1,64}$/).default('dev'),
  PARLEY_REVISION: z.string().regex(/^[0-9A-Za-z._-]{1,64}$/).default('unknown'),
});

/** `parley_build_info{version,revision,node_version} 1`: join on it to see which build a series came from. */
export function registerBuildInfo(registry: Registry, env: NodeJS.ProcessEnv = process.env): void {
  const parsed = buildSchema.safeParse({ PARLEY_VERSION: env.PARLEY_VERSION || undefined, PARLEY_REVISION: env.PARLEY_REVISION || undefined });
  const build = parsed.success ? parsed.data : { PARLEY_VERSION: 'invalid', PARLEY_REVISION: 'invalid' };
  new Gauge({
    name: 'parley_build_info',
    help: 'Always 1; labelled with the build (image VERSION and REVISION) and the Node.js version.',
    labelNames: ['version', 'revision', 'node_version'] as const,
    registers: [registry],
  }).set({ version: build.PARLEY_VERSION, revision: build.PARLEY_REVISION, node_version: process.versions.node }, 1);
}
