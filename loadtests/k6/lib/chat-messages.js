// Message bodies the scenarios send, and the bookkeeping receivers use to count loss,
// duplicates and misdeliveries. Pure JavaScript (no k6 import), unit-tested in Node.

/** Random UUID v4 (clientMsgId): unique per send, which is all the server asks of it. */
export function uuidv4() {
  const hex = [];
  for (let index = 0; index < 16; index += 1) hex.push(Math.floor(Math.random() * 256));
  hex[6] = (hex[6] & 0x0f) | 0x40;
  hex[8] = (hex[8] & 0x3f) | 0x80;
  const text = hex.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/**
 * A body carrying what receivers need: run id, sender's sequence number, sender's clock at
 * send time (end-to-end latency), how many of the sender's messages were acknowledged
 * before this one, and whether it is the sender's final message.
 */
export function encodeBody({ run, seq, sentAt, ackedBefore, final }) {
  return JSON.stringify({ k6: run, q: seq, t: sentAt, a: ackedBefore, f: final ? 1 : 0 });
}

/** The body's fields, or undefined when the message is not from this run. */
export function decodeBody(body, run) {
  if (typeof body !== 'string' || body[0] !== '{') return undefined;
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!parsed || parsed.k6 !== run || typeof parsed.q !== 'number' || typeof parsed.t !== 'number') return undefined;
  return { seq: parsed.q, sentAt: parsed.t, ackedBefore: parsed.a, final: parsed.f === 1 };
}

/**
 * What one receiver saw from each other member of its room. Each sender's final message says
 * how many of its messages were acknowledged before it, so the receiver knows exactly how many
 * it should have: ackedBefore + 1 (the final one itself).
 */
export class ReceiverLedger {
  constructor(ownUserId, roomId) {
    this.ownUserId = ownUserId;
    this.roomId = roomId;
    this.senders = {};
    this.duplicated = 0;
    this.misdelivered = 0;
    /** Set when the receiver's socket dropped: it was offline for a while, so gaps are not loss. */
    this.interrupted = false;
  }

  /** Returns 'own' | 'foreign' | 'misdelivered' | 'duplicate' | 'new'. */
  record(message, body) {
    if (message.roomId !== this.roomId) {
      this.misdelivered += 1;
      return 'misdelivered';
    }
    if (message.senderId === this.ownUserId) return 'own';
    if (!body) return 'foreign';
    const sender = (this.senders[message.senderId] = this.senders[message.senderId] || { seen: {}, count: 0, finalAcked: undefined });
    if (sender.seen[body.seq]) {
      this.duplicated += 1;
      return 'duplicate';
    }
    sender.seen[body.seq] = true;
    sender.count += 1;
    if (body.final) sender.finalAcked = body.ackedBefore + 1;
    return 'new';
  }

  /**
   * Missing messages of senders whose final message arrived, and senders whose final one never
   * did. A receiver that was disconnected for a while counts neither (it was not online).
   */
  settle() {
    if (this.interrupted) return { lost: 0, finalMissing: 0 };
    let lost = 0;
    let finalMissing = 0;
    for (const id of Object.keys(this.senders)) {
      const sender = this.senders[id];
      if (sender.finalAcked === undefined) finalMissing += 1;
      else lost += Math.max(0, sender.finalAcked - sender.count);
    }
    return { lost, finalMissing };
  }
}

/** Rooms of `roomSize` consecutive members (the last may be smaller; a lone last member joins the previous room). */
export function roomOf(index, users, roomSize) {
  const rooms = Math.max(1, Math.floor(users / roomSize) + (users % roomSize > 1 ? 1 : 0));
  const room = Math.min(Math.floor(index / roomSize), rooms - 1);
  const first = room * roomSize;
  const last = room === rooms - 1 ? users - 1 : first + roomSize - 1;
  return { room, first, size: last - first + 1 };
}
