import { NS, quantileTargets, RATE, type DashboardSpec } from './dashboard-kit.js';

const WORKER = `${NS}, service="persistence-worker"`;

/** BullMQ queues (`messages` and its shards, `notifications`, `mail`) and how far PostgreSQL lags behind acks. */
export const queuesPersistence: DashboardSpec = {
  uid: 'parley-queues-persistence',
  title: 'Parley queues & persistence',
  description: 'BullMQ queue depth, throughput, failures, retries and stalled jobs, and the lag from a message’s ack to its row in PostgreSQL. Each shard of `messages` (MESSAGE_QUEUE_SHARDS) is a queue of its own here: `messages`, `messages-1`, ….',
  variables: [{ name: 'queue', label: 'Queue', query: 'label_values(parley_queue_jobs{namespace="$namespace"}, queue)', multi: true, includeAll: true }],
  rows: [
    {
      title: 'Depth',
      panels: [
        {
          title: 'Acknowledged messages waiting for PostgreSQL',
          description: 'Messages (not jobs) that senders were told are accepted and that are not stored yet: the ledger the accept script writes and the worker clears, read by every chat-socket pod, so it stays true while the worker is stopped.',
          targets: [{ expr: `max(parley_messages_unpersisted{${NS}})`, legend: 'messages' }],
        },
        {
          title: 'Oldest waiting job per queue',
          description: 'Age of the oldest job waiting for a worker, per queue (sampled by every chat-socket pod).',
          unit: 's',
          targets: [{ expr: `max by (queue) (parley_queue_oldest_waiting_age_seconds{${NS}, queue=~"$queue"})`, legend: '{{queue}}' }],
        },
        {
          title: 'Jobs waiting per queue',
          description: 'Jobs waiting for a worker (sampled from BullMQ at scrape time by every worker and chat-socket pod, hence `max`). Growing for 10 minutes fires ParleyQueueBacklogGrowing; KEDA scales the worker on it.',
          targets: [{ expr: `max by (queue) (parley_queue_jobs{${NS}, state="waiting", queue=~"$queue"})`, legend: '{{queue}}' }],
        },
        {
          title: 'Jobs by state',
          description: 'Waiting, active (being processed), delayed (waiting for a retry backoff) and failed (kept 14 days; `npm run jobs:retry-failed` re-queues them) per queue.',
          stacked: true,
          targets: [{ expr: `max by (queue, state) (parley_queue_jobs{${NS}, queue=~"$queue"})`, legend: '{{queue}} {{state}}' }],
        },
      ],
    },
    {
      title: 'Throughput and failures',
      panels: [
        {
          title: 'Jobs completed per second',
          description: 'Jobs that completed, per queue (a `messages` job is one batch of messages).',
          unit: 'ops',
          width: 8,
          targets: [{ expr: `sum by (queue) (rate(parley_jobs_completed_total{${WORKER}, queue=~"$queue"}[${RATE}]))`, legend: '{{queue}}' }],
        },
        {
          title: 'Failed attempts retried per second',
          description: 'Attempts that failed and will be retried after a jittered exponential backoff (a database outage shows here first).',
          unit: 'ops',
          width: 8,
          targets: [{ expr: `sum by (queue) (rate(parley_job_retries_total{${WORKER}, queue=~"$queue"}[${RATE}]))`, legend: '{{queue}}' }],
        },
        {
          title: 'Jobs failed for good',
          description: 'Jobs that used up their attempts (or were malformed) in the last hour, per queue: ParleyMessageJobsFailed / ParleyJobsFailed.',
          width: 8,
          targets: [{ expr: `sum by (queue) (increase(parley_jobs_failed_total{${WORKER}, queue=~"$queue"}[1h]))`, legend: '{{queue}}' }],
        },
        {
          title: 'Stalled jobs recovered',
          description: 'Active jobs whose lock lapsed (their worker died or hung) and that went back to the queue, per queue.',
          width: 8,
          targets: [{ expr: `sum by (queue) (increase(parley_jobs_stalled_total{${WORKER}, queue=~"$queue"}[${RATE}]))`, legend: '{{queue}}' }],
        },
        {
          title: 'Job duration p95 per queue',
          description: 'Processing time of one job attempt, per queue (`parley_job_duration_seconds`).',
          unit: 's',
          width: 8,
          targets: [
            {
              expr: `histogram_quantile(0.95, sum by (le, queue) (rate(parley_job_duration_seconds_bucket{${WORKER}, queue=~"$queue"}[${RATE}])))`,
              legend: '{{queue}}',
            },
          ],
        },
        {
          title: 'Messages set aside (dead letters)',
          description: 'Acknowledged messages the worker could not store in the last hour (PostgreSQL refused the row, or it was malformed), by reason; the rest of their batch was stored. `npm run messages:dead-letter -- --list` shows them: ParleyMessagesDeadLettered.',
          width: 8,
          targets: [{ expr: `sum by (reason) (increase(parley_messages_dead_lettered_total{${WORKER}}[1h]))`, legend: '{{reason}}' }],
        },
        {
          title: 'Message partitions created',
          description: 'Weekly partitions of chat.messages created in the last hour, by trigger: `maintenance` (the hourly timer, ahead of time) or `insert` (a batch found no partition for its messages; the worker created it and stored the batch). Any `insert` means partition maintenance fell behind: look for `message partition maintenance failed` in the worker logs.',
          width: 8,
          targets: [{ expr: `sum by (trigger) (increase(parley_message_partitions_created_total{${WORKER}}[1h]))`, legend: '{{trigger}}' }],
        },
      ],
    },
    {
      title: 'Persistence lag',
      panels: [
        {
          title: 'Oldest acknowledged message not in PostgreSQL',
          description: 'Now minus the acceptance time of the oldest acknowledged message not yet stored (`parley_persistence_lag_oldest_seconds`, 0 when all are stored). Grows during any outage of the path to PostgreSQL: above 20 s for 1 minute fires ParleyMessagesNotPersisted.',
          unit: 's',
          targets: [{ expr: 'max(namespace:parley_persistence_lag_oldest_seconds:max{namespace="$namespace"})', legend: 'oldest' }],
        },
        {
          title: 'Persistence lag p50 / p95 / p99',
          description: 'From a message’s acceptance by chat-socket to its batch being committed in PostgreSQL (`parley_persistence_lag_seconds`). Observed when a batch commits, so it says nothing during an outage: read the panel above for that.',
          unit: 's',
          targets: quantileTargets('parley_persistence_lag_seconds', [], 'service="persistence-worker"'),
        },
        {
          title: 'Messages persisted per second',
          description: 'Messages committed to PostgreSQL (first inserts only; a re-run batch’s duplicates are not counted).',
          unit: 'ops',
          targets: [{ expr: `sum(rate(parley_persistence_lag_seconds_count{${WORKER}}[${RATE}]))`, legend: 'messages' }],
        },
        {
          title: 'Jobs per INSERT (store rounds)',
          description: 'Mean number of `messages` jobs whose messages one INSERT stored (`parley_message_store_round_jobs`): 1 on a quiet worker, up to MESSAGES_CONCURRENCY when jobs pile up (docs/decisions/0045-shared-store-rounds.md). Near MESSAGES_CONCURRENCY for long: the worker tier is the bottleneck.',
          unit: 'short',
          targets: [{ expr: `sum(rate(parley_message_store_round_jobs_sum{${WORKER}}[${RATE}])) / sum(rate(parley_message_store_round_jobs_count{${WORKER}}[${RATE}]))`, legend: 'jobs per INSERT' }],
        },
      ],
    },
  ],
};
