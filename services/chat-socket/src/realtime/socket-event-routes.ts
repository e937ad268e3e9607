import type { ClientToServerEvents } from '@parley/contracts';
import type { ZodType } from 'zod';
import type { ReceivedEvent } from './socket-ack.js';
import type { ChatSocket } from './socket-types.js';

/** Every event a client may send (the contract's event map). */
export type ClientEventName = keyof ClientToServerEvents;

type EventArgs<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>;

/** What an event's ack callback is called with, or `never` for an event sent without one. */
type AckOf<Args extends unknown[]> = Args extends [unknown] ? never : Args extends [unknown, ((result: infer Answer) => void)?] ? Answer : never;

/** The success answer of an acknowledged event, without its `ok` (the plumbing adds it). */
type AckResult<Answer> = Omit<Extract<Answer, { ok: true }>, 'ok'>;

/** An event answered through its ack: a thrown AppError becomes `{ok:false, error}` (socket-ack.ts). */
export interface AckedRoute<Payload, Result> {
  schema: ZodType<Payload>;
  handle(socket: ChatSocket, payload: Payload, received: ReceivedEvent): Promise<Result>;
}

/** A fire-and-forget event (no ack): an invalid payload is dropped without an answer. */
export interface SignalRoute<Payload> {
  schema: ZodType<Payload>;
  signal(socket: ChatSocket, payload: Payload): void;
}

export type SocketEventRoute<E extends ClientEventName> = [AckOf<EventArgs<E>>] extends [never]
  ? SignalRoute<EventArgs<E>[0]>
  : AckedRoute<EventArgs<E>[0], AckResult<AckOf<EventArgs<E>>>>;

/**
 * One route per client event, no more, no fewer: a table of this type is checked at compile
 * time against the contract's `ClientToServerEvents` (payload schema and ack answer included),
 * so an event added to the contract fails typecheck until the server handles it.
 */
export type SocketEventTable = { [E in ClientEventName]: SocketEventRoute<E> };

/** What a socket's arrival and departure change in the domain modules (presence, typing). */
export interface SocketLifecycle {
  connected(socket: ChatSocket): void;
  disconnected(socket: ChatSocket): void;
}
