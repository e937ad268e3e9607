import type { Message } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import { messageIdAt, PARTITION_MS, partitionStart } from './message-partitions.js';
import { attachReactions, MESSAGE_COLUMNS, toMessage, type MessageRow } from './message-store.js';
import { attachReplyQuotes } from './reply-quotes.js';

export interface HistoryPage {
  before?: string;
  after?: string;
  beforeSeq?: number;
  afterSeq?: number;
  limit: number;
}

/** A statement the history reader issues (what tests EXPLAIN). */
export interface HistoryStatement {
  sql: string;
  parameters: unknown[];
}

export interface HistoryReadOptions {
  /** Injectable for tests: the moment the newest partitions are counted from. */
  now?: number;
  /** Sees every statement issued, before it runs. */
  observe?: (statement: HistoryStatement) => void;
}

/**
 * How far apart in time an id and its room sequence number may be ordered differently: a message's
 * id is taken on its pod just before Redis numbers it, and pods' clocks differ a little (the id
 * generator refuses a clock 5 s behind). A message older than another by more than this has the
 * lower sequence number.
 */
const REORDER_MARGIN = messageIdAt(5 * 60_000) - messageIdAt(0);

/**
 * Lower id bounds history tries in turn, newest first: the current week, then 2, 4, 8 and 16 weeks
 * back, then none. Each statement names its bound, so PostgreSQL scans only the partitions from
 * there on (plan-time pruning); a page found entirely above a bound is the answer.
 */
export function historyFloors(now: number): Array<bigint | null> {
  const week = partitionStart(now);
  return [0, 1, 3, 7, 15].map((weeks) => messageIdAt(week - weeks * PARTITION_MS) as bigint | null).concat([null]);
}

/** The statement of one attempt: the page's cursor, and ids from `floor` on when there is one. */
export function historyStatement(roomId: string, page: HistoryPage, floor: bigint | null): HistoryStatement {
  const parameters: unknown[] = [roomId, page.limit + 1];
  const bound = (value: unknown) => `$${parameters.push(value)}`;
  const conditions = ['room_id = $1'];
  let order: string;
  if (page.afterSeq !== undefined) {
    conditions.push(`seq > ${bound(page.afterSeq)}`);
    order = 'seq ASC';
  } else if (page.after !== undefined) {
    conditions.push(`id > ${bound(page.after)}`);
    order = 'id ASC';
  } else if (page.before !== undefined) {
    conditions.push(`id < ${bound(page.before)}`);
    order = 'id DESC';
  } else {
    if (page.beforeSeq !== undefined) conditions.push(`seq < ${bound(page.beforeSeq)}`);
    order = 'seq DESC';
  }
  if (floor !== null) conditions.push(`id >= ${bound(String(floor))}`);
  return { sql: `SELECT ${MESSAGE_COLUMNS} FROM chat.messages WHERE ${conditions.join(' AND ')} ORDER BY ${order} LIMIT $2`, parameters };
}

/**
 * Whether rows read from `floor` on are the page the whole table gives. By id: a full page is
 * (every id below the floor is smaller). By sequence: the rows must be consecutive from the
 * cursor (numbers are unique per room, so nothing below the floor fits between them) and either
 * fill the page, reach the room's first message, or be far enough above the floor that nothing
 * below it can have a higher number (REORDER_MARGIN).
 */
function complete(page: HistoryPage, rows: MessageRow[], floor: bigint): boolean {
  const full = rows.length > page.limit;
  if (page.after !== undefined) return true;
  if (page.before !== undefined) return full;
  if (rows.length === 0) return false;
  const seqs = rows.map((row) => Number(row.seq));
  const step = page.afterSeq !== undefined ? 1 : -1;
  const start = page.afterSeq !== undefined ? page.afterSeq + 1 : page.beforeSeq !== undefined ? page.beforeSeq - 1 : seqs[0]!;
  if (!seqs.every((seq, index) => seq === start + step * index)) return false;
  const clearOfFloor = (row: MessageRow) => BigInt(row.id) >= floor + REORDER_MARGIN;
  if (page.afterSeq !== undefined) return full || clearOfFloor(rows[rows.length - 1]!);
  const first = page.beforeSeq === undefined ? clearOfFloor(rows[0]!) : true;
  return first && (full || seqs[seqs.length - 1] === 1);
}

/**
 * A page of a room's history, oldest first, and whether there is more beyond it (one extra row
 * tells). `afterSeq` / `beforeSeq` (and no cursor) follow the room's sequence; `after` / `before`
 * follow message ids. `after*` pages forwards, the others backwards from the newest. Reads the
 * newest partitions first and goes further back only when the page is not found there
 * (historyFloors), so an active room's history touches a week or two of partitions.
 */
export async function fetchMessagePage(
  dataSource: DataSource,
  roomId: string,
  page: HistoryPage,
  options: HistoryReadOptions = {},
): Promise<{ messages: Message[]; hasMore: boolean }> {
  const before = page.before === undefined ? undefined : BigInt(page.before);
  // Bounds above a `before` cursor would find nothing.
  const floors = page.after !== undefined ? [null] : historyFloors(options.now ?? Date.now()).filter((floor) => before === undefined || floor === null || floor < before);
  let rows: MessageRow[] = [];
  for (const floor of floors) {
    const statement = historyStatement(roomId, page, floor);
    options.observe?.(statement);
    rows = (await dataSource.query(statement.sql, statement.parameters)) as MessageRow[];
    if (floor === null || complete(page, rows, floor)) break;
  }
  const forward = page.after !== undefined || page.afterSeq !== undefined;
  const hasMore = rows.length > page.limit;
  const kept = rows.slice(0, page.limit).map(toMessage);
  await attachReactions(dataSource, kept);
  await attachReplyQuotes(dataSource, kept);
  return { messages: forward ? kept : kept.reverse(), hasMore };
}
