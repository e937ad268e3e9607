import type { TraceCarrier } from '@parley/tracing';

/**
 * Starts a message's `notifications enqueue` span; `end` once the job is added (or failed).
 * Declared here, by the notification producer that uses it; messages/message-spans.ts
 * implements it within the message's trace.
 */
export interface NotificationEnqueueTracing {
  start(messageId: string): { carrier: TraceCarrier | undefined; end(error?: unknown): void };
}
