import type { JobsOptions, Queue } from 'bullmq';
import { openQueue, type QueueConnection } from './open-queue.js';
import { QUEUE_PAYLOADS, type JobOf, type QueueName } from './queue-names.js';
import { jobOptionsFor } from './queue-policy.js';

export interface ProducedJob<Q extends QueueName> {
  /** BullMQ job name (shown in tools and logs). */
  name: string;
  data: JobOf<Q>;
  /** A deterministic id makes adding the same job again a no-op while the first is kept. */
  jobId?: string;
  /** Run the job no earlier than this many ms from now (a delayed job). */
  delayMs?: number;
}

export interface Producer<Q extends QueueName> {
  readonly name: Q;
  /** The BullMQ queue's name (differs from `name` for a shard of `messages` other than 0). */
  readonly queueName: string;
  /** Validates the data against the queue's schema and adds the job with the queue's policy; returns its id. */
  add(job: ProducedJob<Q>): Promise<string | undefined>;
  /** `add` for many jobs in one round trip. */
  addBulk(jobs: ReadonlyArray<ProducedJob<Q>>): Promise<void>;
  /**
   * The queue's BullMQ handle and job options, for a producer that writes its job inside a
   * script of its own (chat-socket's accept script) rather than with `add`.
   */
  readonly queue: Queue<JobOf<Q>>;
  readonly jobOptions: Readonly<JobsOptions>;
  close(): Promise<void>;
}

/** Adds jobs to one queue, each with that queue's policy (attempts, backoff, retention). */
export function createProducer<Q extends QueueName>(queue: Q, settings: QueueConnection): Producer<Q> {
  const handle = openQueue(queue, settings);
  const schema = QUEUE_PAYLOADS[queue];
  const jobOptions = jobOptionsFor(queue);
  const toBulk = (job: ProducedJob<Q>) => ({
    name: job.name,
    data: schema.parse(job.data) as JobOf<Q>,
    opts: {
      ...jobOptions,
      ...(job.jobId === undefined ? {} : { jobId: job.jobId }),
      ...(job.delayMs === undefined ? {} : { delay: job.delayMs }),
    },
  });
  // BullMQ's name type of a generic data type does not resolve; the data is typed by `ProducedJob`.
  const bull = handle as unknown as Queue;
  return {
    name: queue,
    queueName: handle.name,
    queue: handle,
    jobOptions,
    async add(job) {
      const { name, data, opts } = toBulk(job);
      return (await bull.add(name, data, opts)).id;
    },
    async addBulk(jobs) {
      if (jobs.length === 0) return;
      await bull.addBulk(jobs.map(toBulk));
    },
    close: () => handle.close(),
  };
}
