import type { Message, NotificationJob } from '@parley/contracts';
import type { ProducedJob, Producer } from '@parley/queues';
import type { RoomMember } from './room-audience.js';

/** Job id that makes enqueuing a message's mention job again a no-op. */
export const mentionNotificationJobId = (messageId: string) => `mention-${messageId}`;

/**
 * Enqueues one `mention` job per stored message that mentions someone other than its sender who
 * is still a member of the room (docs/decisions/0034-replies-and-mentions.md). Online or not:
 * the job records a notification row for each and relays it live; the client decides whether
 * the room is in view. Those with no socket online are named too, for the email digest.
 * Deterministic job ids: a re-run of the batch adds nothing.
 */
export async function enqueueMentionNotifications(producer: Producer<'notifications'>, messages: Message[], audience: Map<string, RoomMember[]>): Promise<number> {
  const jobs = messages.flatMap((message): Array<ProducedJob<'notifications'>> => {
    if ((message.kind ?? 'message') !== 'message' || !message.mentions || message.mentions.length === 0) return [];
    const members = new Map((audience.get(message.roomId) ?? []).map((member) => [member.userId, member]));
    const mentionedUserIds = [...new Set(message.mentions)].filter((userId) => userId !== message.senderId && members.has(userId));
    if (mentionedUserIds.length === 0) return [];
    const offlineUserIds = mentionedUserIds.filter((userId) => members.get(userId)?.online === false);
    const data: NotificationJob = { kind: 'mention', message, mentionedUserIds, ...(offlineUserIds.length > 0 ? { offlineUserIds } : {}) };
    return [{ name: 'mention', data, jobId: mentionNotificationJobId(message.id) }];
  });
  if (jobs.length > 0) await producer.addBulk(jobs);
  return jobs.length;
}
