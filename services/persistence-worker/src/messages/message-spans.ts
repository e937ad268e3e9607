import type { Message } from '@parley/contracts';
import {
  contextFromCarrier,
  contextWithSpan,
  linksTo,
  recordFailure,
  spanContextOf,
  SpanKind,
  startSpan,
  traceCarrierOf,
  type Span,
  type TraceCarrier,
} from '@parley/tracing';
import type { NotificationEnqueueTracing } from '../notifications/notification-enqueue-tracing.js';
import { workerTracer } from '../queues/job-trace.js';

/**
 * A batch job persists messages of many traces. The job's own span (`messages persist`)
 * continues the batch's trace and links to every message; this keeps, for each message that
 * carries its trace context (`messageTraces`), spans in the MESSAGE's trace:
 *
 *   messages process (consumer, child of chat-socket's `messages enqueue`)
 *     ├─ INSERT chat.messages      (the batch statement, as this message lived it)
 *     └─ notifications enqueue     (producer; its context rides in the notification job)
 *
 * so one message reads as one trace from the socket to PostgreSQL and its notification.
 * Everything here is a no-op when tracing is off or a message carries no context.
 */
export class MessageSpans implements NotificationEnqueueTracing {
  private readonly processing = new Map<string, Span>();

  constructor(messages: Message[], messageTraces: Record<string, TraceCarrier> | undefined) {
    // Started inside the job span: it is the active one, and each message links back to it.
    const jobLink = linksTo([spanContextOf()]);
    for (const message of messages) {
      const carrier = messageTraces?.[message.id];
      if (!carrier) continue;
      const parent = contextFromCarrier(carrier);
      if (!spanContextOf(parent)) continue;
      this.processing.set(
        message.id,
        startSpan(workerTracer, 'messages process', {
          parent,
          kind: SpanKind.CONSUMER,
          links: jobLink,
          attributes: {
            'messaging.system': 'bullmq',
            'messaging.operation.type': 'process',
            'messaging.destination.name': 'messages',
            'messaging.batch.message_count': messages.length,
            'parley.message.id': message.id,
            'parley.room.id': message.roomId,
          },
        }),
      );
    }
  }

  /**
   * Wraps the batch insert: one span per traced message, with the statement's timing. A message
   * the database refused (set aside as a dead letter) gets a failed span with that error.
   */
  async recordInsert<T extends { insertedIds: string[]; refused?: Array<{ message: { id: string }; error: unknown }> }>(insert: () => Promise<T>): Promise<T> {
    const spans = new Map<string, Span>();
    for (const [id, parent] of this.processing) {
      spans.set(
        id,
        startSpan(workerTracer, 'INSERT chat.messages', {
          parent: contextWithSpan(parent),
          kind: SpanKind.CLIENT,
          attributes: { 'db.system.name': 'postgresql', 'db.operation.name': 'INSERT', 'db.collection.name': 'chat.messages', 'db.operation.batch.size': this.processing.size },
        }),
      );
    }
    try {
      const inserted = await insert();
      const stored = new Set(inserted.insertedIds);
      const refused = new Map((inserted.refused ?? []).map((entry) => [entry.message.id, entry.error]));
      for (const [id, span] of spans) {
        if (refused.has(id)) {
          span.setAttribute('parley.message.dead_lettered', true);
          recordFailure(span, refused.get(id));
        } else {
          span.setAttribute('parley.message.duplicate', !stored.has(id));
        }
        span.end();
      }
      return inserted;
    } catch (error) {
      for (const span of spans.values()) {
        recordFailure(span, error);
        span.end();
      }
      throw error;
    }
  }

  start(messageId: string): { carrier: TraceCarrier | undefined; end(error?: unknown): void } {
    const parent = this.processing.get(messageId);
    if (!parent) return { carrier: undefined, end: () => undefined };
    const span = startSpan(workerTracer, 'notifications enqueue', {
      parent: contextWithSpan(parent),
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'bullmq', 'messaging.operation.type': 'send', 'messaging.destination.name': 'notifications', 'parley.message.id': messageId },
    });
    return {
      carrier: traceCarrierOf(contextWithSpan(span)),
      end(error?: unknown) {
        if (error !== undefined) recordFailure(span, error);
        span.end();
      },
    };
  }

  /** Ends every message's span, failed when the job failed. */
  end(error?: unknown): void {
    for (const span of this.processing.values()) {
      if (error !== undefined) recordFailure(span, error);
      span.end();
    }
    this.processing.clear();
  }
}
