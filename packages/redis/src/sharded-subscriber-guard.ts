import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

interface ShardedSubscriberPrototype {
  stop(this: { instance: EventEmitter | null }): void;
}

let installed = false;

/**
 * ioredis (5.11) stops a cluster's sharded subscriber connection (its node failed, or its slots
 * moved) by disconnecting it and then removing every listener, its `error` listener too. A
 * sharded message already in the socket is parsed after that as a reply nobody waits for, and
 * the connection emits `error` ("Command queue state error") with no listener: an uncaught
 * exception, which would end the pod in the middle of a failover. After ioredis' own stop, the
 * stopped connection gets a listener that drops such errors; it is closing anyway.
 */
export function guardStoppedShardedSubscribers(): void {
  if (installed) return;
  installed = true;
  const module = createRequire(import.meta.url)('ioredis/built/cluster/ShardedSubscriber.js') as { default: { prototype: ShardedSubscriberPrototype } };
  const prototype = module.default.prototype;
  const stop = prototype.stop;
  prototype.stop = function stopAndSwallowLateErrors(this: { instance: EventEmitter | null }) {
    const connection = this.instance;
    stop.call(this);
    connection?.on('error', () => undefined);
  };
}
