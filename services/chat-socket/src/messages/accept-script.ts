import { createRequire } from 'node:module';
import type { Result } from 'ioredis';
import type { Redis } from '@parley/redis';

/** BullMQ's own Lua script that adds a standard job (the one `Queue.add` runs), from the installed version. */
const bullmqAddStandardJob = createRequire(import.meta.url)('bullmq/dist/cjs/scripts/addStandardJob-9.js').addStandardJob as {
  name: string;
  content: string;
  keys: number;
};

/** BullMQ's addStandardJob takes 9 keys and 3 arguments; the batch's script passes them through first. */
export const JOB_KEY_COUNT = bullmqAddStandardJob.keys;
export const JOB_ARG_COUNT = 3;
const OWN_KEYS = JOB_KEY_COUNT + 4;
const OWN_ARGS = JOB_ARG_COUNT + 8;
const KEYS_PER_MESSAGE = 4;
const ARGS_PER_MESSAGE = 2;

/**
 * Accepts a batch of messages and writes its persistence job in ONE script, so Redis (and its
 * AOF, where a script's writes are one MULTI/EXEC block) holds both or neither
 * (docs/decisions/0001-atomic-accept-and-enqueue.md).
 *
 * `#!lua` with no flags: Redis refuses the whole script up front when it is out of memory,
 * instead of failing it half-way. It decides first, without writing: per message
 *  1. idempotency: a known (sender, clientMsgId), or one taken earlier in this batch, answers
 *     the stored message (`dup`);
 *  2. the sender's token bucket (shared by all pods) may refuse it (`limited`, retry ms); with
 *     rate 0 the caller has taken the buckets already (SenderRateGate, MESSAGE_SHARD_KEYS=shard);
 *  3. otherwise it is accepted (`ok`) with the room's next sequence number.
 * A room whose sequence counter is missing (new room, or Redis lost it) stops the script before
 * anything is decided (`unseeded` with those message positions): the caller seeds the counters
 * from what is stored and runs the batch again.
 * Then, only if something was accepted, it writes: the job first, then per accepted message the
 * idempotency key, the room's recent-window entry and the message's entry in the job's accepted
 * hash (id → seq), which tells the worker what of the job to store; then the job's entry in the
 * ledger of unpersisted messages (acceptance time, message count: what persistence lag is read
 * from); then counters and buckets.
 *
 * The job: the batch joins the queue's open job (openMessageJobKey) when that job is still the
 * newest in the wait list, so no worker has read its data yet (BullMQ's moveToActive takes a job
 * off the list and reads its data in one script), and holds fewer than the merge limit: its data
 * gets this batch's messages appended and its accepted hash takes this batch's entries
 * (docs/decisions/0048-batches-join-the-waiting-job.md). Otherwise BullMQ's own script adds a new
 * job (an error there leaves nothing accepted), which becomes the open one.
 *
 * KEYS: BullMQ's 9 job keys, the accepted hash, the unpersisted batches set and message
 * counter, the queue's open-job key, then per message: bucket, idempotency, window,
 * sequence counter. ARGV: BullMQ's 3 job arguments, now ms, rate/s, burst, window size,
 * idempotency TTL s, window TTL s, where the messages' items start in the job data (0: this
 * batch joins no job), the merge limit (messages per job; 0: never join), then per message:
 * message JSON (ending in `"seq":0}`, the number replaced here), message id. On a Redis Cluster
 * every one of these keys (BullMQ's too, under the same prefix) carries the install prefix's
 * hash tag, so they share one slot as a script needs (docs/decisions/0035-redis-cluster.md);
 * so do the open job's hash and accepted hash, which the script finds through the open-job key
 * (BullMQ's own scripts reach a job's hash the same way).
 */
const ACCEPT_BATCH_LUA = `#!lua
local function addStandardJob(KEYS, ARGV)
${bullmqAddStandardJob.content}
end

local JOB_KEYS, OWN_KEYS, OWN_ARGS = ${JOB_KEY_COUNT}, ${OWN_KEYS}, ${OWN_ARGS}
local acceptedKey = KEYS[JOB_KEYS + 1]
local now = tonumber(ARGV[4])
local rate = tonumber(ARGV[5])
local burst = tonumber(ARGV[6])
local windowSize = tonumber(ARGV[7])
local count = (#KEYS - OWN_KEYS) / ${KEYS_PER_MESSAGE}

local unseeded = {}
local counters = {}
for i = 0, count - 1 do
  local seqKey = KEYS[OWN_KEYS + 4 + 4 * i]
  if counters[seqKey] == nil then
    local value = redis.call('GET', seqKey)
    counters[seqKey] = value and tonumber(value) or false
  end
  if counters[seqKey] == false then unseeded[#unseeded + 1] = i end
end
if #unseeded > 0 then return {'unseeded', unseeded} end

local replies = {}
local accepted = {}
local buckets = {}
local claimed = {}
for i = 0, count - 1 do
  local base = OWN_KEYS + 1 + 4 * i
  local bucketKey, idempotencyKey, seqKey = KEYS[base], KEYS[base + 1], KEYS[base + 3]
  local existing = claimed[idempotencyKey] or redis.call('GET', idempotencyKey)
  if existing then
    replies[i + 1] = {'dup', existing}
  else
    local limitedMs = nil
    -- rate 0: the senders' buckets were taken before this script (SenderRateGate).
    if rate > 0 then
      local bucket = buckets[bucketKey]
      if bucket == nil then
        local stored = redis.call('HMGET', bucketKey, 'tokens', 'ts')
        bucket = {tokens = tonumber(stored[1]), ts = tonumber(stored[2]), changed = false}
        if bucket.tokens == nil or bucket.ts == nil then
          bucket.tokens = burst
          bucket.ts = now
        end
        buckets[bucketKey] = bucket
      end
      local tokens = math.min(burst, bucket.tokens + math.max(0, now - bucket.ts) * rate / 1000)
      if tokens < 1 then
        limitedMs = math.ceil((1 - tokens) * 1000 / rate)
      else
        bucket.tokens = tokens - 1
        bucket.ts = now
        bucket.changed = true
      end
    end
    if limitedMs then
      replies[i + 1] = {'limited', tostring(limitedMs)}
    else
      local seq = counters[seqKey] + 1
      counters[seqKey] = seq
      local json = string.sub(ARGV[OWN_ARGS + 1 + 2 * i], 1, -3) .. seq .. '}'
      claimed[idempotencyKey] = json
      accepted[#accepted + 1] = {i = i, seq = seq, json = json}
      replies[i + 1] = {'ok', tostring(seq)}
    end
  end
end
if #accepted == 0 then return {replies, false} end

local openJobKey = KEYS[JOB_KEYS + 4]
local itemsOffset = tonumber(ARGV[10])
local mergeLimit = tonumber(ARGV[11])
local jobId = nil
local joined = 0
if itemsOffset > 0 and mergeLimit > 0 then
  local open = redis.call('GET', openJobKey)
  local bar = open and string.find(open, '|', 1, true)
  if bar then
    local openId, openAccepted = string.sub(open, 1, bar - 1), string.sub(open, bar + 1)
    if (redis.call('LINDEX', KEYS[1], 0) == openId or redis.call('LINDEX', KEYS[2], 0) == openId)
        and redis.call('HLEN', openAccepted) + #accepted <= mergeLimit then
      local jobKey = cmsgpack.unpack(ARGV[1])[1] .. openId
      local data = redis.call('HGET', jobKey, 'data')
      if data and string.sub(data, -2) == ']}' then
        redis.call('HSET', jobKey, 'data', string.sub(data, 1, -3) .. ',' .. string.sub(ARGV[2], itemsOffset))
        jobId, acceptedKey, joined = openId, openAccepted, 1
      end
    end
  end
end
if not jobId then
  local jobKeys, jobArgs = {}, {}
  for k = 1, JOB_KEYS do jobKeys[k] = KEYS[k] end
  for a = 1, ${JOB_ARG_COUNT} do jobArgs[a] = ARGV[a] end
  jobId = addStandardJob(jobKeys, jobArgs)
  if itemsOffset > 0 and mergeLimit > 0 then redis.call('SET', openJobKey, jobId .. '|' .. acceptedKey, 'EX', 3600) end
end

local windows = {}
for _, entry in ipairs(accepted) do
  local base = OWN_KEYS + 1 + 4 * entry.i
  local idempotencyKey, windowKey = KEYS[base + 1], KEYS[base + 2]
  redis.call('SET', idempotencyKey, entry.json, 'EX', ARGV[8])
  redis.call('ZADD', windowKey, 0, string.format('%020d', entry.seq) .. '|' .. entry.json)
  windows[windowKey] = true
  redis.call('HSET', acceptedKey, ARGV[OWN_ARGS + 2 + 2 * entry.i], entry.seq)
end
redis.call('ZADD', KEYS[JOB_KEYS + 2], 'NX', ARGV[4], acceptedKey)
redis.call('INCRBY', KEYS[JOB_KEYS + 3], #accepted)
for windowKey in pairs(windows) do
  redis.call('ZREMRANGEBYRANK', windowKey, 0, -(windowSize + 1))
  redis.call('EXPIRE', windowKey, ARGV[9])
end
for seqKey, value in pairs(counters) do redis.call('SET', seqKey, value) end
for bucketKey, bucket in pairs(buckets) do
  if bucket.changed then
    redis.call('HSET', bucketKey, 'tokens', tostring(bucket.tokens), 'ts', tostring(bucket.ts))
    redis.call('PEXPIRE', bucketKey, math.ceil(burst * 1000 / rate) + 1000)
  end
end
return {replies, jobId, joined}
`;

export type AcceptReply = ['ok', string] | ['dup', string] | ['limited', string];
export type AcceptOutcome =
  /** `joined`: the batch joined the queue's waiting job (`jobId`) instead of adding one. */
  | { kind: 'decided'; replies: AcceptReply[]; jobId: string | null; joined: boolean }
  | { kind: 'unseeded'; positions: number[] };

export interface AcceptCandidate {
  bucketKey: string;
  idempotencyKey: string;
  windowKey: string;
  sequenceKey: string;
  /** The message as JSON with `"seq":0` last (the script puts the number there). */
  messageJson: string;
  messageId: string;
}

/** BullMQ's keys and arguments of the batch's job, as its own `addStandardJob` takes them. */
export interface StandardJobCall {
  keys: string[];
  args: Array<string | Buffer>;
}

/** The batch's job, and what the script needs to let the batch join the queue's open job instead. */
export interface BatchJobCall extends StandardJobCall {
  /** openMessageJobKey of the job's queue. */
  openJobKey: string;
  /** Where the messages' items start in the job's data (args[1]), 1-based; 0 when the batch may join no job. */
  itemsOffset: number;
}

export interface AcceptBatchSettings {
  /** The batch's accepted hash (`acceptedKey`). */
  acceptedKey: string;
  /** The ledger of unpersisted batches and its message counter (@parley/chat-store). */
  unpersistedBatchesKey: string;
  unpersistedMessagesKey: string;
  job: BatchJobCall;
  /** SEND_MERGE_MAX_MESSAGES: the most accepted messages a job may hold after this batch joins it; 0: never join. */
  mergeMaxMessages: number;
  nowMs: number;
  ratePerSecond: number;
  burst: number;
  windowSize: number;
  idempotencyTtlSeconds: number;
  windowTtlSeconds: number;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    parleyAcceptBatch(numKeys: number, ...keysAndArgs: Array<string | Buffer | number>): Result<unknown, Context>;
  }
}

/**
 * Registers the script on a connection: EVALSHA (cached by Redis), falling back to EVAL when
 * Redis does not know it; either runs it whole or not at all, so a retry after NOSCRIPT is safe.
 */
export function defineAcceptBatch(redis: Redis): void {
  if (typeof (redis as Partial<Pick<Redis, 'parleyAcceptBatch'>>).parleyAcceptBatch === 'function') return;
  redis.defineCommand('parleyAcceptBatch', { lua: ACCEPT_BATCH_LUA });
}

export async function acceptBatch(redis: Redis, settings: AcceptBatchSettings, candidates: AcceptCandidate[]): Promise<AcceptOutcome> {
  if (settings.job.keys.length !== JOB_KEY_COUNT || settings.job.args.length !== JOB_ARG_COUNT) {
    throw new Error(`BullMQ's addStandardJob call has ${settings.job.keys.length} keys and ${settings.job.args.length} arguments, not ${JOB_KEY_COUNT} and ${JOB_ARG_COUNT}`);
  }
  const keys: string[] = [...settings.job.keys, settings.acceptedKey, settings.unpersistedBatchesKey, settings.unpersistedMessagesKey, settings.job.openJobKey];
  const args: Array<string | Buffer | number> = [
    ...settings.job.args,
    settings.nowMs,
    settings.ratePerSecond,
    settings.burst,
    settings.windowSize,
    settings.idempotencyTtlSeconds,
    settings.windowTtlSeconds,
    settings.job.itemsOffset,
    settings.mergeMaxMessages,
  ];
  for (const candidate of candidates) {
    keys.push(candidate.bucketKey, candidate.idempotencyKey, candidate.windowKey, candidate.sequenceKey);
    args.push(candidate.messageJson, candidate.messageId);
  }
  const reply = (await redis.parleyAcceptBatch(keys.length, ...keys, ...args)) as [string, number[]] | [AcceptReply[], string | null, number?];
  if (reply[0] === 'unseeded') return { kind: 'unseeded', positions: reply[1] as number[] };
  return { kind: 'decided', replies: reply[0] as AcceptReply[], jobId: (reply[1] as string | null) ?? null, joined: reply[2] === 1 };
}

