// chat-fanout: SOCKETS members in rooms of ROOM_SIZE, RATE messages per second in total
// (each member sends RATE/SOCKETS per second), every delivery checked.
//
//   k6 run -e BASE_URL=http://localhost:8080 -e SOCKETS=200 -e RATE=100 loadtests/k6/scenarios/chat-fanout.js
import exec from 'k6/execution';
import { createRoomsFor, ensureUsers } from '../lib/http-api.js';
import { envDurationMs, envInt, k6Duration, RUN_ID } from '../lib/config.js';
import { roomOf } from '../lib/chat-messages.js';
import { runMember } from '../lib/chat-member.js';
import { profile } from '../lib/profiles.js';
import * as thresholds from '../lib/thresholds.js';
import { deliveryTotals, summaryHandler, summaryTrendStats } from '../lib/summary.js';

const chosen = profile();
const SOCKETS = envInt('SOCKETS', chosen.sockets);
const ROOM_SIZE = envInt('ROOM_SIZE', chosen.roomSize);
const RATE = envInt('RATE', chosen.rate);
const DURATION_MS = envDurationMs('DURATION', chosen.duration);
/** Time for every VU to log in and connect before the sending starts together. */
const WARMUP_MS = envDurationMs('WARMUP', `${Math.max(15, Math.ceil(SOCKETS / 50))}s`);
const DRAIN_MS = envDurationMs('DRAIN', '10s');
const ACK_TIMEOUT_MS = envDurationMs('ACK_TIMEOUT', '10s');

export const options = {
  scenarios: {
    members: {
      executor: 'per-vu-iterations',
      exec: 'member',
      vus: SOCKETS,
      iterations: 1,
      maxDuration: k6Duration(WARMUP_MS + DURATION_MS + 2 * ACK_TIMEOUT_MS + DRAIN_MS + 30000),
    },
  },
  setupTimeout: k6Duration(60000 + SOCKETS * 100),
  thresholds: { ...thresholds.integrity, ...thresholds.messaging, ...thresholds.sockets, ...thresholds.http },
  summaryTrendStats,
};

/** Registers the members and creates their rooms; VUs log in themselves (setup data stays small). */
export function setup() {
  if (RATE / SOCKETS > 8) console.warn(`RATE/SOCKETS = ${RATE / SOCKETS} msg/s per user: above the per-user send limit (10/s) every send is rate limited`);
  const users = ensureUsers(RUN_ID, SOCKETS);
  const roomIds = createRoomsFor(users, ROOM_SIZE, `k6 ${RUN_ID}`);
  return { run: RUN_ID, roomIds, startAt: Date.now() + WARMUP_MS };
}

export function member(data) {
  const index = exec.vu.idInTest - 1;
  const { room, size } = roomOf(index, SOCKETS, ROOM_SIZE);
  runMember({
    run: data.run,
    index,
    roomId: data.roomIds[room],
    roomSize: size,
    ratePerSocket: RATE / SOCKETS,
    startAt: data.startAt,
    sendForMs: DURATION_MS,
    ackTimeoutMs: ACK_TIMEOUT_MS,
    drainMs: DRAIN_MS,
    mixed: false,
  });
}

export const handleSummary = summaryHandler('chat-fanout', deliveryTotals);
