import { createHash } from 'node:crypto';
import type { DataSource } from '@parley/db';

/** Why a message was set aside instead of stored. */
export const DEAD_LETTER_REASONS = ['malformed_message', 'rejected_by_database'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export interface DeadLetterInput {
  /** The message exactly as the job carried it (it may be malformed). */
  message: unknown;
  jobId: string | undefined;
  reason: DeadLetterReason;
  /** PostgreSQL's SQLSTATE, when the database refused the row. */
  sqlstate?: string;
  error: string;
}

export interface DeadLetter {
  id: string;
  messageId: string | null;
  roomId: string | null;
  senderId: string | null;
  jobId: string | null;
  reason: DeadLetterReason;
  sqlstate: string | null;
  error: string;
  deadLetteredAt: string;
  /** The message as the job carried it. */
  payload: unknown;
}

interface DeadLetterRow {
  id: string;
  message_id: string | null;
  room_id: string | null;
  sender_id: string | null;
  job_id: string | null;
  reason: DeadLetterReason;
  sqlstate: string | null;
  error: string;
  dead_lettered_at: Date;
  payload: string;
}

/** Short identifiers copied to their own columns only when they are plain text. */
const listable = (value: unknown): string | null => (typeof value === 'string' && value.length <= 100 && !/[\p{Cc}\p{Cs}]/u.test(value) ? value : null);
/** What a text column cannot hold at all (U+0000, unpaired surrogates) becomes U+FFFD. */
const storable = (value: string, max: number): string => value.replace(/[\u0000\p{Cs}]/gu, '\uFFFD').slice(0, max);

/**
 * Sets messages aside in `chat.message_dead_letters` (docs/decisions/message-dead-letters.md).
 * The payload is kept as JSON text, which escapes what PostgreSQL refused in the first place
 * (U+0000, unpaired surrogates); its hash makes a re-run of the same job a no-op. Returns the
 * reasons of those newly set aside (one per message).
 */
export async function insertDeadLetters(dataSource: DataSource, letters: DeadLetterInput[]): Promise<DeadLetterReason[]> {
  if (letters.length === 0) return [];
  const rows = letters.map((letter) => {
    const payload = JSON.stringify(letter.message) ?? 'null';
    const fields = (typeof letter.message === 'object' && letter.message !== null ? letter.message : {}) as Record<string, unknown>;
    return {
      payload,
      sha256: createHash('sha256').update(payload).digest('hex'),
      messageId: listable(fields.id),
      roomId: listable(fields.roomId),
      senderId: listable(fields.senderId),
      jobId: listable(letter.jobId),
      reason: letter.reason,
      sqlstate: listable(letter.sqlstate),
      error: storable(letter.error, 2_000),
    };
  });
  const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
  const inserted: Array<{ reason: DeadLetterReason }> = await dataSource.query(
    `INSERT INTO chat.message_dead_letters (payload, payload_sha256, message_id, room_id, sender_id, job_id, reason, sqlstate, error)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
     ON CONFLICT (payload_sha256) DO NOTHING
     RETURNING reason`,
    [
      column('payload'),
      column('sha256'),
      column('messageId'),
      column('roomId'),
      column('senderId'),
      column('jobId'),
      column('reason'),
      column('sqlstate'),
      column('error'),
    ],
  );
  return inserted.map((row) => row.reason);
}

const COLUMNS = 'id::text AS id, message_id, room_id, sender_id, job_id, reason, sqlstate, error, dead_lettered_at, payload';

/** The newest dead letters first. */
export async function listDeadLetters(dataSource: DataSource, limit: number): Promise<DeadLetter[]> {
  const rows: DeadLetterRow[] = await dataSource.query(`SELECT ${COLUMNS} FROM chat.message_dead_letters ORDER BY dead_lettered_at DESC, id DESC LIMIT $1`, [limit]);
  return rows.map(toDeadLetter);
}

export async function findDeadLetter(dataSource: DataSource, id: string): Promise<DeadLetter | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const rows: DeadLetterRow[] = await dataSource.query(`SELECT ${COLUMNS} FROM chat.message_dead_letters WHERE id = $1`, [id]);
  return rows[0] && toDeadLetter(rows[0]);
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    messageId: row.message_id,
    roomId: row.room_id,
    senderId: row.sender_id,
    jobId: row.job_id,
    reason: row.reason,
    sqlstate: row.sqlstate,
    error: row.error,
    deadLetteredAt: row.dead_lettered_at.toISOString(),
    payload: JSON.parse(row.payload) as unknown,
  };
}
