import type { ChatServer } from './socket-types.js';

interface ShardedAdapterInternals {
  uid: string;
  nsp: { name: string };
  onRawMessage?(raw: Buffer, channel: Buffer | string): void;
}

/**
 * Redis delivers a pod's own broadcasts back to it (its subscriber is in the room's channel
 * too), and the sharded adapter parses each one before it sees the sender's uid and drops it:
 * with two pods, half of what a pod parses. The JSON the adapter publishes ends with the
 * sender's uid and namespace (`…,"uid":"<uid>","nsp":"/"}`, added last), so an echo is
 * recognised by its last bytes and dropped unparsed. Anything else, binary (msgpack)
 * messages included, takes the adapter's own path. The classic adapter is left alone.
 */
export function dropOwnBroadcastEchoes(io: ChatServer): void {
  const adapter = io.of('/').adapter as unknown as ShardedAdapterInternals;
  const onRawMessage = adapter.onRawMessage?.bind(adapter);
  if (!onRawMessage) return;
  const ownTail = Buffer.from(`"uid":${JSON.stringify(adapter.uid)},"nsp":${JSON.stringify(adapter.nsp.name)}}`);
  adapter.onRawMessage = (raw, channel) => {
    if (raw.length > ownTail.length && raw[0] === OPENING_BRACE && ownTail.compare(raw, raw.length - ownTail.length) === 0) return;
    onRawMessage(raw, channel);
  };
}

const OPENING_BRACE = 0x7b;
