import type { ClientToServerEvents, ServerToClientEvents } from '@parley/contracts';
import type { Server, Socket } from 'socket.io';

/** A change of one room's membership, applied to the sockets of every pod. */
export interface MembershipChange {
  roomId: string;
  join: string[];
  leave: string[];
}

/** Events between chat-socket pods (socket.io serverSideEmit). */
export interface InterServerEvents {
  'membership:apply': (change: MembershipChange, done: (applied: boolean) => void) => void;
}

/** What the handshake proved about a socket. */
export interface SocketData {
  userId: string;
  username: string;
  /** The session (`sid`) and the access token's `iat` and `exp` (epoch seconds; renewed by `auth:refresh`). */
  sessionId: string;
  issuedAt: number;
  expiresAt: number;
  /** Rooms the user belonged to at handshake; the socket joins them on connect. */
  roomIds: string[];
  /** When the handshake began reading `roomIds` (epoch ms): later changes are applied on connect. */
  roomIdsReadAt: number;
}

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
