// connect-storm: CONNECT_RATE new sockets per second for CONNECT_FOR (default 500/s for 10 s
// = 5,000 sockets), each held for HOLD, measuring the handshake (WebSocket open → socket.io
// CONNECT answered, i.e. token verified and rooms joined) and its failures.
//
//   k6 run -e BASE_URL=http://localhost:8080 -e CONNECT_RATE=500 loadtests/k6/scenarios/connect-storm.js
import { check } from 'k6';
import exec from 'k6/execution';
import { setTimeout } from 'k6/timers';
import { ensureUsers } from '../lib/http-api.js';
import { envDurationMs, envInt, k6Duration, RUN_ID, SOCKET_URL } from '../lib/config.js';
import { profile } from '../lib/profiles.js';
import { SocketIoClient } from '../lib/socketio.js';
import * as thresholds from '../lib/thresholds.js';
import { summaryHandler, summaryTrendStats } from '../lib/summary.js';

const chosen = profile();
const CONNECT_RATE = envInt('CONNECT_RATE', chosen.connectRate);
const CONNECT_FOR_MS = envDurationMs('CONNECT_FOR', chosen.connectFor);
const HOLD_MS = envDurationMs('HOLD', '20s');
/** Accounts the sockets log in as (several sockets per account, like several tabs). */
const USERS = envInt('USERS', 50);

export const options = {
  scenarios: {
    storm: {
      executor: 'constant-arrival-rate',
      exec: 'connectAndHold',
      rate: CONNECT_RATE,
      timeUnit: '1s',
      duration: k6Duration(CONNECT_FOR_MS),
      // Every socket keeps its VU for HOLD plus the handshake.
      preAllocatedVUs: Math.ceil(CONNECT_RATE * (HOLD_MS / 1000 + 5)),
      maxVUs: Math.ceil(CONNECT_RATE * (HOLD_MS / 1000 + 15)),
      gracefulStop: k6Duration(HOLD_MS + 20000),
    },
  },
  setupTimeout: k6Duration(60000 + USERS * 200),
  thresholds: {
    ...thresholds.sockets,
    // Every iteration of the storm started: k6 had the VUs to keep the arrival rate.
    dropped_iterations: ['count==0'],
  },
  summaryTrendStats,
};

export function setup() {
  // Tokens of USERS accounts (USERS × ~1 KB is copied to every VU, so keep USERS small).
  return { tokens: ensureUsers(RUN_ID, USERS).map((user) => user.accessToken) };
}

export function connectAndHold(data) {
  const token = data.tokens[exec.scenario.iterationInTest % data.tokens.length];
  const socket = new SocketIoClient(SOCKET_URL, { auth: { token }, reconnect: { attempts: 0, delayMs: 0, maxDelayMs: 0 } });
  socket.onConnect = () => setTimeout(() => socket.close(), HOLD_MS);
  socket.onConnectError = (error) => check(error, { 'handshake accepted': () => false });
  socket.connect();
}

export const handleSummary = summaryHandler('connect-storm');
