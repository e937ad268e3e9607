import type { Result } from 'ioredis';
import { sendRateKey } from '@parley/keyspace';
import type { Redis } from '@parley/redis';

/**
 * The per-sender token bucket taken before the accept script, in the install's slot, for
 * MESSAGE_SHARD_KEYS=shard (docs/decisions/0043-hash-tag-per-message-shard.md): there each shard's
 * script runs on that shard's keys, so a bucket inside it would hold per shard and a sender
 * spreading messages over N shards could send N times the limit. Same arithmetic as the accept
 * script's bucket (messages/accept-script.ts), one bucket per sender for the whole install.
 *
 * KEYS: one bucket per distinct sender. ARGV: now ms, rate/s, burst, then per key the number of
 * messages asked for. Returns per key {granted, retry ms for the first refused (0: none)}.
 */
const TAKE_SEND_TOKENS_LUA = `
local now, rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for i, key in ipairs(KEYS) do
  local wanted = tonumber(ARGV[3 + i])
  local stored = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens, ts = tonumber(stored[1]), tonumber(stored[2])
  if tokens == nil or ts == nil then tokens = burst; ts = now end
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
  local granted = math.min(wanted, math.floor(tokens))
  tokens = tokens - granted
  local retry = 0
  if granted < wanted then retry = math.ceil((1 - tokens) * 1000 / rate) end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(burst * 1000 / rate) + 1000)
  out[i] = {granted, retry}
end
return out
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    parleyTakeSendTokens(numKeys: number, ...keysAndArgs: Array<string | number>): Result<Array<[number, number]>, Context>;
  }
}

export interface SenderRateGateSettings {
  redis: Redis;
  /** The install's prefix: every sender's one bucket, whatever shard its rooms are in. */
  installPrefix: string;
  ratePerSecond: number;
  burst: number;
}

/** Which of a batch's sends (by sender) the senders' buckets admit, in batch order. */
export interface GateDecision {
  /** Per send, in order: null when admitted, else the retry-after in ms. */
  refusedRetryMs: Array<number | null>;
}

export class SenderRateGate {
  constructor(private readonly settings: SenderRateGateSettings) {
    if (typeof (settings.redis as Partial<Pick<Redis, 'parleyTakeSendTokens'>>).parleyTakeSendTokens !== 'function') {
      settings.redis.defineCommand('parleyTakeSendTokens', { lua: TAKE_SEND_TOKENS_LUA });
    }
  }

  /**
   * Takes one token per send from its sender's bucket, all in one script; a sender's first
   * sends (in batch order) get what its bucket holds, the rest are refused with its retry-after.
   */
  async admit(senderIds: string[], nowMs: number = Date.now()): Promise<GateDecision> {
    const wanted = new Map<string, number>();
    for (const senderId of senderIds) wanted.set(senderId, (wanted.get(senderId) ?? 0) + 1);
    const senders = [...wanted.keys()];
    const { redis, installPrefix, ratePerSecond, burst } = this.settings;
    const replies = await redis.parleyTakeSendTokens(
      senders.length,
      ...senders.map((senderId) => sendRateKey(installPrefix, senderId)),
      nowMs,
      ratePerSecond,
      burst,
      ...senders.map((senderId) => wanted.get(senderId)!),
    );
    const left = new Map<string, { granted: number; retryMs: number }>();
    senders.forEach((senderId, index) => left.set(senderId, { granted: Number(replies[index]![0]), retryMs: Number(replies[index]![1]) }));
    return {
      refusedRetryMs: senderIds.map((senderId) => {
        const bucket = left.get(senderId)!;
        if (bucket.granted > 0) {
          bucket.granted -= 1;
          return null;
        }
        return Math.max(1, bucket.retryMs);
      }),
    };
  }
}
