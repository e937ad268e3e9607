import { describe, expect, it } from 'vitest';
import { typingPayloadSchema } from '@parley/contracts';
import type { SocketEventTable } from './realtime/socket-event-routes.js';
import { socketEventTable, type SocketEventServices } from './socket-event-table.js';

// Building the table calls no service: the handlers only run when an event arrives.
const routes = socketEventTable({} as SocketEventServices);

describe('the socket event table', () => {
  it('routes every client event of the contract, acknowledged ones through `handle` and typing as a signal', () => {
    expect(Object.keys(routes).sort()).toEqual(
      ['auth:refresh', 'message:delete', 'message:edit', 'message:send', 'reaction:add', 'reaction:remove', 'room:read', 'room:sync', 'typing'].sort(),
    );
    expect('signal' in routes.typing).toBe(true);
    expect(Object.entries(routes).filter(([, route]) => 'handle' in route)).toHaveLength(8);
  });

  it('validates each payload with a schema that refuses unknown fields and missing ones', () => {
    for (const route of Object.values(routes)) {
      expect(route.schema.safeParse({}).success).toBe(false);
      expect(route.schema.safeParse({ unexpected: 'field' }).success).toBe(false);
    }
  });

  it('fails typecheck when an event is missing or extra, or a schema or answer differs from the contract', () => {
    const { typing: _typing, ...withoutTyping } = routes;
    // @ts-expect-error: the contract's `typing` event has no route.
    const missing: SocketEventTable = withoutTyping;
    const extra: SocketEventTable = {
      ...routes,
      // @ts-expect-error: `room:archive` is no client event of the contract.
      'room:archive': routes['room:read'],
    };
    const wrongSchema: SocketEventTable = {
      ...routes,
      // @ts-expect-error: `room:read` payloads are not typing payloads.
      'room:read': { ...routes['room:read'], schema: typingPayloadSchema },
    };
    const wrongAnswer: SocketEventTable = {
      ...routes,
      // @ts-expect-error: `room:sync` answers with the synced rooms.
      'room:sync': { schema: routes['room:sync'].schema, handle: async () => ({}) },
    };
    const unanswered: SocketEventTable = {
      ...routes,
      // @ts-expect-error: `typing` has no ack to answer through.
      typing: { schema: typingPayloadSchema, handle: async () => ({}) },
    };
    expect([missing, extra, wrongSchema, wrongAnswer, unanswered]).toHaveLength(5);
  });
});
