/**
 * The ledger of acknowledged messages not yet in PostgreSQL (keys in @parley/keyspace:
 * `unpersistedBatchesKey`, `unpersistedMessagesKey`), kept in Redis by the two sides of the
 * message path: chat-socket's accept script adds each accepted batch (in the same script that
 * writes its job), the persistence worker removes it when the batch's job is done. It is what
 * "persistence lag" and "messages waiting" are read from, by chat-socket, so both stay true when
 * the worker is stopped, PostgreSQL is down or jobs keep failing
 * (docs/decisions/0015-backlog-truth-outside-the-worker.md).
 *
 * There is one ledger per message-key prefix: with MESSAGE_SHARD_KEYS=shard each shard of the
 * `messages` queue but shard 0 keeps its own under its hash tag (`{parley:m3}:msg-unpersisted:…`,
 * @parley/queues createMessageKeyLayout), next to its accepted hashes. A reader sums the counts
 * of every prefix of the layout and takes the oldest batch over all of them.
 */

/**
 * Ends a batch's bookkeeping once its job is done: drops it from the ledger (its message count
 * from the counter, once: ZREM says whether this run is the one that removed it) and deletes
 * its accepted hash. Safe to run again. KEYS: accepted hash, batches set, messages counter, all
 * under the prefix of the batch's shard (one slot on a Redis Cluster).
 */
export const FINISH_BATCH_LUA = `
local removed = redis.call('ZREM', KEYS[2], KEYS[1])
if removed == 1 then
  local count = redis.call('HLEN', KEYS[1])
  local left = redis.call('DECRBY', KEYS[3], count)
  if left < 0 then redis.call('SET', KEYS[3], 0) end
end
redis.call('DEL', KEYS[1])
return removed
`;
