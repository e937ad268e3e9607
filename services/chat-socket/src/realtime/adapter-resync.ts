import type { Logger } from '@parley/logger';
import { Cluster, type Redis } from '@parley/redis';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import type { ChatServer } from './socket-types.js';

export interface AdapterResyncSettings {
  io: ChatServer;
  /** The adapter's subscriber connection. */
  subscriber: Redis;
  /** Upper bound of the random delay each client waits before asking (spreads the load). */
  spreadMs: number;
  logger: Logger;
  metrics: () => ChatMetrics;
}

/**
 * While the adapter's subscriber connection is down (Redis restarted or failed over, a network
 * cut), broadcasts of other pods never reach this pod's sockets, and nothing tells them: their
 * connections to this pod stay up. Once the connection is back and its subscriptions are in place
 * again (ioredis resubscribes on `ready`; a PING behind those commands answers after them), the
 * pod tells its own sockets `server:resync`, and they ask `room:sync` by sequence for what they
 * missed. Returns a function that stops listening.
 */
export function resyncSocketsAfterAdapterReconnect(settings: AdapterResyncSettings): () => void {
  const { io, subscriber, logger } = settings;
  const tellSockets = (why: string) => {
    settings.metrics().adapterResyncs.inc();
    logger.warn({ sockets: io.of('/').sockets.size }, `${why}: telling this pod’s sockets to resync`);
    io.local.emit('server:resync', { reason: 'adapter-reconnected', delayMs: settings.spreadMs });
  };
  if (subscriber instanceof Cluster) return resyncAfterShardSubscribersMoved(subscriber, tellSockets);
  let connectedBefore = subscriber.status === 'ready';
  const onReady = () => {
    if (!connectedBefore) {
      connectedBefore = true;
      return;
    }
    subscriber.ping().then(
      () => tellSockets('adapter reconnected to Redis'),
      (error: unknown) => logger.warn({ err: error }, 'adapter reconnected but its subscriptions did not answer; the next reconnection resyncs'),
    );
  };
  subscriber.on('ready', onReady);
  return () => subscriber.off('ready', onReady);
}

/**
 * On a Redis Cluster the subscriber as a whole stays `ready` through a failover: what breaks is
 * the one connection per primary that holds the room channels of its slots (ioredis
 * `shardedSubscribers`). When one was dropped (its node failed, or its slots moved to another
 * node) ioredis connects to the new owner and subscribes again, then reports `subscribersReady`:
 * broadcasts published in between were missed, so the sockets resync.
 */
function resyncAfterShardSubscribersMoved(subscriber: Cluster, tellSockets: (why: string) => void): () => void {
  let dropped = false;
  const onDropped = () => {
    dropped = true;
  };
  const onReady = () => {
    if (!dropped) return;
    dropped = false;
    tellSockets('adapter subscribers moved to the cluster’s new primaries');
  };
  subscriber.on('-subscriber', onDropped);
  subscriber.on('subscribersReady', onReady);
  return () => {
    subscriber.off('-subscriber', onDropped);
    subscriber.off('subscribersReady', onReady);
  };
}
