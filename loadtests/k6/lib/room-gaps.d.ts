// Types of room-gaps.js, for the Node tests (k6 ignores this file).
/** A message as room:sync returns it (this file reads only `seq`). */
export interface SyncedMessage {
  seq: number;
  roomId: string;
  senderId: string;
  body: string;
}
export interface SyncedRoom {
  messages: SyncedMessage[];
  hasMore: boolean;
}
export declare class RoomGaps {
  constructor(settings: {
    sync(afterSeq: number, done: (room: SyncedRoom | undefined) => void): void;
    received(messages: SyncedMessage[]): void;
    setTimeout(callback: () => void, ms: number): unknown;
    settleMs?: number;
    maxAttempts?: number;
  });
  readonly complete: number;
  readonly hasGap: boolean;
  observe(seq: number): void;
  resync(): void;
}
