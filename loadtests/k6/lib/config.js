// Settings every scenario reads from the environment (k6 -e NAME=value, or the TestRun's env).

/** The platform's origin: the local gateway, or the cluster's ingress. */
export const BASE_URL = (__ENV.BASE_URL || 'http://localhost:8080').replace(/\/+$/, '');

/** Socket.IO endpoint (defaults to BASE_URL; set it to reach chat-socket directly, e.g. its Service). */
export const SOCKET_URL = (__ENV.SOCKET_URL || BASE_URL).replace(/\/+$/, '');

/**
 * Host header for every request, when BASE_URL is an ingress controller's in-cluster Service
 * whose rules match a host name (the k6 Operator runs inside the cluster).
 */
export const HOST_HEADER = __ENV.HOST_HEADER || '';

export function hostHeaders() {
  return HOST_HEADER ? { Host: HOST_HEADER } : {};
}

/** Distinguishes this run's accounts and rooms; fix it to reuse accounts from an earlier run. */
export const RUN_ID = __ENV.RUN_ID || `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;

/** Password of every load-test account (they are throwaway accounts). */
export const PASSWORD = __ENV.PASSWORD || 'k6-load-test-password';

export function envInt(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got ${raw}`);
  return value;
}

/** "90s", "5m", "1h", "250ms" or plain seconds → milliseconds. */
export function parseDurationMs(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(text).trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  const factor = { ms: 1, s: 1000, m: 60000, h: 3600000 }[match[2] || 's'];
  return Math.round(Number(match[1]) * factor);
}

export function envDurationMs(name, fallback) {
  return parseDurationMs(__ENV[name] || fallback);
}

/** k6 duration string for a number of milliseconds. */
export function k6Duration(ms) {
  return `${Math.ceil(ms / 1000)}s`;
}
