import type { Redis } from 'ioredis';

/**
 * Accepts a batch of messages atomically, in one command, each message in turn:
 *  1. idempotency: a known (sender, clientMsgId) returns the stored message (`dup`);
 *  2. the sender's token bucket (shared by all pods) may refuse it (`limited`, retry ms);
 *  3. otherwise remembers (sender, clientMsgId) → message with a TTL, appends the message to
 *     the room's recent window, trimmed to its size, and adds its id to the batch's accepted
 *     set, which tells the persistence worker what of the batch's job to store (`ok`).
 * KEYS: the accepted set, then per message: bucket, idempotency, window.
 * ARGV: now ms, rate/s, burst, window size, idempotency TTL s, window TTL s, then per message:
 * message JSON, sortable id, message id.
 * Not for Redis Cluster as is (the keys hash to different slots).
 */
const ACCEPT_BATCH_LUA = `
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local windowSize = tonumber(ARGV[4])
local replies = {}
for i = 0, (#KEYS - 1) / 3 - 1 do
  local bucketKey, idempotencyKey, windowKey = KEYS[2 + 3 * i], KEYS[3 + 3 * i], KEYS[4 + 3 * i]
  local json, sortable, id = ARGV[7 + 3 * i], ARGV[8 + 3 * i], ARGV[9 + 3 * i]
  local existing = redis.call('GET', idempotencyKey)
  if existing then
    replies[i + 1] = {'dup', existing}
  else
    local bucket = redis.call('HMGET', bucketKey, 'tokens', 'ts')
    local tokens = tonumber(bucket[1])
    local ts = tonumber(bucket[2])
    if tokens == nil or ts == nil then
      tokens = burst
      ts = now
    end
    tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
    if tokens < 1 then
      replies[i + 1] = {'limited', tostring(math.ceil((1 - tokens) * 1000 / rate))}
    else
      redis.call('HSET', bucketKey, 'tokens', tostring(tokens - 1), 'ts', tostring(now))
      redis.call('PEXPIRE', bucketKey, math.ceil(burst * 1000 / rate) + 1000)
      redis.call('SET', idempotencyKey, json, 'EX', ARGV[5])
      redis.call('ZADD', windowKey, 0, sortable .. '|' .. json)
      redis.call('ZREMRANGEBYRANK', windowKey, 0, -(windowSize + 1))
      redis.call('EXPIRE', windowKey, ARGV[6])
      redis.call('SADD', KEYS[1], id)
      replies[i + 1] = {'ok'}
    end
  end
end
return replies
`;

export type AcceptReply = ['ok'] | ['dup', string] | ['limited', string];

export interface AcceptCandidate {
  bucketKey: string;
  idempotencyKey: string;
  windowKey: string;
  messageJson: string;
  sortableId: string;
  messageId: string;
}

export interface AcceptBatchSettings {
  /** The batch's accepted set (`acceptedSetKey`). */
  acceptedKey: string;
  nowMs: number;
  ratePerSecond: number;
  burst: number;
  windowSize: number;
  idempotencyTtlSeconds: number;
  windowTtlSeconds: number;
}

/**
 * Sends the batch's accept script, with EVAL, before returning: the write is on the connection
 * when this returns, so a command issued after it on the same connection (the batch's job)
 * runs after it in Redis. EVALSHA could not promise that: on NOSCRIPT ioredis resends the
 * script after the reply, behind whatever was sent in between. The script text costs a KB per
 * batch, not per message.
 */
export function acceptBatch(redis: Redis, settings: AcceptBatchSettings, candidates: AcceptCandidate[]): Promise<AcceptReply[]> {
  const keys = [settings.acceptedKey, ...candidates.flatMap((candidate) => [candidate.bucketKey, candidate.idempotencyKey, candidate.windowKey])];
  const args = [
    settings.nowMs,
    settings.ratePerSecond,
    settings.burst,
    settings.windowSize,
    settings.idempotencyTtlSeconds,
    settings.windowTtlSeconds,
    ...candidates.flatMap((candidate) => [candidate.messageJson, candidate.sortableId, candidate.messageId]),
  ];
  return redis.eval(ACCEPT_BATCH_LUA, keys.length, ...keys, ...args) as Promise<AcceptReply[]>;
}

export function sendRateKey(redisKeyPrefix: string, senderId: string): string {
  return `${redisKeyPrefix}send-rate:${senderId}`;
}

export function idempotencyKey(redisKeyPrefix: string, senderId: string, clientMsgId: string): string {
  return `${redisKeyPrefix}msg-idem:${senderId}:${clientMsgId}`;
}

/**
 * The set of ids the accept script of one batch took, named after the batch's first message
 * id (unique across pods). The batch's persistence job names it; the worker stores only those
 * ids and deletes the set when the job is done. It has no TTL on purpose: a job may wait for a
 * stopped worker for as long as it takes, and its set must still be there.
 */
export function acceptedSetKey(redisKeyPrefix: string, firstMessageId: string): string {
  return `${redisKeyPrefix}msg-accepted:${firstMessageId}`;
}

/**
 * Takes back what an accept script recorded for messages whose job could not be stored:
 * an idempotency key only if it still holds this very message (a `dup` reply's key belongs to
 * an earlier, stored message), the window entry, and the batch's accepted set. Safe to run
 * when it is unknown which messages the script took (it failed half-way).
 * KEYS: the accepted set, then per message: idempotency, window. ARGV per message: JSON, window member.
 */
const WITHDRAW_BATCH_LUA = `
for i = 0, (#KEYS - 1) / 2 - 1 do
  local idempotencyKey, windowKey = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  if redis.call('GET', idempotencyKey) == ARGV[1 + 2 * i] then redis.call('DEL', idempotencyKey) end
  redis.call('ZREM', windowKey, ARGV[2 + 2 * i])
end
redis.call('DEL', KEYS[1])
return 1
`;

export interface WithdrawCandidate {
  idempotencyKey: string;
  windowKey: string;
  messageJson: string;
  windowMember: string;
}

export async function withdrawBatch(redis: Redis, acceptedKey: string, candidates: WithdrawCandidate[]): Promise<void> {
  const keys = [acceptedKey, ...candidates.flatMap((candidate) => [candidate.idempotencyKey, candidate.windowKey])];
  const args = candidates.flatMap((candidate) => [candidate.messageJson, candidate.windowMember]);
  await redis.eval(WITHDRAW_BATCH_LUA, keys.length, ...keys, ...args);
}
