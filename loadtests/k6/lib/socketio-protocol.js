// Engine.IO v4 + Socket.IO v5 framing over WebSocket text frames, and a transport-free session
// (handshake, ping/pong, CONNECT with auth, events, acks). Pure JavaScript with no k6 import,
// so Node tests check it against the real socket.io-parser / engine.io-parser and a real server;
// lib/socketio.js binds it to k6/websockets.

/** Engine.IO packet types (the first character of every frame). */
export const EnginePacket = Object.freeze({
  open: '0',
  close: '1',
  ping: '2',
  pong: '3',
  message: '4',
  upgrade: '5',
  noop: '6',
});

const ENGINE_TYPES = Object.fromEntries(Object.entries(EnginePacket).map(([name, code]) => [code, name]));

/** Socket.IO packet types (the first character of an Engine.IO message's data). */
export const SocketPacket = Object.freeze({
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  CONNECT_ERROR: 4,
  BINARY_EVENT: 5,
  BINARY_ACK: 6,
});

/** The WebSocket URL of a Socket.IO server: http(s)://host → ws(s)://host/socket.io/?EIO=4&transport=websocket. */
export function socketIoUrl(baseUrl, path = '/socket.io/') {
  const origin = baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws');
  const normalized = `/${path.replace(/^\/+|\/+$/g, '')}/`;
  return `${origin}${normalized}?EIO=4&transport=websocket`;
}

/** One Engine.IO packet as a WebSocket text frame. */
export function encodeEnginePacket(type, data) {
  const code = EnginePacket[type];
  if (code === undefined) throw new Error(`unknown Engine.IO packet type ${type}`);
  return data === undefined ? code : code + data;
}

/** A WebSocket text frame → { type, data? }. Binary frames are not used by this client. */
export function decodeEnginePacket(frame) {
  if (typeof frame !== 'string' || frame.length === 0) throw new Error('an Engine.IO frame is a non-empty string');
  const type = ENGINE_TYPES[frame[0]];
  if (type === undefined) throw new Error(`unknown Engine.IO packet type ${frame[0]}`);
  return frame.length > 1 ? { type, data: frame.slice(1) } : { type };
}

/** A Socket.IO packet { type, nsp?, id?, data? } → its string form (what socket.io-parser's Encoder produces). */
export function encodeSocketPacket(packet) {
  if (packet.type === SocketPacket.BINARY_EVENT || packet.type === SocketPacket.BINARY_ACK) {
    throw new Error('binary packets are not supported');
  }
  let text = String(packet.type);
  if (packet.nsp && packet.nsp !== '/') text += `${packet.nsp},`;
  if (packet.id !== undefined && packet.id !== null) text += String(packet.id);
  if (packet.data !== undefined) text += JSON.stringify(packet.data);
  return text;
}

/** A Socket.IO packet's string form → { type, nsp, id?, data? } (what socket.io-parser's Decoder yields). */
export function decodeSocketPacket(text) {
  const type = Number(text[0]);
  if (!(type >= 0 && type <= 6)) throw new Error(`unknown Socket.IO packet type ${text[0]}`);
  if (type === SocketPacket.BINARY_EVENT || type === SocketPacket.BINARY_ACK) throw new Error('binary packets are not supported');
  let index = 1;
  let nsp = '/';
  if (text[index] === '/') {
    const comma = text.indexOf(',', index);
    const end = comma === -1 ? text.length : comma;
    nsp = text.slice(index, end);
    index = comma === -1 ? text.length : comma + 1;
  }
  const packet = { type, nsp };
  let digits = '';
  while (index < text.length && text[index] >= '0' && text[index] <= '9') digits += text[index++];
  if (digits !== '') packet.id = Number(digits);
  if (index < text.length) {
    let data;
    try {
      data = JSON.parse(text.slice(index));
    } catch {
      throw new Error('invalid Socket.IO payload');
    }
    if (!isValidPayload(type, data)) throw new Error('invalid Socket.IO payload');
    packet.data = data;
  }
  return packet;
}

function isValidPayload(type, data) {
  const isObject = data !== null && typeof data === 'object' && !Array.isArray(data);
  switch (type) {
    case SocketPacket.CONNECT:
      return isObject;
    case SocketPacket.CONNECT_ERROR:
      return typeof data === 'string' || isObject;
    case SocketPacket.EVENT:
      return Array.isArray(data) && (typeof data[0] === 'string' || typeof data[0] === 'number');
    case SocketPacket.ACK:
      return Array.isArray(data);
    default:
      return false;
  }
}

/** Engine.IO message frame carrying a Socket.IO packet. */
export function messageFrame(packet) {
  return encodeEnginePacket('message', encodeSocketPacket(packet));
}

/** CONNECT to a namespace, with the handshake `auth` payload (e.g. { token }). */
export function connectFrame(auth, nsp = '/') {
  return messageFrame({ type: SocketPacket.CONNECT, nsp, data: auth === undefined ? undefined : auth });
}

export function eventFrame(event, args = [], ackId, nsp = '/') {
  return messageFrame({ type: SocketPacket.EVENT, nsp, id: ackId, data: [event, ...args] });
}

export function ackFrame(id, args = [], nsp = '/') {
  return messageFrame({ type: SocketPacket.ACK, nsp, id, data: args });
}

export function disconnectFrame(nsp = '/') {
  return messageFrame({ type: SocketPacket.DISCONNECT, nsp });
}

/**
 * One Socket.IO connection's protocol state, without a transport: feed it every received
 * frame (`receive`), and it calls `send(frame)` for what must go out (pong, CONNECT, events,
 * acks) and the handlers for what happened.
 *
 * handlers: onOpen(handshake), onConnect(sid), onConnectError(data), onEvent(event, args, ack?),
 * onDisconnect(reason). Ack callbacks are called as callback(error, ...args).
 */
export class SocketIoSession {
  constructor({ send, auth, nsp = '/', handlers = {} }) {
    this.sendFrame = send;
    this.auth = auth;
    this.nsp = nsp;
    /** @type {Record<string, (...args: any[]) => void>} */
    this.handlers = handlers;
    /** opening → connecting → connected → closed */
    this.state = 'opening';
    this.sid = undefined;
    this.handshake = undefined;
    this.nextAckId = 0;
    this.acks = new Map();
  }

  receive(frame) {
    const packet = decodeEnginePacket(frame);
    switch (packet.type) {
      case 'open':
        this.handshake = JSON.parse(packet.data ?? '{}');
        this.state = 'connecting';
        this.handlers.onOpen?.(this.handshake);
        this.sendFrame(connectFrame(typeof this.auth === 'function' ? this.auth() : this.auth, this.nsp));
        return;
      case 'ping':
        this.sendFrame(encodeEnginePacket('pong'));
        return;
      case 'close':
        this.closed('transport close');
        return;
      case 'message':
        this.receiveSocketPacket(decodeSocketPacket(packet.data ?? ''));
        return;
      default:
        return;
    }
  }

  receiveSocketPacket(packet) {
    if (packet.nsp !== this.nsp) return;
    switch (packet.type) {
      case SocketPacket.CONNECT:
        this.state = 'connected';
        this.sid = packet.data?.sid;
        this.handlers.onConnect?.(this.sid);
        return;
      case SocketPacket.CONNECT_ERROR:
        this.state = 'closed';
        this.handlers.onConnectError?.(packet.data);
        return;
      case SocketPacket.EVENT: {
        const [event, ...args] = packet.data;
        const ack = packet.id === undefined ? undefined : (...reply) => this.sendFrame(ackFrame(packet.id, reply, this.nsp));
        this.handlers.onEvent?.(event, args, ack);
        return;
      }
      case SocketPacket.ACK: {
        const callback = this.acks.get(packet.id);
        if (!callback) return;
        this.acks.delete(packet.id);
        callback(null, ...packet.data);
        return;
      }
      case SocketPacket.DISCONNECT:
        this.closed('io server disconnect');
        return;
      default:
        return;
    }
  }

  get connected() {
    return this.state === 'connected';
  }

  emit(event, ...args) {
    this.sendFrame(eventFrame(event, args, undefined, this.nsp));
  }

  /** Sends an event expecting an ack; returns the ack id (for `dropAck` on timeout). */
  emitWithAck(event, args, callback) {
    const id = this.nextAckId++;
    this.acks.set(id, callback);
    this.sendFrame(eventFrame(event, args, id, this.nsp));
    return id;
  }

  /** Gives up on one ack (timeout): its callback gets an error, a late ack is ignored. */
  dropAck(id, reason = 'ack timeout') {
    const callback = this.acks.get(id);
    if (!callback) return false;
    this.acks.delete(id);
    callback(new Error(reason));
    return true;
  }

  get pendingAcks() {
    return this.acks.size;
  }

  /** Leaves the namespace (the transport is closed by the caller). */
  disconnect() {
    if (this.state === 'connected') this.sendFrame(disconnectFrame(this.nsp));
    this.closed('io client disconnect');
  }

  /** The transport closed: fail every pending ack and report the disconnect once. */
  closed(reason) {
    if (this.state === 'closed' && this.acks.size === 0) return;
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    for (const id of [...this.acks.keys()]) this.dropAck(id, reason);
    if (wasConnected) this.handlers.onDisconnect?.(reason);
  }
}
