import { createHash } from 'node:crypto';
import { trace } from '@opentelemetry/api';

/**
 * Tail sampling that keeps a message's trace and the trace of the batch that carried it
 * together (the collector decides each trace on its own, so two random decisions would keep a
 * message without its batch most of the time). Every message gets a bucket 0–99 from its id,
 * on its `messages enqueue` span; every batch gets the lowest bucket of its messages, on its
 * `messages accept` span. The collector keeps traces whose `parley.sample.bucket` is below its
 * percentage (observability/otel/collector.yaml): a kept message's batch has a bucket at most
 * the message's, so it is kept too.
 */
export const SAMPLE_BUCKET_ATTRIBUTE = 'parley.sample.bucket';

/** A message's bucket, 0–99, uniform over ids and the same in every process. */
export function sampleBucket(messageId: string): number {
  return createHash('sha256').update(messageId).digest().readUInt32BE(0) % 100;
}

/** A batch's bucket: its lowest message bucket. */
export function batchSampleBucket(messageIds: string[]): number {
  let lowest = 99;
  for (const id of messageIds) lowest = Math.min(lowest, sampleBucket(id));
  return lowest;
}

/** Puts the batch's bucket on the active span (the batch span the messages are accepted in). */
export function markBatchSampleBucket(messageIds: string[]): void {
  if (messageIds.length > 0) trace.getActiveSpan()?.setAttribute(SAMPLE_BUCKET_ATTRIBUTE, batchSampleBucket(messageIds));
}
