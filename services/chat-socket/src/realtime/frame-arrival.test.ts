import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@parley/logger';
import { Registry } from '@parley/metrics';
import { createChatMetrics } from '../observability/chat-metrics.js';
import { ackedSocketEvent, stampFrameArrival } from './socket-ack.js';
import type { ChatSocket } from './socket-types.js';

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // The event loop is blocked, as when other frames and callbacks are queued ahead.
  }
}

describe('latency measured from the frame’s arrival', () => {
  it('counts the time an event waited between socket.io decoding its frame and its handler running', async () => {
    const registry = new Registry();
    const metrics = createChatMetrics(registry, { connectedSockets: () => 0, localRooms: () => 0 });
    const onEvent = ackedSocketEvent({ event: 'room:sync', logger: createLogger({ service: 'test', level: 'silent' }), metrics }, z.object({}), async (_socket, _payload, received) => ({ arrivedAt: received.arrivedAt }));
    const socket = { data: { userId: '1' } } as unknown as ChatSocket;

    let answered: ((value: unknown) => void) | undefined;
    const reply = new Promise((resolve) => (answered = resolve));
    const ack = (result: unknown) => answered!(result);
    const event: unknown[] = ['room:sync', {}, ack];
    stampFrameArrival(event, () => undefined);
    // What happens while the listener waits for its tick: other frames, other sockets' work.
    busyFor(60);
    const started = performance.now();
    onEvent(socket, {}, ack);
    const result = (await reply) as { ok: boolean; arrivedAt: number };

    expect(result.ok).toBe(true);
    expect(result.arrivedAt).toBeLessThan(started);
    const text = await registry.metrics();
    const sum = Number(/parley_socket_event_seconds_sum\{event="room:sync"\} (\S+)/.exec(text)![1]);
    // At least the blocked time: a handler-start timer would have seen almost none of it.
    expect(sum).toBeGreaterThanOrEqual(0.06);
  });

  it('falls back to the handler’s start for an event without an ack (nothing to stamp)', () => {
    const event: unknown[] = ['typing', { roomId: '1', isTyping: true }];
    let called = false;
    stampFrameArrival(event, () => (called = true));
    expect(called).toBe(true);
    expect(event).toHaveLength(2);
  });
});
