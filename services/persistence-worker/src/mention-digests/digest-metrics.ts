import { Counter, type Registry } from '@parley/metrics';

/** Why a digest window ended without an email, or that it sent one. */
export const DIGEST_OUTCOMES = ['sent', 'skipped_nothing_unread', 'skipped_opted_out', 'skipped_no_address', 'skipped_unconfirmed_address'] as const;
export type DigestOutcome = (typeof DIGEST_OUTCOMES)[number];

export interface DigestMetrics {
  mentionDigests: Counter<'outcome'>;
}

export function createDigestMetrics(registry: Registry): DigestMetrics {
  const mentionDigests = new Counter({
    name: 'parley_mention_digests_total',
    help: 'Mention digest windows closed, by outcome: sent (one email queued), or skipped (nothing left unread, the user opted out, no address, or an address its owner has not confirmed).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of DIGEST_OUTCOMES) mentionDigests.inc({ outcome }, 0);
  return { mentionDigests };
}
