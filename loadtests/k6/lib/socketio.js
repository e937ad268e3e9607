// A small socket.io client for k6: Engine.IO v4 / Socket.IO v5 over k6/websockets, with the
// handshake auth payload, ping/pong, events, acks with timeouts and reconnects with backoff.
// The framing and protocol state live in socketio-protocol.js (tested in Node against the real
// socket.io packages); this file only binds them to k6's WebSocket, timers and metrics.
import { WebSocket } from 'k6/websockets';
import { setTimeout, clearTimeout } from 'k6/timers';
import { Counter, Rate, Trend } from 'k6/metrics';
import { hostHeaders } from './config.js';
import { SocketIoSession, socketIoUrl } from './socketio-protocol.js';

/** From opening the WebSocket to the server's CONNECT answer (auth checked, rooms joined). */
export const handshakeDuration = new Trend('socketio_handshake_duration', true);
/** Share of connection attempts that did not end connected (refused, failed or timed out). */
export const connectFailures = new Rate('socketio_connect_failures');
export const reconnects = new Counter('socketio_reconnects');
export const ackTimeouts = new Counter('socketio_ack_timeouts');
export const unexpectedDisconnects = new Counter('socketio_unexpected_disconnects');

/**
 * One socket.io connection.
 *
 *   const socket = new SocketIoClient(BASE_URL, { auth: () => ({ token }) });
 *   socket.on('message:new', (message) => …);
 *   socket.onConnect = () => socket.emitWithAck('message:send', payload, (error, ack) => …);
 *   socket.connect();
 *
 * settings: auth (object or function, evaluated at every (re)connect), path, ackTimeoutMs,
 * connectTimeoutMs, reconnect ({ attempts, delayMs, maxDelayMs }; attempts 0 = never),
 * headers, tags.
 */
export class SocketIoClient {
  constructor(baseUrl, settings = {}) {
    this.url = socketIoUrl(baseUrl, settings.path);
    /** @type {any} */
    this.settings = {
      ackTimeoutMs: 10000,
      connectTimeoutMs: 10000,
      reconnect: { attempts: 5, delayMs: 500, maxDelayMs: 5000 },
      ...settings,
    };
    this.listeners = {};
    this.onConnect = undefined;
    this.onConnectError = undefined;
    this.onDisconnect = undefined;
    this.ws = undefined;
    this.session = undefined;
    this.closing = false;
    this.attempt = 0;
    this.timers = new Set();
  }

  /** Registers a handler for a server event (several per event are fine). */
  on(event, handler) {
    (this.listeners[event] = this.listeners[event] || []).push(handler);
    return this;
  }

  get connected() {
    return this.session !== undefined && this.session.connected;
  }

  connect() {
    this.closing = false;
    const startedAt = Date.now();
    let settled = false;
    const settle = (ok) => {
      if (settled) return;
      settled = true;
      this.clear(connectTimer);
      connectFailures.add(!ok, this.settings.tags);
      if (ok) handshakeDuration.add(Date.now() - startedAt, this.settings.tags);
    };
    const params = {};
    const headers = { ...hostHeaders(), ...(this.settings.headers || {}) };
    if (Object.keys(headers).length > 0) params.headers = headers;
    if (this.settings.tags) params.tags = this.settings.tags;
    const ws = new WebSocket(this.url, null, params);
    this.ws = ws;
    const session = new SocketIoSession({
      send: (frame) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(frame);
      },
      auth: this.settings.auth,
      handlers: {
        onConnect: () => {
          settle(true);
          this.attempt = 0;
          if (this.onConnect) this.onConnect();
        },
        onConnectError: (data) => {
          settle(false);
          if (this.onConnectError) this.onConnectError(data);
          // A refused handshake (bad token, draining server) is not retried blindly.
          this.closing = true;
          ws.close();
        },
        onEvent: (event, args, ack) => {
          for (const handler of this.listeners[event] || []) handler(...args, ack);
        },
        onDisconnect: (reason) => {
          if (!this.closing) unexpectedDisconnects.add(1, this.settings.tags);
          if (this.onDisconnect) this.onDisconnect(reason);
        },
      },
    });
    this.session = session;
    const connectTimer = this.later(() => {
      if (!settled) {
        settle(false);
        ws.close();
      }
    }, this.settings.connectTimeoutMs);
    ws.onmessage = (event) => {
      if (typeof event.data === 'string') session.receive(event.data);
    };
    ws.onerror = () => settle(false);
    ws.onclose = () => {
      settle(false);
      session.closed('transport close');
      if (!this.closing) this.scheduleReconnect();
    };
  }

  /** Fire-and-forget event. Returns false when not connected (nothing is buffered). */
  emit(event, ...args) {
    if (!this.connected) return false;
    this.session.emit(event, ...args);
    return true;
  }

  /**
   * Event with an ack: callback(error, ...reply). Errors: 'not connected', 'ack timeout', or the
   * disconnect reason when the connection drops first.
   */
  emitWithAck(event, payload, callback, timeoutMs) {
    if (!this.connected) {
      callback(new Error('not connected'));
      return;
    }
    let timer;
    const id = this.session.emitWithAck(event, [payload], (error, ...reply) => {
      this.clear(timer);
      callback(error, ...reply);
    });
    timer = this.later(() => {
      if (this.session.dropAck(id, 'ack timeout')) ackTimeouts.add(1, this.settings.tags);
    }, timeoutMs || this.settings.ackTimeoutMs);
  }

  /** Leaves for good: no reconnect, every timer cleared (so the VU's iteration can end). */
  close() {
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.session) this.session.disconnect();
    if (this.ws && this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
  }

  scheduleReconnect() {
    const { attempts, delayMs, maxDelayMs } = this.settings.reconnect;
    if (this.attempt >= attempts) return;
    this.attempt += 1;
    const backoff = Math.min(maxDelayMs, delayMs * 2 ** (this.attempt - 1));
    this.later(() => {
      if (this.closing) return;
      reconnects.add(1, this.settings.tags);
      this.connect();
    }, backoff / 2 + Math.random() * (backoff / 2));
  }

  later(run, ms) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  clear(timer) {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }
}
