import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sleep } from './concurrency.js';
import type { DeliveryLedger, PhaseStats } from './delivery-ledger.js';
import type { SocketFleet } from './socket-fleet.js';

export interface SendPhaseSettings {
  name: string;
  ledger: DeliveryLedger;
  fleet: SocketFleet;
  ratePerSecond: number;
  durationMs: number;
  ackTimeoutMs: number;
  /** Padding added to each body, to test larger messages. */
  bodyBytes?: number;
  /** Called about every 50 ms while sending (progress line). */
  onTick?: (phase: PhaseStats) => void;
  /** Aborts the sending early (Ctrl-C). */
  signal?: AbortSignal;
}

/** Round-robin position shared by consecutive phases, so every user sends at the same rate. */
let cursor = 0;

/**
 * Sends at a fixed arrival rate (an open model: sends never wait for acks), spread round-robin
 * over the connected sockets so each user stays far under the per-user send limit.
 */
export async function runSendPhase(settings: SendPhaseSettings): Promise<PhaseStats> {
  const { ledger, fleet } = settings;
  const { topology } = ledger;
  const phase = ledger.startPhase(settings.name, performance.now());
  const padding = settings.bodyBytes && settings.bodyBytes > 20 ? ' '.padEnd(settings.bodyBytes - 20, 'x') : '';
  const sockets = fleet.sockets;
  let sent = 0;
  let lastTick = 0;
  for (;;) {
    const now = performance.now();
    const elapsed = now - phase.startedAt;
    if (elapsed >= settings.durationMs || settings.signal?.aborted) break;
    const due = Math.floor((elapsed * settings.ratePerSecond) / 1000) - sent;
    for (let count = 0; count < due; count += 1) {
      let sender = -1;
      for (let tries = 0; tries < sockets.length; tries += 1) {
        const candidate = cursor % sockets.length;
        cursor += 1;
        if (sockets[candidate]?.connected) {
          sender = candidate;
          break;
        }
      }
      sent += 1;
      // Nobody connected: count the send as failed, keep the schedule.
      const clientMsgId = randomUUID();
      if (sender < 0) {
        ledger.recordFailure(ledger.recordSend(phase, 0, clientMsgId, now), 'not_connected', now);
        continue;
      }
      const record = ledger.recordSend(phase, sender, clientMsgId, performance.now());
      sockets[sender]!.timeout(settings.ackTimeoutMs).emit(
        'message:send',
        { roomId: topology.roomIds[record.room]!, clientMsgId, body: `load ${sent}${padding}` },
        (error, result) => {
          const at = performance.now();
          if (error) ledger.recordFailure(record, 'timeout', at);
          else if (result.ok) ledger.recordAck(record, at);
          else ledger.recordFailure(record, result.error.code, at);
        },
      );
    }
    if (settings.onTick && now - lastTick >= 50) {
      lastTick = now;
      settings.onTick(phase);
    }
    await sleep(2);
  }
  phase.sendingEndedAt = performance.now();
  return phase;
}

export interface DrainSettings {
  ackTimeoutMs: number;
  /** Longest wait for missing deliveries once every ack is in. */
  drainMs: number;
  onTick?: (phase: PhaseStats) => void;
}

/** Waits for every ack (or its timeout), then for every expected delivery (or the drain time). */
export async function drainPhase(ledger: DeliveryLedger, phase: PhaseStats, settings: DrainSettings): Promise<void> {
  const ackDeadline = performance.now() + settings.ackTimeoutMs + 1_000;
  while (ledger.pendingAcks(phase) > 0 && performance.now() < ackDeadline) {
    settings.onTick?.(phase);
    await sleep(50);
  }
  const deliveryDeadline = performance.now() + settings.drainMs;
  while (ledger.missingDeliveries(phase) > 0 && performance.now() < deliveryDeadline) {
    settings.onTick?.(phase);
    await sleep(100);
  }
  // Duplicates arrive after the originals: give them a moment to show up.
  await sleep(200);
}
