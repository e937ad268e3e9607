/**
 * Just enough of k6's modules to evaluate a bundled scenario in Node: enough to read its
 * `options` and to see which custom metrics it declares. Nothing here sends traffic.
 */
export const K6_STUB_SOURCE = `
const declared = (globalThis.__k6Metrics ??= new Map());
class Metric {
  constructor(name, isTime) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new Error('invalid metric name ' + name);
    if (declared.has(name) && declared.get(name) !== this.constructor.name) throw new Error('metric ' + name + ' declared twice with different types');
    declared.set(name, this.constructor.name);
    this.name = name;
    this.isTime = Boolean(isTime);
  }
  add() {}
}
export class Counter extends Metric {}
export class Gauge extends Metric {}
export class Rate extends Metric {}
export class Trend extends Metric {}
export function check() { return true; }
export function sleep() {}
export function group(_name, run) { return run(); }
const response = { status: 0, body: '', json: () => ({}) };
const http = {
  get: () => response, post: () => response, put: () => response, del: () => response, request: () => response,
  batch: (requests) => requests.map(() => response),
  expectedStatuses: (...statuses) => ({ statuses }),
};
export default http;
export const execution = { vu: { idInTest: 1 }, scenario: { iterationInTest: 0 } };
export function setTimeout() { return 0; }
export function clearTimeout() {}
export function setInterval() { return 0; }
export function clearInterval() {}
export class WebSocket { static CONNECTING = 0; static OPEN = 1; static CLOSING = 2; static CLOSED = 3; constructor() { throw new Error('no sockets while reading options'); } }
`;

/** Built-in k6 metrics a threshold may name without declaring them. */
export const K6_BUILTIN_METRICS = new Set([
  'checks',
  'data_received',
  'data_sent',
  'dropped_iterations',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_duration',
  'http_req_failed',
  'http_req_receiving',
  'http_req_sending',
  'http_req_tls_handshaking',
  'http_req_waiting',
  'http_reqs',
  'iteration_duration',
  'iterations',
  'vus',
  'vus_max',
  'ws_connecting',
  'ws_msgs_received',
  'ws_msgs_sent',
  'ws_session_duration',
  'ws_sessions',
]);
