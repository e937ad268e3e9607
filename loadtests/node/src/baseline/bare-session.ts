import { randomUUID } from 'node:crypto';
import type { ScenarioOutput } from '../scenarios/scenario-output.js';
import { progressReporter } from '../scenarios/fanout-scenario.js';
import type { CohortUser } from '../run/cohort.js';
import { sleep } from '../run/concurrency.js';
import { DeliveryLedger, type PhaseOutcome } from '../run/delivery-ledger.js';
import { drainPhase, runSendPhase } from '../run/send-phase.js';
import { SocketFleet } from '../run/socket-fleet.js';
import { buildTopology, planRooms } from '../run/topology.js';
import { ProgressLine } from '../report/progress-line.js';
import { startBareCluster, type BareCluster } from './bare-cluster.js';

export interface BareSessionSettings {
  redisUrl: string;
  adapter: 'sharded' | 'classic';
  sockets: number;
  roomSize: number;
}

/** The bare baseline with the same sockets and rooms as a Parley run, connected. */
export interface BareSession {
  cluster: BareCluster;
  ledger: DeliveryLedger;
  fleet: SocketFleet;
}

/** One step's outcome: the same ledger figures as Parley's steps (nothing is persisted here). */
export interface BareStepResult extends PhaseOutcome {
  rate: number;
  connectedAtEnd: number;
}

export async function openBareSession(settings: BareSessionSettings, output: ScenarioOutput): Promise<BareSession> {
  // Same plan of rooms as provisionCohort; the "token" is the user id (the bare server checks nothing).
  const plan = planRooms(settings.sockets, settings.roomSize);
  const roomIds = plan.map(() => randomUUID());
  const users: CohortUser[] = Array.from({ length: settings.sockets }, () => {
    const id = randomUUID();
    return { id, username: id, password: '', accessToken: id, refreshToken: '' };
  });
  const topology = buildTopology(roomIds, plan, settings.sockets);
  const membership = new Map(users.map((user, index) => [user.id, [roomIds[topology.socketRoom[index]!]!]]));
  output.status(`starting the bare baseline (2 × socket.io + ${settings.adapter} Redis adapter) …`);
  const cluster = await startBareCluster({ redisUrl: settings.redisUrl, adapter: settings.adapter, membership });
  try {
    const ledger = new DeliveryLedger(topology);
    const fleet = new SocketFleet({ endpoints: cluster.endpoints, users, ledger });
    output.status(`connecting ${settings.sockets} sockets to the bare baseline (${cluster.endpoints.join(', ')}) …`);
    await fleet.connectAll(progressReporter(output));
    // As the Parley run, which settles for memory readings before its first step.
    await sleep(3_000);
    return { cluster, ledger, fleet };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

export interface BareStepSettings {
  stepMs: number;
  ackTimeoutMs: number;
  drainMs: number;
}

export async function runBareStep(session: BareSession, rate: number, settings: BareStepSettings, name = `${rate}/s`): Promise<BareStepResult> {
  const { ledger, fleet } = session;
  const progress = new ProgressLine(ledger, fleet, Math.round(settings.stepMs / 1000));
  const phase = await runSendPhase({
    name: `bare ${name}`,
    ledger,
    fleet,
    ratePerSecond: rate,
    durationMs: settings.stepMs,
    ackTimeoutMs: settings.ackTimeoutMs,
    onTick: (current) => progress.tick(current),
  });
  await drainPhase(ledger, phase, { ackTimeoutMs: settings.ackTimeoutMs, drainMs: settings.drainMs, onTick: (current) => progress.tick(current) });
  progress.done();
  return { ...ledger.settle(phase), rate, connectedAtEnd: fleet.connectedCount() };
}

export async function closeBareSession(session: BareSession): Promise<void> {
  session.fleet.close();
  await session.cluster.stop();
}
