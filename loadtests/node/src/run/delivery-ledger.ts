import type { Message } from '@parley/contracts';
import { LatencySamples } from './latency-samples.js';
import { TimeSeries } from './time-series.js';
import type { Topology } from './topology.js';

/** One `message:send` and everything observed about it. */
export interface SendRecord {
  clientMsgId: string;
  sender: number;
  room: number;
  sentAt: number;
  ackedAt: number;
  outcome: 'pending' | 'acknowledged' | 'failed';
  /** By member slot: 1 once that member's socket received the message live, 2 through `room:sync` (gap filling). */
  receivedBy: Uint8Array;
  phase: PhaseStats;
}

/** Counters of one phase (a load step, or a whole run). */
export class PhaseStats {
  sent = 0;
  acknowledged = 0;
  /** Failed sends by error code (`timeout` when no ack came in time). */
  readonly failed: Record<string, number> = {};
  received = 0;
  duplicated = 0;
  misdelivered = 0;
  /** Deliveries of messages whose send was answered with an error. */
  deliveredButRejected = 0;
  /** Deliveries a socket missed live and got from `room:sync` by sequence (gap filling, `server:resync`). */
  filledBySync = 0;
  readonly ack = new LatencySamples();
  readonly delivery = new LatencySamples();
  readonly records: SendRecord[] = [];
  readonly series: TimeSeries;
  sendingEndedAt = Number.NaN;

  constructor(
    readonly name: string,
    readonly startedAt: number,
  ) {
    this.series = new TimeSeries(startedAt);
  }

  get failedTotal(): number {
    return Object.values(this.failed).reduce((sum, count) => sum + count, 0);
  }
}

/** The settled outcome of a phase: every number counted, none estimated. */
export interface PhaseOutcome {
  name: string;
  /** Seconds from the phase start to the last send. */
  sendSeconds: number;
  sent: number;
  acknowledged: number;
  failed: Record<string, number>;
  /** Acknowledged messages × members online from the send to the end of the drain (the sender's own socket included). */
  expectedDeliveries: number;
  received: number;
  lost: number;
  duplicated: number;
  misdelivered: number;
  deliveredButRejected: number;
  /** Of `received`, those a socket got by filling a sequence gap rather than live (not in the delivery latencies). */
  filledBySync: number;
  acceptedPerSecond: number;
  deliveriesPerSecond: number;
  p50AckMs: number;
  p95AckMs: number;
  p99AckMs: number;
  p50DeliveryMs: number;
  p95DeliveryMs: number;
  p99DeliveryMs: number;
  maxDeliveryMs: number;
}

/**
 * Validates every `message:new` against what was sent and acknowledged: a message in a room
 * the socket is not in is misdelivered, a message seen twice by one socket is duplicated, and
 * an acknowledged message an online member never got is lost.
 */
export class DeliveryLedger {
  private readonly records = new Map<string, SendRecord>();
  /** When each socket's current connection started; NaN while disconnected. */
  private readonly connectedAt: Float64Array;
  private current: PhaseStats | undefined;
  /** Messages this run did not send, in a room the socket is in (another client's traffic). */
  foreign = 0;

  constructor(readonly topology: Topology) {
    this.connectedAt = new Float64Array(topology.socketRoom.length).fill(Number.NaN);
  }

  socketConnected(socket: number, now: number): void {
    this.connectedAt[socket] = now;
  }

  socketDisconnected(socket: number): void {
    this.connectedAt[socket] = Number.NaN;
  }

  isConnected(socket: number): boolean {
    return !Number.isNaN(this.connectedAt[socket]!);
  }

  startPhase(name: string, now: number): PhaseStats {
    this.current = new PhaseStats(name, now);
    return this.current;
  }

  recordSend(phase: PhaseStats, sender: number, clientMsgId: string, now: number): SendRecord {
    const room = this.topology.socketRoom[sender]!;
    const record: SendRecord = {
      clientMsgId,
      sender,
      room,
      sentAt: now,
      ackedAt: Number.NaN,
      outcome: 'pending',
      receivedBy: new Uint8Array(this.topology.roomMembers[room]!.length),
      phase,
    };
    this.records.set(clientMsgId, record);
    phase.records.push(record);
    phase.sent += 1;
    phase.series.at(now).sent += 1;
    return record;
  }

  recordAck(record: SendRecord, now: number): void {
    if (record.outcome !== 'pending') return;
    record.outcome = 'acknowledged';
    record.ackedAt = now;
    record.phase.acknowledged += 1;
    record.phase.ack.add(now - record.sentAt);
    const bucket = record.phase.series.at(now);
    bucket.acknowledged += 1;
    bucket.ack.add(now - record.sentAt);
  }

  recordFailure(record: SendRecord, code: string, now: number): void {
    if (record.outcome !== 'pending') return;
    record.outcome = 'failed';
    record.phase.failed[code] = (record.phase.failed[code] ?? 0) + 1;
    record.phase.series.at(now).failedSends += 1;
  }

  /**
   * A message a socket received: live (`message:new`), or through `room:sync` after the socket
   * noticed a sequence gap (`sync`: not a duplicate when it was had already, no latency sample,
   * since it measures the recovery rather than the fan-out).
   */
  recordDelivery(socket: number, message: Pick<Message, 'roomId' | 'clientMsgId'>, now: number, via: 'live' | 'sync' = 'live'): void {
    const { topology } = this;
    const record = this.records.get(message.clientMsgId);
    const socketRoomId = topology.roomIds[topology.socketRoom[socket]!];
    if (message.roomId !== socketRoomId) {
      const phase = record?.phase ?? this.current;
      if (phase) phase.misdelivered += 1;
      return;
    }
    if (!record) {
      this.foreign += 1;
      return;
    }
    const slot = topology.socketSlot[socket]!;
    const { phase } = record;
    if (record.room !== topology.socketRoom[socket] || topology.roomIds[record.room] !== message.roomId) {
      phase.misdelivered += 1;
      return;
    }
    const had = record.receivedBy[slot]!;
    if (had !== 0) {
      // A second live copy is a duplicate; a live copy after the gap filler fetched it (it was
      // late, not missing) or a sync of what the socket had are not.
      if (via === 'live' && had === 1) phase.duplicated += 1;
      if (via === 'live') record.receivedBy[slot] = 1;
      return;
    }
    record.receivedBy[slot] = via === 'live' ? 1 : 2;
    phase.received += 1;
    if (via === 'sync') {
      phase.filledBySync += 1;
      phase.series.at(now).received += 1;
      return;
    }
    if (record.outcome === 'failed') phase.deliveredButRejected += 1;
    const latency = now - record.sentAt;
    phase.delivery.add(latency);
    const bucket = phase.series.at(now);
    bucket.received += 1;
    bucket.delivery.add(latency);
  }

  /** Sends of the phase still waiting for their ack. */
  pendingAcks(phase: PhaseStats): number {
    return phase.sent - phase.acknowledged - phase.failedTotal;
  }

  /** Deliveries still missing: acknowledged messages not yet seen by a member online since the send. */
  missingDeliveries(phase: PhaseStats): number {
    const { expected, receivedExpected } = this.count(phase);
    return expected - receivedExpected;
  }

  settle(phase: PhaseStats): PhaseOutcome {
    const { expected, receivedExpected } = this.count(phase);
    const sendSeconds = Math.max(0.001, ((Number.isNaN(phase.sendingEndedAt) ? phase.startedAt : phase.sendingEndedAt) - phase.startedAt) / 1000);
    return {
      name: phase.name,
      sendSeconds,
      sent: phase.sent,
      acknowledged: phase.acknowledged,
      failed: { ...phase.failed },
      expectedDeliveries: expected,
      received: phase.received,
      lost: expected - receivedExpected,
      duplicated: phase.duplicated,
      misdelivered: phase.misdelivered,
      deliveredButRejected: phase.deliveredButRejected,
      filledBySync: phase.filledBySync,
      acceptedPerSecond: phase.acknowledged / sendSeconds,
      deliveriesPerSecond: phase.received / sendSeconds,
      p50AckMs: phase.ack.percentile(50),
      p95AckMs: phase.ack.percentile(95),
      p99AckMs: phase.ack.percentile(99),
      p50DeliveryMs: phase.delivery.percentile(50),
      p95DeliveryMs: phase.delivery.percentile(95),
      p99DeliveryMs: phase.delivery.percentile(99),
      maxDeliveryMs: phase.delivery.max(),
    };
  }

  private count(phase: PhaseStats): { expected: number; receivedExpected: number } {
    let expected = 0;
    let receivedExpected = 0;
    for (const record of phase.records) {
      if (record.outcome !== 'acknowledged') continue;
      const members = this.topology.roomMembers[record.room]!;
      for (let slot = 0; slot < members.length; slot += 1) {
        const since = this.connectedAt[members[slot]!]!;
        // Online from before the send until now: this member must have it.
        if (Number.isNaN(since) || since > record.sentAt) continue;
        expected += 1;
        if (record.receivedBy[slot] !== 0) receivedExpected += 1;
      }
    }
    return { expected, receivedExpected };
  }
}

/**
 * The delivery fields every scenario's last JSON line carries, for scenarios that send no
 * messages (connect storm, auth burst): zeros and nulls, so tools parse one shape.
 */
export const NO_DELIVERIES = {
  sent: 0,
  acknowledged: 0,
  expectedDeliveries: 0,
  received: 0,
  lost: 0,
  duplicated: 0,
  misdelivered: 0,
  filledBySync: 0,
  p50DeliveryMs: null,
  p95DeliveryMs: null,
  p99DeliveryMs: null,
  p99AckMs: null,
} as const;
