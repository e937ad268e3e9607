import type { ChainableCommander, Redis } from 'ioredis';

/**
 * Accepts one message atomically, in one round trip per batch (pipelined):
 *  1. idempotency: a known (sender, clientMsgId) returns the stored message (`dup`);
 *  2. the sender's token bucket (shared by all pods) may refuse it (`limited`, retry ms);
 *  3. otherwise remembers (sender, clientMsgId) → message with a TTL and appends the message
 *     to the room's recent window, trimmed to its size (`ok`).
 * KEYS: bucket, idempotency, window. ARGV: now ms, rate/s, burst, message JSON, sortable id,
 * window size, idempotency TTL s, window TTL s.
 * Not for Redis Cluster as is (the three keys hash to different slots).
 */
const ACCEPT_MESSAGE_LUA = `
local existing = redis.call('GET', KEYS[2])
if existing then return {'dup', existing} end
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(bucket[1])
local ts = tonumber(bucket[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
if tokens < 1 then
  return {'limited', tostring(math.ceil((1 - tokens) * 1000 / rate))}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[7])
redis.call('ZADD', KEYS[3], 0, ARGV[5] .. '|' .. ARGV[4])
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[6]) + 1))
redis.call('EXPIRE', KEYS[3], ARGV[8])
return {'ok'}
`;

const COMMAND = 'parleyAcceptMessage';

export type AcceptReply = ['ok'] | ['dup', string] | ['limited', string];

export interface AcceptArguments {
  bucketKey: string;
  idempotencyKey: string;
  windowKey: string;
  nowMs: number;
  ratePerSecond: number;
  burst: number;
  messageJson: string;
  sortableId: string;
  windowSize: number;
  idempotencyTtlSeconds: number;
  windowTtlSeconds: number;
}

type WithAcceptCommand = { [COMMAND]: (...args: Array<string | number>) => unknown };

/** Registers the script on a connection (EVALSHA with EVAL fallback, handled by ioredis). */
export function defineAcceptCommand(redis: Redis): void {
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 3, lua: ACCEPT_MESSAGE_LUA });
}

export function queueAccept(pipeline: ChainableCommander, args: AcceptArguments): void {
  (pipeline as unknown as WithAcceptCommand)[COMMAND](
    args.bucketKey,
    args.idempotencyKey,
    args.windowKey,
    args.nowMs,
    args.ratePerSecond,
    args.burst,
    args.messageJson,
    args.sortableId,
    args.windowSize,
    args.idempotencyTtlSeconds,
    args.windowTtlSeconds,
  );
}

export function sendRateKey(redisKeyPrefix: string, senderId: string): string {
  return `${redisKeyPrefix}send-rate:${senderId}`;
}

export function idempotencyKey(redisKeyPrefix: string, senderId: string, clientMsgId: string): string {
  return `${redisKeyPrefix}msg-idem:${senderId}:${clientMsgId}`;
}
