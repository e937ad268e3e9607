import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_METRICS_PORTS, envPort, loadConfig, metricsEnv, serviceEnv } from '@parley/config';

/** Every variable the web server reads; `npm run docs:config` renders the table from these. */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: envPort(8085).describe('HTTP port of the web server (the built browser client).'),
  ...metricsEnv(DEFAULT_METRICS_PORTS.web),
  STATIC_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Folder of the built browser client (`index.html` and `assets/`). Defaults to `services/web/dist`, beside the server; a relative path is taken from the working directory.',
    ),
});

export type WebConfig = z.infer<typeof configSchema> & { STATIC_DIR: string };

/** The client build sits beside the compiled server: `dist-server/` → `dist/`. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../dist', import.meta.url));

export function loadWebConfig(env: Record<string, string | undefined> = process.env): WebConfig {
  const config = loadConfig(configSchema, env);
  const staticDir = config.STATIC_DIR ?? DEFAULT_STATIC_DIR;
  return { ...config, STATIC_DIR: isAbsolute(staticDir) ? staticDir : resolve(staticDir) };
}
