import { Counter, Histogram, type Registry } from '@parley/metrics';

/**
 * How a message search ended: `hits` (at least one result), `empty` (none), `invalid` (the query
 * was refused), `refused` (not a member, no such room), `failed` (anything else).
 */
export const SEARCH_OUTCOMES = ['hits', 'empty', 'invalid', 'refused', 'failed'] as const;
export type SearchOutcome = (typeof SEARCH_OUTCOMES)[number];
/** Across the caller's rooms, or within one. */
export const SEARCH_SCOPES = ['all', 'room'] as const;
export type SearchScope = (typeof SEARCH_SCOPES)[number];

export interface SearchMetrics {
  searches: Counter<'outcome'>;
  searchSeconds: Histogram<'scope'>;
}

/** Message search metrics, on the service's registry. */
export function createSearchMetrics(registry: Registry): SearchMetrics {
  const registers = [registry];
  const metrics: SearchMetrics = {
    searches: new Counter({ name: 'parley_message_searches_total', help: 'Message searches, by outcome.', labelNames: ['outcome'], registers }),
    searchSeconds: new Histogram({
      name: 'parley_message_search_seconds',
      help: 'Time to answer a message search that reached the database (hits or empty), by scope.',
      labelNames: ['scope'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
  // Every series exists from the start, so rates and alerts see zeros rather than nothing.
  for (const outcome of SEARCH_OUTCOMES) metrics.searches.inc({ outcome }, 0);
  return metrics;
}
