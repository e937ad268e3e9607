import type { Message, NotificationJob } from '@parley/contracts';
import type { ProducedJob, Producer } from '@parley/queues';
import type { NotificationEnqueueTracing } from './notification-enqueue-tracing.js';
import type { RoomMember } from './room-audience.js';

/** Job id that makes enqueuing a message's notification job again a no-op. */
export const messageNotificationJobId = (messageId: string) => `message-${messageId}`;

/**
 * Enqueues one `notifications` job per message that has offline recipients (members other
 * than the sender with no socket online). Deterministic job ids: when a persisted batch is
 * processed again (a retry, a crash before the ack), BullMQ ignores the repeated adds. Each job
 * carries its message's trace context (from `tracing`), so the notification continues that trace.
 */
export async function enqueueMessageNotifications(
  producer: Producer<'notifications'>,
  messages: Message[],
  audience: Map<string, RoomMember[]>,
  tracing?: NotificationEnqueueTracing,
): Promise<number> {
  const started: Array<{ end(error?: unknown): void }> = [];
  const jobs = messages.flatMap((message): Array<ProducedJob<'notifications'>> => {
    const offlineUserIds = (audience.get(message.roomId) ?? [])
      .filter((member) => !member.online && member.userId !== message.senderId)
      .map((member) => member.userId);
    if (offlineUserIds.length === 0) return [];
    const span = tracing?.start(message.id);
    if (span) started.push(span);
    const trace = span?.carrier;
    const data: NotificationJob = { kind: 'message', message, offlineUserIds, ...(trace ? { trace } : {}) };
    return [{ name: 'message', data, jobId: messageNotificationJobId(message.id) }];
  });
  try {
    await producer.addBulk(jobs);
  } catch (error) {
    for (const span of started) span.end(error);
    throw error;
  }
  for (const span of started) span.end();
  return jobs.length;
}
