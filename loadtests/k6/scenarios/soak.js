// soak: steady mixed traffic for DURATION (default 30m): messages at RATE, typing, room:sync,
// history reads and token refreshes. Thresholds compare the late third of the run with the
// budget; handleSummary reports how much delivery p99 drifted from early to late. Watch memory
// with the Prometheus queries in loadtests/README.md, or set PROMETHEUS_URL to have teardown
// check chat-socket's resident memory growth.
//
//   k6 run -e BASE_URL=http://localhost:8080 -e DURATION=30m loadtests/k6/scenarios/soak.js
import exec from 'k6/execution';
import http from 'k6/http';
import { Gauge } from 'k6/metrics';
import { bodyOf, createRoomsFor, ensureUsers } from '../lib/http-api.js';
import { envDurationMs, envInt, k6Duration, RUN_ID } from '../lib/config.js';
import { roomOf } from '../lib/chat-messages.js';
import { runMember } from '../lib/chat-member.js';
import * as thresholds from '../lib/thresholds.js';
import { deliveryTotals, summaryHandler, summaryTrendStats } from '../lib/summary.js';

const SOCKETS = envInt('SOCKETS', 200);
const ROOM_SIZE = envInt('ROOM_SIZE', 10);
const RATE = envInt('RATE', 50);
const DURATION_MS = envDurationMs('DURATION', '30m');
const WARMUP_MS = envDurationMs('WARMUP', `${Math.max(15, Math.ceil(SOCKETS / 50))}s`);
const DRAIN_MS = envDurationMs('DRAIN', '10s');
const ACK_TIMEOUT_MS = envDurationMs('ACK_TIMEOUT', '10s');
const PROMETHEUS_URL = __ENV.PROMETHEUS_URL;
/** Largest allowed growth of chat-socket's resident memory over the run (1.3 = +30 %). */
const MAX_MEMORY_GROWTH = Number(__ENV.MAX_MEMORY_GROWTH || 1.3);

const memoryGrowth = new Gauge('soak_memory_growth_ratio');

export const options = {
  scenarios: {
    members: {
      executor: 'per-vu-iterations',
      exec: 'member',
      vus: SOCKETS,
      iterations: 1,
      maxDuration: k6Duration(WARMUP_MS + DURATION_MS + 2 * ACK_TIMEOUT_MS + DRAIN_MS + 60000),
    },
  },
  setupTimeout: k6Duration(60000 + SOCKETS * 100),
  thresholds: {
    ...thresholds.integrity,
    ...thresholds.messaging,
    ...thresholds.sockets,
    ...thresholds.http,
    // Flat latency: the last third of the run meets the same budget as the whole.
    'chat_delivery_latency{soak_phase:early}': [`p(99)<${envInt('DELIVERY_P99_MS', 250)}`],
    'chat_delivery_latency{soak_phase:late}': [`p(99)<${envInt('DELIVERY_P99_MS', 250)}`],
    ...(PROMETHEUS_URL ? { soak_memory_growth_ratio: [`value<${MAX_MEMORY_GROWTH}`] } : {}),
  },
  summaryTrendStats,
};

const MEMORY_QUERY = 'sum(parley_process_resident_memory_bytes{service="chat-socket"})';

function memoryAt(epochSeconds) {
  const response = http.get(`${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(MEMORY_QUERY)}&time=${epochSeconds}`, { tags: { name: 'prometheus' } });
  const result = response.status === 200 ? bodyOf(response).data.result : [];
  return result.length > 0 ? Number(result[0].value[1]) : undefined;
}

export function setup() {
  const users = ensureUsers(RUN_ID, SOCKETS);
  const roomIds = createRoomsFor(users, ROOM_SIZE, `k6 soak ${RUN_ID}`);
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
    mixed: true,
  });
}

/** With PROMETHEUS_URL: chat-socket memory a few minutes into the run versus at the end. */
export function teardown(data) {
  if (!PROMETHEUS_URL) return;
  // Skip the first 5 minutes (or a sixth of a short run): caches and JIT warm up there.
  const early = memoryAt(Math.floor((data.startAt + Math.min(300000, DURATION_MS / 6)) / 1000));
  const late = memoryAt(Math.floor(Date.now() / 1000));
  if (early && late) memoryGrowth.add(late / early);
}

function soakTotals(data) {
  const totals = deliveryTotals(data);
  const phase = (name) => data.metrics[`chat_delivery_latency{soak_phase:${name}}`];
  const early = phase('early');
  const late = phase('late');
  const drift = early && late && early.values['p(99)'] > 0 ? late.values['p(99)'] / early.values['p(99)'] : undefined;
  const memory = data.metrics.soak_memory_growth_ratio;
  return { ...totals, deliveryP99DriftLateOverEarly: drift, memoryGrowthRatio: memory ? memory.values.value : undefined };
}

export const handleSummary = summaryHandler('soak', soakTotals);
