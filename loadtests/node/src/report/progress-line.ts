import { performance } from 'node:perf_hooks';
import type { DeliveryLedger, PhaseStats } from '../run/delivery-ledger.js';
import type { SocketFleet } from '../run/socket-fleet.js';
import { int, ms } from './format.js';

/**
 * A live status line on stderr once a second: rewritten in place on a terminal, one line per
 * second otherwise (CI logs).
 */
export class ProgressLine {
  private lastPrint = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly ledger: DeliveryLedger,
    private readonly fleet: SocketFleet,
    private readonly totalSeconds: number,
  ) {}

  tick(phase: PhaseStats): void {
    const now = performance.now();
    if (now - this.lastPrint < 1_000) return;
    this.lastPrint = now;
    const elapsed = (now - phase.startedAt) / 1000;
    const last = phase.series.all().at(-2) ?? phase.series.all().at(-1);
    const line =
      `[${phase.name} ${elapsed.toFixed(0)}s/${this.totalSeconds}s] sockets ${this.fleet.connectedCount()}/${this.fleet.sockets.length}` +
      ` · sent ${int(phase.sent)} acked ${int(phase.acknowledged)} failed ${int(phase.failedTotal)} received ${int(phase.received)}` +
      ` · last s: ${int(last?.acknowledged ?? 0)} acks/s ${int(last?.received ?? 0)} deliveries/s` +
      ` p99 ack ${ms(last?.ack.percentile(99) ?? Number.NaN)} ms p99 delivery ${ms(last?.delivery.percentile(99) ?? Number.NaN)} ms` +
      ` · pending acks ${this.ledger.pendingAcks(phase)}`;
    process.stderr.write(this.tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  /** Ends an in-place line so the next output starts on its own line. */
  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}

/** A one-off status message on stderr (setup steps). */
export function status(message: string): void {
  process.stderr.write(`${message}\n`);
}
