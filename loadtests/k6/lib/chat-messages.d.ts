// Types of chat-messages.js, for the Node tests (k6 ignores this file).
export interface BodyFields {
  seq: number;
  sentAt: number;
  ackedBefore: number;
  final: boolean;
}
export declare function uuidv4(): string;
export declare function encodeBody(fields: { run: string; seq: number; sentAt: number; ackedBefore: number; final: boolean }): string;
export declare function decodeBody(body: unknown, run: string): BodyFields | undefined;
export declare class ReceiverLedger {
  constructor(ownUserId: string, roomId: string);
  duplicated: number;
  misdelivered: number;
  interrupted: boolean;
  record(message: { senderId: string; roomId: string }, body: BodyFields | undefined): 'own' | 'foreign' | 'misdelivered' | 'duplicate' | 'new';
  settle(): { lost: number; finalMissing: number };
}
export declare function roomOf(index: number, users: number, roomSize: number): { room: number; first: number; size: number };
