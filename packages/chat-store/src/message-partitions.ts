import type { DataSource } from '@parley/db';

/**
 * `chat.messages` is range-partitioned by id (docs/decisions/0039-partitioned-messages.md).
 * Message ids are snowflakes (chat-socket's ids/snowflake.ts): the milliseconds since this epoch
 * shifted left by 22 bits, so an id range is a time range and a partition holds one week.
 */
export const MESSAGE_ID_EPOCH_MS = Date.UTC(2024, 0, 1);
export const MESSAGE_ID_TIME_SHIFT = 22n;
/** One partition per week; weeks start on Mondays 00:00 UTC (the epoch was a Monday). */
export const PARTITION_MS = 7 * 24 * 3_600_000;
/** Partitions created ahead of the current week, so inserts never find none. */
export const DEFAULT_WEEKS_AHEAD = 4;

/** The advisory lock that serializes creating and dropping partitions (all workers, maintenance and inserts). */
export const MESSAGE_PARTITIONS_LOCK_KEY = 'parley-message-partitions';

/** The lowest message id of a moment (ids of earlier moments are below it). */
export function messageIdAt(ms: number): bigint {
  return BigInt(Math.max(0, Math.floor(ms) - MESSAGE_ID_EPOCH_MS)) << MESSAGE_ID_TIME_SHIFT;
}

/** How far a later message's id may fall below an earlier one's (pods' clocks differ). */
export const CLOCK_SKEW_MARGIN_MS = 3_600_000;

/**
 * A lower bound for the ids of messages written after any of `ids` (edits, reactions, replies of
 * them): the smallest, less CLOCK_SKEW_MARGIN_MS. A query bounded by it reads the partitions from
 * there on only, instead of every partition of the retention period.
 */
export function idsWrittenAfter(ids: Iterable<string>): string {
  let lowest: bigint | undefined;
  for (const id of ids) {
    const value = BigInt(id);
    if (lowest === undefined || value < lowest) lowest = value;
  }
  const bound = (lowest ?? 0n) - (BigInt(CLOCK_SKEW_MARGIN_MS) << MESSAGE_ID_TIME_SHIFT);
  return String(bound > 0n ? bound : 0n);
}

/** The start of the week (partition) a moment is in. */
export function partitionStart(ms: number): number {
  return MESSAGE_ID_EPOCH_MS + Math.floor((ms - MESSAGE_ID_EPOCH_MS) / PARTITION_MS) * PARTITION_MS;
}

/** `messages_p20261130`: the partition of the week starting that day. */
export function partitionName(startMs: number): string {
  return `messages_p${new Date(startMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

export interface MessagePartition {
  name: string;
  /** Inclusive lower id bound, null for MINVALUE. */
  from: bigint | null;
  /** Exclusive upper id bound. */
  to: bigint;
  /** A DETACH … CONCURRENTLY was interrupted: still to be finalized. */
  detachPending: boolean;
}

/** The partitions of `chat.messages`, oldest first. */
export async function listMessagePartitions(dataSource: DataSource): Promise<MessagePartition[]> {
  const rows = (await dataSource.query(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound, i.inhdetachpending AS pending
       FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'chat.messages'::regclass`,
  )) as Array<{ name: string; bound: string; pending: boolean }>;
  return rows
    .map((row) => {
      const match = /FROM \((MINVALUE|'?(\d+)'?)\) TO \('?(\d+)'?\)/.exec(row.bound);
      if (!match) throw new Error(`unexpected bound of chat.${row.name}: ${row.bound}`);
      return { name: row.name, from: match[2] ? BigInt(match[2]) : null, to: BigInt(match[3]!), detachPending: row.pending };
    })
    .sort((a, b) => (a.to < b.to ? -1 : 1));
}

/**
 * The statements that create the partition of one week, empty: a table like the parent with the
 * uniqueness PostgreSQL cannot enforce across partitions enforced inside it, then attached
 * (ATTACH takes SHARE UPDATE EXCLUSIVE on the parent, CREATE … PARTITION OF would block reads
 * and writes). The CHECK spares ATTACH its scan and goes afterwards.
 */
export function createPartitionStatements(name: string, from: bigint, to: bigint): string[] {
  return [
    `CREATE TABLE chat.${name} (LIKE chat.messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
    `ALTER TABLE chat.${name} ADD CONSTRAINT ${name}_range_check CHECK (id >= ${from} AND id < ${to})`,
    `CREATE UNIQUE INDEX ${name}_room_seq_uq ON chat.${name} (room_id, seq)`,
    `CREATE UNIQUE INDEX ${name}_sender_client_msg_uq ON chat.${name} (sender_id, client_msg_id)`,
    `ALTER TABLE chat.messages ATTACH PARTITION chat.${name} FOR VALUES FROM (${from}) TO (${to})`,
    `ALTER TABLE chat.${name} DROP CONSTRAINT ${name}_range_check`,
  ];
}

/**
 * Creates the partitions from the current week (or the newest partition's end) to `weeksAhead` weeks ahead that are missing
 * (idempotent; concurrent callers serialize on an advisory lock). Returns the names created.
 */
export async function ensureMessagePartitions(dataSource: DataSource, options: { now?: number; weeksAhead?: number } = {}): Promise<string[]> {
  return createMissingPartitions(dataSource, [], options);
}

/**
 * How long creating partitions for a refused insert waits for the advisory lock (another worker
 * creating them, or retention detaching) and for ATTACH's lock on `chat.messages`, before its
 * job fails and is retried: a worker never queues long behind other DDL.
 */
export const PARTITIONS_FOR_IDS_LOCK_TIMEOUT_MS = 5_000;

/**
 * Creates the partitions these message ids need, for a batch PostgreSQL refused because no
 * partition holds some of them (the maintenance timer did not run for weeks, or a pod's clock is
 * ahead). First what ensureMessagePartitions keeps (no week left out from the newest partition
 * to `weeksAhead` ahead), then the week of each id still outside every partition, alone: an id
 * far off (a clock gone wrong) costs one partition, not every week up to it. Idempotent and
 * serialized with maintenance and other workers by the same advisory lock: of several workers
 * racing for the same week, one creates it and the others find it. Waits at most `lockTimeoutMs`
 * for a lock (then throws). Returns the names created (empty when another worker was first).
 */
export async function ensureMessagePartitionsFor(
  dataSource: DataSource,
  ids: Iterable<string | bigint>,
  options: { now?: number; weeksAhead?: number; lockTimeoutMs?: number } = {},
): Promise<string[]> {
  return createMissingPartitions(dataSource, [...ids].map((id) => BigInt(id)), { lockTimeoutMs: PARTITIONS_FOR_IDS_LOCK_TIMEOUT_MS, ...options });
}

async function createMissingPartitions(dataSource: DataSource, ids: bigint[], options: { now?: number; weeksAhead?: number; lockTimeoutMs?: number }): Promise<string[]> {
  const now = options.now ?? Date.now();
  const weeksAhead = options.weeksAhead ?? DEFAULT_WEEKS_AHEAD;
  return dataSource.transaction(async (manager) => {
    if (options.lockTimeoutMs !== undefined) await manager.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`);
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MESSAGE_PARTITIONS_LOCK_KEY]);
    const existing = await listMessagePartitions(manager.connection);
    const covered = (id: bigint) => existing.some((partition) => (partition.from === null || partition.from <= id) && id < partition.to);
    const created: string[] = [];
    const createWeek = async (start: number) => {
      const from = messageIdAt(start);
      const to = messageIdAt(start + PARTITION_MS);
      // A week an older partition already reaches into (the one a conversion attached) is skipped.
      if (covered(from) || covered(to - 1n)) return;
      for (const statement of createPartitionStatements(partitionName(start), from, to)) await manager.query(statement);
      existing.push({ name: partitionName(start), from, to, detachPending: false });
      created.push(partitionName(start));
    };
    // From the end of the newest partition when that is in the past (this job did not run for a
    // while): no week is ever left without a partition.
    const newest = existing.at(-1);
    const newestEnd = newest ? partitionStart(Number(newest.to >> MESSAGE_ID_TIME_SHIFT) + MESSAGE_ID_EPOCH_MS) : Infinity;
    const first = Math.min(partitionStart(now), newestEnd);
    for (let start = first; start <= partitionStart(now) + weeksAhead * PARTITION_MS; start += PARTITION_MS) await createWeek(start);
    for (const id of ids) if (!covered(id)) await createWeek(partitionStart(Number(id >> MESSAGE_ID_TIME_SHIFT) + MESSAGE_ID_EPOCH_MS));
    return created;
  });
}

/**
 * Drops the partitions whose every message is older than `retentionDays`: DETACH … CONCURRENTLY
 * (no lock that blocks reads or writes of `chat.messages`), then the reactions and revisions of
 * their messages, then DROP. A detach interrupted before is finalized first. Never the current
 * week's. Returns the names dropped. Needs a connection outside a transaction (DETACH
 * CONCURRENTLY refuses to run in one).
 */
export async function dropExpiredMessagePartitions(dataSource: DataSource, options: { retentionDays: number; now?: number }): Promise<string[]> {
  if (!(options.retentionDays >= 1)) throw new RangeError('retentionDays must be at least 1');
  const now = options.now ?? Date.now();
  const cutoff = messageIdAt(Math.min(now - options.retentionDays * 86_400_000, partitionStart(now)));
  const dropped: string[] = [];
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // Another worker doing it now: its run covers this one.
    const [lock] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [MESSAGE_PARTITIONS_LOCK_KEY])) as Array<{ locked: boolean }>;
    if (!lock?.locked) return dropped;
    try {
      for (const partition of await listMessagePartitions(dataSource)) {
        if (partition.to > cutoff) continue;
        const detach = partition.detachPending ? 'FINALIZE' : 'CONCURRENTLY';
        await runner.query(`ALTER TABLE chat.messages DETACH PARTITION chat.${partition.name} ${detach}`);
        // No foreign keys point at messages (ids are referenced by application code): their
        // folded state goes with them, by id range.
        const range = [String(partition.from ?? 0n), String(partition.to)];
        await runner.query('DELETE FROM chat.message_reactions WHERE message_id >= $1 AND message_id < $2', range);
        await runner.query('DELETE FROM chat.message_edits WHERE message_id >= $1 AND message_id < $2', range);
        await runner.query(`DROP TABLE chat.${partition.name}`);
        dropped.push(partition.name);
      }
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [MESSAGE_PARTITIONS_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
  return dropped;
}
