import { z } from 'zod';

const jsonStringMap = (what: string) =>
  z
    .string()
    .optional()
    .transform((text, context): Record<string, string> | undefined => {
      if (text === undefined || text.trim() === '') return undefined;
      try {
        const parsed: unknown = JSON.parse(text);
        const record = z.record(z.string(), z.string()).safeParse(parsed);
        if (record.success) return record.data;
      } catch {
        // reported below
      }
      context.addIssue({ code: 'custom', message: `must be a JSON object of strings (${what})` });
      return z.NEVER;
    });

/** Every environment variable the key-bootstrap hook Job reads (set by the chart). */
export const configSchema = z.object({
  SIGNING_KEYS_SECRET: z
    .string()
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must name a Secret (a DNS subdomain)')
    .describe('Name of the Secret of signing-key JWK files to create when it is missing.'),
  POD_NAMESPACE: z
    .string()
    .min(1)
    .optional()
    .describe("Namespace of that Secret; defaults to the pod's service-account namespace."),
  SIGNING_KEYS_SECRET_LABELS: jsonStringMap('labels').describe('Labels of the created Secret, as a JSON object of strings.'),
  SIGNING_KEYS_SECRET_ANNOTATIONS: jsonStringMap('annotations').describe('Annotations of the created Secret, as a JSON object of strings.'),
});

export type KeyBootstrapConfig = z.infer<typeof configSchema>;
