import { Counter, type Registry } from '@parley/metrics';

/** Replies, mentions and thread reads (docs/decisions/0034-replies-and-mentions.md). */
export interface ReplyMetrics {
  /** Sends that named a parent, by outcome: `accepted` or the refusal's error code. */
  replies: Counter<'outcome'>;
  /** Members resolved from `@username` at send time. */
  mentionsResolved: Counter;
  /** Sends whose mentions could not be resolved (the user service did not answer): sent without them. */
  mentionLookupFailures: Counter;
  /** Thread pages served. */
  threadReads: Counter;
}

export function createReplyMetrics(registry: Registry): ReplyMetrics {
  const registers = [registry];
  return {
    replies: new Counter({ name: 'parley_replies_total', help: 'Sends that replied to a message, by outcome.', labelNames: ['outcome'], registers }),
    mentionsResolved: new Counter({ name: 'parley_mentions_resolved_total', help: 'Room members mentioned by @username in sent messages.', registers }),
    mentionLookupFailures: new Counter({
      name: 'parley_mention_lookup_failures_total',
      help: 'Sends whose @usernames could not be resolved (user service unavailable); sent without mentions.',
      registers,
    }),
    threadReads: new Counter({ name: 'parley_thread_reads_total', help: 'Pages of thread replies served.', registers }),
  };
}
