import type { QueueCounts } from '../api/chat-platform-status.js';

const SAMPLE = /^parley_queue_jobs\{([^}]*)\}\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * Queue depths from a persistence-worker's Prometheus text (`parley_queue_jobs{queue,state}`,
 * BullMQ's counts sampled at scrape time; every worker pod reports the same shared queues).
 */
export function parseQueueMetrics(text: string): Record<string, QueueCounts> {
  const queues: Record<string, QueueCounts> = {};
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line.trim());
    if (!match) continue;
    const labels = Object.fromEntries([...(match[1] ?? '').matchAll(LABEL)].map((label) => [label[1], label[2]]));
    const value = Number(match[2]);
    const queue = labels.queue;
    const state = labels.state as (typeof STATES)[number] | undefined;
    if (!queue || !state || !STATES.includes(state) || !Number.isFinite(value)) continue;
    queues[queue] ??= { waiting: 0, active: 0, delayed: 0, failed: 0 };
    queues[queue][state] = value;
  }
  return queues;
}

export const totalWaiting = (queues: Record<string, QueueCounts>) =>
  Object.values(queues).reduce((sum, counts) => sum + counts.waiting, 0);

/** Reads `/metrics` of one worker pod. */
export async function fetchQueueDepths(baseUrl: string, timeoutMs: number): Promise<Record<string, QueueCounts>> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return parseQueueMetrics(await response.text());
}
