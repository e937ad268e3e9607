import { z } from 'zod';
import { redisEnvProblems } from './common-env.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment against a service's schema. Throws ConfigError listing every bad
 * variable at once, so an operator fixes them in one round rather than one per restart.
 */
export function loadConfig<Schema extends z.ZodObject>(
  schema: Schema,
  env: Record<string, string | undefined> = process.env,
): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    );
  }
  const problems = redisEnvProblems(result.data as Record<string, unknown>);
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}
