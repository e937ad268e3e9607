// Types of socketio-protocol.js, for the Node tests (k6 ignores this file).

export type EnginePacketType = 'open' | 'close' | 'ping' | 'pong' | 'message' | 'upgrade' | 'noop';
export declare const EnginePacket: Readonly<Record<EnginePacketType, string>>;
export declare const SocketPacket: Readonly<{
  CONNECT: 0;
  DISCONNECT: 1;
  EVENT: 2;
  ACK: 3;
  CONNECT_ERROR: 4;
  BINARY_EVENT: 5;
  BINARY_ACK: 6;
}>;

export interface EngineIoPacket {
  type: EnginePacketType;
  data?: string;
}

export interface SocketIoPacket {
  type: number;
  nsp: string;
  id?: number;
  data?: unknown;
}

export declare function socketIoUrl(baseUrl: string, path?: string): string;
export declare function encodeEnginePacket(type: EnginePacketType, data?: string): string;
export declare function decodeEnginePacket(frame: string): EngineIoPacket;
export declare function encodeSocketPacket(packet: { type: number; nsp?: string; id?: number; data?: unknown }): string;
export declare function decodeSocketPacket(text: string): SocketIoPacket;
export declare function messageFrame(packet: { type: number; nsp?: string; id?: number; data?: unknown }): string;
export declare function connectFrame(auth?: unknown, nsp?: string): string;
export declare function eventFrame(event: string, args?: unknown[], ackId?: number, nsp?: string): string;
export declare function ackFrame(id: number, args?: unknown[], nsp?: string): string;
export declare function disconnectFrame(nsp?: string): string;

export type AckCallback = (error: Error | null, ...args: unknown[]) => void;

export interface SessionHandlers {
  onOpen?(handshake: { sid: string; pingInterval: number; pingTimeout: number; maxPayload?: number; upgrades?: string[] }): void;
  onConnect?(sid: string | undefined): void;
  onConnectError?(data: unknown): void;
  onEvent?(event: string, args: unknown[], ack?: (...reply: unknown[]) => void): void;
  onDisconnect?(reason: string): void;
}

export declare class SocketIoSession {
  constructor(settings: { send(frame: string): void; auth?: unknown | (() => unknown); nsp?: string; handlers?: SessionHandlers });
  state: 'opening' | 'connecting' | 'connected' | 'closed';
  sid: string | undefined;
  handshake: { sid: string; pingInterval: number; pingTimeout: number } | undefined;
  readonly connected: boolean;
  readonly pendingAcks: number;
  receive(frame: string): void;
  emit(event: string, ...args: unknown[]): void;
  emitWithAck(event: string, args: unknown[], callback: AckCallback): number;
  dropAck(id: number, reason?: string): boolean;
  disconnect(): void;
  closed(reason: string): void;
}
