import { randomBytes } from 'node:crypto';
import type { AdversarialPlatform } from '../adversarial-platform.js';
import { caseResult, expectThat, type CaseResult } from '../case-result.js';
import { sleep, until, type PlatformApi } from '../clients/platform-api.js';
import { RoomMember, type SendOutcome } from '../clients/room-member.js';
import { awayDuringCatchUpCase } from './away-during-catch-up.js';

export type FaultName = 'worker-sigkill' | 'chat-socket-sigkill' | 'postgres-stop' | 'redis-sigkill' | 'away-during-catch-up';
export const FAULTS: FaultName[] = ['worker-sigkill', 'chat-socket-sigkill', 'postgres-stop', 'redis-sigkill', 'away-during-catch-up'];

export interface FaultMatrixSettings {
  faults: FaultName[];
  rooms: number;
  membersPerRoom: number;
  sendEveryMs: number;
  /** Load before the fault, and after its end. */
  loadBeforeMs: number;
  loadAfterMs: number;
  postgresDownMs: number;
  redisDownMs: number;
}

const LABELS: Record<Exclude<FaultName, 'away-during-catch-up'>, string> = {
  'worker-sigkill': 'fault: worker SIGKILL',
  'chat-socket-sigkill': 'fault: chat-socket SIGKILL',
  'postgres-stop': 'fault: PostgreSQL stopped',
  'redis-sigkill': 'fault: Redis SIGKILL (always)',
};

/** Waits for the launcher to have restarted a service: a process of it that was not there before. */
async function restartedService(platform: AdversarialPlatform, service: string, before: number[], expected: number): Promise<boolean> {
  return until(async () => (await platform.processes()).filter((entry) => entry.service === service && !before.includes(entry.pid)).length > 0 &&
    (await platform.processes()).filter((entry) => entry.service === service).length >= expected, 60_000, 100);
}

/** Injects the fault; resolves when it is over (the process restarted, the store back). */
async function inject(platform: AdversarialPlatform, fault: Exclude<FaultName, 'away-during-catch-up'>, settings: FaultMatrixSettings): Promise<string> {
  const running = await platform.processes();
  switch (fault) {
    case 'worker-sigkill':
    case 'chat-socket-sigkill': {
      const service = fault === 'worker-sigkill' ? 'persistence-worker' : 'chat-socket';
      const instances = running.filter((entry) => entry.service === service);
      const victim = instances[0];
      if (!victim) return `no ${service} process to kill`;
      process.kill(victim.pid, 'SIGKILL');
      return (await restartedService(platform, service, instances.map((entry) => entry.pid), instances.length)) ? '' : `${service} was not restarted within 60 s`;
    }
    case 'postgres-stop':
      await platform.postgres.stop('fast');
      await sleep(settings.postgresDownMs);
      await platform.postgres.start();
      return '';
    case 'redis-sigkill':
      await platform.redis.kill('SIGKILL');
      await sleep(settings.redisDownMs);
      await platform.redis.restart();
      return '';
  }
}

async function storedOf(platform: AdversarialPlatform, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await platform.db.query<{ id: string }>('SELECT id::text AS id FROM chat.messages WHERE id = ANY($1::bigint[])', [ids]);
  return new Set(rows.map((row) => row.id));
}

/**
 * One fault under load: rooms of members (spread over both chat-socket processes by the
 * gateway) send steadily with retries; the fault is injected mid-load; then every acknowledged
 * message must be stored (acked − persisted = 0) and held by every member of its room, live or
 * through gap filling by sequence, with no reload.
 */
async function oneFault(platform: AdversarialPlatform, api: PlatformApi, fault: Exclude<FaultName, 'away-during-catch-up'>, settings: FaultMatrixSettings): Promise<CaseResult> {
  const problems: string[] = [];
  const members: RoomMember[] = [];
  for (let room = 0; room < settings.rooms; room += 1) {
    const accounts = [];
    for (let member = 0; member < settings.membersPerRoom; member += 1) accounts.push(await api.register(`f${room}${member}`));
    const roomId = await api.createRoom(accounts[0]!, `${fault} ${room}`, accounts.slice(1).map((account) => account.userId));
    for (const account of accounts) members.push(new RoomMember(api, account, roomId));
  }
  await Promise.all(members.map((member) => member.connected()));

  const sends: Array<Promise<SendOutcome>> = [];
  let loadUntil = Number.POSITIVE_INFINITY;
  const sending = members.map(async (member, index) => {
    await sleep((index * settings.sendEveryMs) / members.length);
    for (let sequence = 0; Date.now() < loadUntil; sequence += 1) {
      // A send keeps retrying for two minutes: longer than any fault here lasts, short of forever.
      sends.push(member.send(`${member.account.username} #${sequence} ${randomBytes(3).toString('hex')}`, Date.now() + 120_000));
      await sleep(settings.sendEveryMs);
    }
  });

  await sleep(settings.loadBeforeMs);
  const faultAt = Date.now();
  const injectProblem = await inject(platform, fault, settings);
  const faultEnd = Date.now();
  if (injectProblem) problems.push(injectProblem);
  loadUntil = faultEnd + settings.loadAfterMs;

  // Recovered: every send made before the fault ended has its answer, and each acknowledged one
  // is stored and held by every member of its room.
  const beforeEnd = sends.slice();
  const settledBeforeEnd: SendOutcome[] = [];
  for (const send of beforeEnd) void send.then((outcome) => settledBeforeEnd.push(outcome));
  let recoveredAt: number | undefined;
  const recovered = async () => {
    if (settledBeforeEnd.length < beforeEnd.length) return false;
    const ackedBefore = settledBeforeEnd.flatMap((outcome) => (outcome.message ? [outcome.message] : []));
    const stored = await storedOf(platform, ackedBefore.map((message) => message.id)).catch(() => undefined);
    if (!stored || stored.size < ackedBefore.length) return false;
    return members.every((member) => member.holdsAll(ackedBefore.filter((message) => message.roomId === member.roomId).map((message) => message.id)));
  };
  const recovery = until(recovered, 180_000, 200).then((ok) => {
    if (ok) recoveredAt = Date.now();
  });

  await Promise.all(sending);
  const results = await Promise.all(sends);
  const loadEnded = Date.now();
  const acked = results.flatMap((result) => (result.message ? [result.message] : []));
  const ackedByRoom = new Map<string, string[]>();
  for (const message of acked) ackedByRoom.set(message.roomId, [...(ackedByRoom.get(message.roomId) ?? []), message.id]);
  const allHeld = () => members.every((member) => member.holdsAll(ackedByRoom.get(member.roomId) ?? []));
  await until(allHeld, 60_000, 200);
  const ids = acked.map((message) => message.id);
  await until(async () => ((await storedOf(platform, ids).catch(() => undefined))?.size ?? -1) === ids.length, 90_000, 250);
  await recovery;
  const persisted = await storedOf(platform, ids);
  const missingAtClients = members.reduce((sum, member) => sum + member.missing(ackedByRoom.get(member.roomId) ?? []), 0);
  const ackTimes = results.flatMap((result) => (result.ackedAt ? [result.ackedAt] : [])).sort((a, b) => a - b);
  let longestAckGapMs = 0;
  for (let index = 1; index < ackTimes.length; index += 1) longestAckGapMs = Math.max(longestAckGapMs, ackTimes[index]! - ackTimes[index - 1]!);
  for (const member of members) member.close();

  expectThat(problems, missingAtClients === 0, `${missingAtClients} deliveries of acknowledged messages never reached a member (live or by sync)`);
  expectThat(problems, acked.length > 0, 'nothing was acknowledged');
  expectThat(problems, recoveredAt !== undefined, 'messages acknowledged before the fault ended were not all stored and held within 3 minutes');
  return caseResult(
    {
      name: LABELS[fault],
      unit: 'sends',
      tried: results.length,
      accepted: acked.length,
      lost: ids.filter((id) => !persisted.has(id)).length,
      ...(recoveredAt === undefined ? {} : { recoverMs: Math.max(0, recoveredAt - faultEnd) }),
      figures: {
        persisted: persisted.size,
        unacked: results.length - acked.length,
        retried: results.filter((result) => result.attempts > 1).length,
        faultMs: faultEnd - faultAt,
        longestAckGapMs,
        filledBySync: members.reduce((sum, member) => sum + member.filledBySync, 0),
        resyncEvents: members.reduce((sum, member) => sum + member.resyncRequests, 0),
        reconnects: members.reduce((sum, member) => sum + member.reconnects, 0),
        missingAtClients,
        clients: members.length,
        settledAfterLoadMs: Date.now() - loadEnded,
      },
    },
    problems,
    'fault',
  );
}

/** The faults one after another, each under its own load, on the same running platform. */
export async function faultMatrixCases(platform: AdversarialPlatform, api: PlatformApi, settings: FaultMatrixSettings, onResult?: (result: CaseResult) => void): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const fault of settings.faults) {
    const result = fault === 'away-during-catch-up' ? await awayDuringCatchUpCase(platform, api, { messages: 800 }) : await oneFault(platform, api, fault, settings);
    onResult?.(result);
    results.push(result);
  }
  return results;
}
