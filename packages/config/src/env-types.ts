import { z } from 'zod';

/** "true"/"false"/"1"/"0" from the environment. */
export const envBoolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

/** A comma-separated list, trimmed, empty items dropped. */
export const envList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    );

export const envPort = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const envInt = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

export const envUrl = () => z.url();
