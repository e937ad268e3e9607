import { z } from 'zod';

export const QUEUE_NAMES = {
  mail: 'mail',
} as const;

export const mailJobSchema = z.object({
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
  /** Which template produced it, for logs and tests; never the secret itself. */
  kind: z.enum(['email-verification', 'password-reset', 'generic']),
});
export type MailJob = z.infer<typeof mailJobSchema>;
