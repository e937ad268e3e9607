import type { Message } from '@parley/contracts';
import { queryPrepared, type DataSource } from '@parley/db';
import { idsWrittenAfter } from './message-partitions.js';

interface EventRow {
  id: string;
  seq: string;
  room_id: string;
  sender_id: string;
  body: string;
  created_at: Date | string;
  kind: 'edit' | 'delete' | 'reaction_add' | 'reaction_remove';
  target_id: string;
  emoji: string | null;
}

/** The events that target messages `$1` (ids), read from id `$2` on (idsWrittenAfter). */
export const EVENTS_TARGETING_SQL = `SELECT id::text AS id, seq, room_id, sender_id, body, created_at, kind, target_id::text AS target_id, emoji
  FROM chat.messages
 WHERE target_id = ANY($1::bigint[]) AND id >= $2::bigint`;

/**
 * Folds stored timeline events into the messages they change (docs/decisions/0021-timeline-events.md).
 *
 * Every operation is idempotent and ordered by the room sequence, not by arrival: an edit applies
 * only over an older edit (`edit_seq`), a deletion is final, a reaction row keeps the event with
 * the highest sequence. So applying an event again, or events in another order, gives the same
 * state. Applied here: the batch's own events (again on a re-run: harmless), and for the batch's
 * messages the events stored before them (an event whose message's job was retried). Of two
 * jobs storing a message and its event concurrently, at least one sees the other committed.
 */
export async function foldTimelineEvents(dataSource: DataSource, batch: Message[]): Promise<number> {
  const own: EventRow[] = [];
  const messageIds: string[] = [];
  for (const item of batch) {
    if (!item.kind || item.kind === 'message') messageIds.push(item.id);
    else own.push({ ...item, kind: item.kind, target_id: item.targetId!, room_id: item.roomId, sender_id: item.senderId, created_at: item.createdAt, emoji: item.emoji ?? null, seq: String(item.seq) });
  }
  // One indexed read per batch (usually answering nothing), prepared and bounded below by id
  // (events are written after their targets): planning and running it over every partition of
  // chat.messages cost more than what it finds.
  const earlier =
    messageIds.length === 0
      ? []
      : await queryPrepared<EventRow>(
          dataSource,
          'parley_events_targeting',
          EVENTS_TARGETING_SQL,
          [messageIds, idsWrittenAfter(messageIds)],
        );
  const byId = new Map<string, EventRow>();
  for (const event of [...earlier, ...own]) byId.set(event.id, event);
  const events = [...byId.values()].sort((a, b) => Number(a.seq) - Number(b.seq));
  if (events.length === 0) return 0;
  const targets = new Set(events.map((event) => event.target_id));
  return dataSource.transaction(async (manager) => {
    for (const event of events) {
      const target = [event.target_id, event.room_id];
      if (event.kind === 'edit' || event.kind === 'delete') {
        // The original text, once, before anything changes it (a message row has its original
        // body until its first edit or deletion is folded, whichever comes first).
        await manager.query(
          `INSERT INTO chat.message_edits (event_id, message_id, kind, editor_id, body, seq, created_at)
           SELECT id, id, 'original', sender_id, body, seq, created_at FROM chat.messages
            WHERE id = $1 AND room_id = $2 AND kind = 'message' AND edit_seq IS NULL AND deleted_at IS NULL
           ON CONFLICT DO NOTHING`,
          target,
        );
        // Each edit's text and each deletion, whatever the order they are folded in.
        await manager.query(
          `INSERT INTO chat.message_edits (event_id, message_id, kind, editor_id, body, seq, created_at)
           SELECT $3, id, $4, $5, $6, $7, $8 FROM chat.messages WHERE id = $1 AND room_id = $2 AND kind = 'message'
           ON CONFLICT DO NOTHING`,
          [...target, event.id, event.kind, event.sender_id, event.kind === 'edit' ? event.body : '', event.seq, event.created_at],
        );
      }
      if (event.kind === 'edit') {
        const editable = `id = $1 AND room_id = $2 AND kind = 'message' AND deleted_at IS NULL AND sender_id = $3 AND (edit_seq IS NULL OR edit_seq < $4)`;
        await manager.query(`UPDATE chat.messages SET body = $5, edited_at = $6, edit_seq = $4 WHERE ${editable}`, [
          ...target,
          event.sender_id,
          event.seq,
          event.body,
          event.created_at,
        ]);
      } else if (event.kind === 'delete') {
        await manager.query(`UPDATE chat.messages SET body = '', deleted_at = $3 WHERE id = $1 AND room_id = $2 AND kind = 'message' AND deleted_at IS NULL`, [
          ...target,
          event.created_at,
        ]);
      } else {
        await manager.query(
          `INSERT INTO chat.message_reactions (message_id, emoji, user_id, seq, active, created_at)
           SELECT id, $3, $4, $5, $6, $7 FROM chat.messages WHERE id = $1 AND room_id = $2 AND kind = 'message'
           ON CONFLICT (message_id, emoji, user_id) DO UPDATE
             SET seq = excluded.seq, active = excluded.active, created_at = excluded.created_at
           WHERE chat.message_reactions.seq < excluded.seq`,
          [...target, event.emoji, event.sender_id, event.seq, event.kind === 'reaction_add', event.created_at],
        );
      }
      await manager.query('UPDATE chat.messages SET state_seq = GREATEST(state_seq, $3) WHERE id = $1 AND room_id = $2', [...target, event.seq]);
    }
    // What a deletion removed stays out of history: the edits of a deleted message lose their text too.
    await manager.query(
      `UPDATE chat.messages AS e SET body = ''
         FROM chat.messages AS t
        WHERE e.target_id = ANY($1::bigint[]) AND e.kind = 'edit' AND e.body <> ''
          AND t.id = e.target_id AND t.deleted_at IS NOT NULL`,
      [[...targets]],
    );
    return events.length;
  });
}

/**
 * A message's text through time, for moderators: the original, each edit's text and each
 * deletion, in the room's sequence order.
 */
export async function fetchMessageRevisions(
  dataSource: DataSource,
  messageId: string,
): Promise<Array<{ eventId: string; kind: 'original' | 'edit' | 'delete'; editorId: string; body: string; createdAt: string }>> {
  const rows = (await dataSource.query(
    `SELECT event_id::text AS event_id, kind, editor_id, body, created_at FROM chat.message_edits WHERE message_id = $1 ORDER BY seq, event_id`,
    [messageId],
  )) as Array<{ event_id: string; kind: 'original' | 'edit' | 'delete'; editor_id: string; body: string; created_at: Date }>;
  return rows.map((row) => ({ eventId: row.event_id, kind: row.kind, editorId: row.editor_id, body: row.body, createdAt: row.created_at.toISOString() }));
}

/** Stored state of one message for authorizing a change to it (null when not stored). */
export async function findStoredTarget(
  dataSource: DataSource,
  roomId: string,
  messageId: string,
): Promise<{ senderId: string; kind: string; createdAt: string; deleted: boolean; emoji: string[] } | null> {
  const [row] = (await dataSource.query(
    `SELECT m.sender_id, m.kind, m.created_at, m.deleted_at IS NOT NULL AS deleted,
            ARRAY(SELECT DISTINCT r.emoji FROM chat.message_reactions AS r WHERE r.message_id = m.id AND r.active) AS emoji
       FROM chat.messages AS m WHERE m.id = $1 AND m.room_id = $2`,
    [messageId, roomId],
  )) as Array<{ sender_id: string; kind: string; created_at: Date; deleted: boolean; emoji: string[] }>;
  if (!row) return null;
  return { senderId: row.sender_id, kind: row.kind, createdAt: row.created_at.toISOString(), deleted: row.deleted, emoji: row.emoji };
}
