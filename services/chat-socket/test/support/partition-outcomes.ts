import type pg from 'pg';
import { until } from '@parley/testing';
import type { PodMovingClient, SendAttempt } from './pod-moving-client.js';

/** One message a client tried to send during a phase (with every retry behind it). */
export interface SendResult {
  client: PodMovingClient;
  clientMsgId: string;
  acked: boolean;
}

/** What one fault phase of the partition test produced. */
export interface PhaseRun {
  results: SendResult[];
  faultedAt: number;
  healedAt: number;
  /** /readyz statuses of the proxied pod sampled during the fault. */
  readiness: number[];
  /** From the heal to the first acknowledgement of a send made on the proxied pod. */
  recoverMs: number | null;
}

/** Every acknowledged clientMsgId stored? Waits for the queue to drain; returns the lost ones. */
export async function lostAfterDrain(db: pg.Pool, ackedIds: string[]): Promise<string[]> {
  const stored = async () => {
    const { rows } = await db.query<{ id: string }>('SELECT client_msg_id::text AS id FROM chat.messages WHERE client_msg_id = ANY($1::uuid[])', [ackedIds]);
    return new Set(rows.map((row) => row.id));
  };
  await until(async () => (await stored()).size === ackedIds.length, 60_000);
  const persisted = await stored();
  return ackedIds.filter((id) => !persisted.has(id));
}

/**
 * Each client's `room:sync` timeline (from the start, every page) and what it holds against the
 * stored one: same messages, same order, no duplicates. Returns the mismatches, in words.
 */
export async function timelineMismatches(db: pg.Pool, clients: PodMovingClient[]): Promise<string[]> {
  const mismatches: string[] = [];
  for (const client of clients) {
    const { rows } = await db.query<{ id: string }>('SELECT id::text AS id FROM chat.messages WHERE room_id = $1 ORDER BY seq', [client.roomId]);
    const storedIds = rows.map((row) => row.id);
    const synced = await client.fullSync();
    if (!synced) {
      mismatches.push(`${client.user.username}: room:sync unanswered`);
      continue;
    }
    const syncedIds = synced.map((message) => message.id);
    if (new Set(syncedIds).size !== syncedIds.length) mismatches.push(`${client.user.username}: duplicates in room:sync`);
    if (syncedIds.join() !== storedIds.join()) mismatches.push(`${client.user.username}: room:sync has ${syncedIds.length}, stored ${storedIds.length}`);
    const missingLive = storedIds.filter((id) => !client.held.has(id)).length;
    if (missingLive > 0) mismatches.push(`${client.user.username}: holds ${client.held.size} of ${storedIds.length} (missing ${missingLive})`);
  }
  return mismatches;
}

export interface PhaseOutcome {
  name: string;
  sends: SendResult[];
  /** Every attempt of the phase, by every client. */
  attempts: SendAttempt[];
  run: PhaseRun;
  proxiedPodUrl: string;
  clients: PodMovingClient[];
  lost: string[];
  drainedAfterHealMs: number;
  mismatches: string[];
}

/** The figures of a phase, as printed in the test's JSON line. */
export function phaseFigures(outcome: PhaseOutcome): Record<string, unknown> {
  const { attempts, run } = outcome;
  const acked = outcome.sends.filter((result) => result.acked).length;
  const onProxiedDuringFault = attempts.filter((attempt) => attempt.pod === outcome.proxiedPodUrl && attempt.startedAt >= run.faultedAt && attempt.startedAt < run.healedAt);
  const unconverged = new Set(outcome.mismatches.map((line) => line.split(':')[0])).size;
  return {
    phase: outcome.name,
    tried: outcome.sends.length,
    acked,
    unacked: outcome.sends.length - acked,
    attempts: attempts.length,
    refused: attempts.filter((attempt) => attempt.outcome !== 'ok' && attempt.outcome !== 'no-answer').length,
    unanswered: attempts.filter((attempt) => attempt.outcome === 'no-answer').length,
    lost: outcome.lost.length,
    proxiedPodAttemptsDuringFault: onProxiedDuringFault.length,
    // Acknowledged before the heal: what a partitioned pod must never do.
    proxiedPodAcksDuringFault: onProxiedDuringFault.filter((attempt) => attempt.outcome === 'ok' && attempt.answeredAt < run.healedAt).length,
    reconnectEvents: outcome.clients.reduce((sum, client) => sum + client.reconnectEvents.filter((event) => event.at >= run.faultedAt).length, 0),
    recoverMs: run.recoverMs,
    drainedAfterHealMs: outcome.drainedAfterHealMs,
    clientsConverged: `${outcome.clients.length - unconverged}/${outcome.clients.length}`,
  };
}
