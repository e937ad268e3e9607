/**
 * Snowflake ids: 64 bits = 41 bits of milliseconds since the Parley epoch, 10 bits of worker
 * id, 12 bits of sequence. Time-ordered, unique across pods as long as worker ids are
 * (see worker-id-lease.ts), and written as decimal strings because JavaScript numbers only
 * hold 53 bits.
 */
export const PARLEY_EPOCH_MS = Date.UTC(2024, 0, 1);
export const WORKER_ID_BITS = 10;
export const SEQUENCE_BITS = 12;
export const MAX_WORKER_ID = (1 << WORKER_ID_BITS) - 1;
const MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1;
const TIMESTAMP_SHIFT = BigInt(WORKER_ID_BITS + SEQUENCE_BITS);
const WORKER_SHIFT = BigInt(SEQUENCE_BITS);

export interface SnowflakeSettings {
  workerId: number;
  /** Injectable for tests. */
  now?: () => number;
  /** A clock that went back further than this is an error instead of a wait. */
  maxBackwardDriftMs?: number;
}

export interface DecodedSnowflake {
  timestampMs: number;
  workerId: number;
  sequence: number;
}

export class ClockMovedBackwardsError extends Error {
  constructor(driftMs: number) {
    super(`The clock moved back by ${driftMs} ms; refusing to generate ids`);
    this.name = 'ClockMovedBackwardsError';
  }
}

export class SnowflakeGenerator {
  private workerId: number;
  private readonly now: () => number;
  private readonly maxBackwardDriftMs: number;
  private lastMs = -1;
  private sequence = 0;

  constructor(settings: SnowflakeSettings) {
    this.workerId = checkedWorkerId(settings.workerId);
    this.now = settings.now ?? Date.now;
    this.maxBackwardDriftMs = settings.maxBackwardDriftMs ?? 5_000;
  }

  /** Switches to a new worker id (after the lease of the old one was lost). */
  setWorkerId(workerId: number): void {
    this.workerId = checkedWorkerId(workerId);
  }

  /**
   * The next id. Waits when the clock went backwards (until it is past the last id's time)
   * and when the 4096 ids of one millisecond are used up (until the next millisecond).
   */
  async next(): Promise<string> {
    for (;;) {
      const id = this.tryNext();
      if (typeof id === 'string') return id;
      if (id.waitMs > this.maxBackwardDriftMs) throw new ClockMovedBackwardsError(id.waitMs);
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, id.waitMs)));
    }
  }

  /** An id now, or how long to wait before one can be made. */
  tryNext(): string | { waitMs: number } {
    const now = this.now();
    if (now < this.lastMs) return { waitMs: this.lastMs - now };
    if (now === this.lastMs) {
      if (this.sequence >= MAX_SEQUENCE) return { waitMs: 1 };
      this.sequence += 1;
    } else {
      this.lastMs = now;
      this.sequence = 0;
    }
    return encodeSnowflake(now, this.workerId, this.sequence);
  }
}

export function encodeSnowflake(timestampMs: number, workerId: number, sequence: number): string {
  const elapsed = BigInt(timestampMs - PARLEY_EPOCH_MS);
  return ((elapsed << TIMESTAMP_SHIFT) | (BigInt(workerId) << WORKER_SHIFT) | BigInt(sequence)).toString();
}

export function decodeSnowflake(id: string): DecodedSnowflake {
  const value = BigInt(id);
  return {
    timestampMs: Number(value >> TIMESTAMP_SHIFT) + PARLEY_EPOCH_MS,
    workerId: Number((value >> WORKER_SHIFT) & BigInt(MAX_WORKER_ID)),
    sequence: Number(value & BigInt(MAX_SEQUENCE)),
  };
}

/** Zero-padded to 20 digits, so ids compare correctly as strings (Redis lexicographic ranges). */
export function sortableId(id: string): string {
  return id.padStart(20, '0');
}

function checkedWorkerId(workerId: number): number {
  if (!Number.isInteger(workerId) || workerId < 0 || workerId > MAX_WORKER_ID) {
    throw new RangeError(`worker id must be an integer in 0..${MAX_WORKER_ID}`);
  }
  return workerId;
}
