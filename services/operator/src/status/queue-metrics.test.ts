import { describe, expect, it } from 'vitest';
import { parseQueueMetrics, totalWaiting } from './queue-metrics.js';

describe('parseQueueMetrics', () => {
  it('reads parley_queue_jobs per queue and state, ignoring other series', () => {
    const text = [
      '# HELP parley_queue_jobs Jobs per queue and state.',
      '# TYPE parley_queue_jobs gauge',
      'parley_queue_jobs{service="persistence-worker",queue="messages",state="waiting"} 12',
      'parley_queue_jobs{service="persistence-worker",queue="messages",state="active"} 4',
      'parley_queue_jobs{queue="mail",state="failed",service="persistence-worker"} 2 1700000000000',
      'parley_queue_jobs{queue="mail",state="paused"} 9',
      'parley_queue_jobs_total{queue="mail",state="waiting"} 99',
      'parley_http_request_duration_seconds_bucket{le="0.1"} 3',
    ].join('\n');
    const queues = parseQueueMetrics(text);
    expect(queues).toEqual({
      messages: { waiting: 12, active: 4, delayed: 0, failed: 0 },
      mail: { waiting: 0, active: 0, delayed: 0, failed: 2 },
    });
    expect(totalWaiting(queues)).toBe(12);
  });

  it('reads nothing from a text without the series', () => {
    expect(parseQueueMetrics('up 1\n')).toEqual({});
  });
});
