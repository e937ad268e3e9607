export { QUEUE_NAMES, QUEUE_PAYLOADS, ALL_QUEUES, isQueueName } from './queue-names.js';
export type { QueueName, JobOf } from './queue-names.js';
export { QUEUE_POLICIES, jobOptionsFor } from './queue-policy.js';
export type { QueuePolicy } from './queue-policy.js';
export { createProducer } from './producer.js';
export type { Producer, ProducedJob } from './producer.js';
export { startConsumer } from './consumer.js';
export type { ConsumerSettings } from './consumer.js';
export { openQueue, bullQueueName, queueBullPrefix } from './open-queue.js';
export { createMessageKeyLayout, messageKeyPlacement } from './message-key-layout.js';
export type { MessageKeyLayout } from './message-key-layout.js';
export {
  messageShardOf,
  messageQueueName,
  messageQueueNames,
  isMessageQueueName,
  shardOfMessageQueue,
  parseShardSelection,
  MAX_MESSAGE_QUEUE_SHARDS,
  MESSAGE_QUEUE_NAME_PATTERN,
} from './message-shards.js';
export type { QueueConnection } from './open-queue.js';
export { createQueueMetrics, GAUGED_STATES } from './queue-metrics.js';
export type { QueueMetrics, QueueMetricsOptions } from './queue-metrics.js';
export { JITTER_BACKOFF, jitterDelay, createJitterBackoffStrategy, MAX_JITTER_DELAY_MS } from './jitter-backoff.js';
export { jobTraceFields } from './job-trace-fields.js';
