import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTERNAL_TOKEN_HEADER } from '@parley/contracts';

/**
 * TEST STAND-IN for the user service's internal endpoints that chat-socket calls:
 * `GET /internal/v1/blocks?userA=&userB=`, `GET /internal/v1/users/:id/blocked-ids` and
 * `GET /internal/v1/users/:id/friend-ids` and `POST /internal/v1/users/by-username` (mentions).
 * It records every request (path and internal token header) and can be told to fail
 * (connections dropped), as when the user service is down.
 */
export interface UserServiceStandIn {
  url: string;
  requests: Array<{ path: string; internalToken: string | undefined }>;
  block(userA: string, userB: string): void;
  unblock(userA: string, userB: string): void;
  setFriends(userId: string, friendIds: string[]): void;
  /** A user `POST /internal/v1/users/by-username` knows by name. */
  addUser(userId: string, username: string): void;
  /** true: every request's connection is dropped (unreachable). */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startUserServiceStandIn(): Promise<UserServiceStandIn> {
  const blocks = new Set<string>();
  const friends = new Map<string, string[]>();
  const usernames = new Map<string, string>();
  const requests: UserServiceStandIn['requests'] = [];
  let down = false;
  const pairKey = (a: string, b: string) => [a, b].sort().join(':');

  const server: Server = createServer((req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const header = req.headers[INTERNAL_TOKEN_HEADER];
    requests.push({ path: `${url.pathname}${url.search}`, internalToken: typeof header === 'string' ? header : undefined });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/internal/v1/blocks') {
      const userA = url.searchParams.get('userA') ?? '';
      const userB = url.searchParams.get('userB') ?? '';
      json(200, { blocked: blocks.has(pairKey(userA, userB)) });
      return;
    }
    const blockedMatch = /^\/internal\/v1\/users\/([^/]+)\/blocked-ids$/.exec(url.pathname);
    if (blockedMatch) {
      const userId = blockedMatch[1]!;
      const userIds = [...blocks].map((pair) => pair.split(':')).filter((pair) => pair.includes(userId)).map((pair) => pair.find((id) => id !== userId)!);
      json(200, { userIds });
      return;
    }
    if (url.pathname === '/internal/v1/users/by-username' && req.method === 'POST') {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        const names = (JSON.parse(raw) as { usernames: string[] }).usernames.map((name) => name.toLowerCase());
        json(200, { users: names.flatMap((name) => (usernames.has(name) ? [{ id: usernames.get(name)!, username: name }] : [])) });
      });
      return;
    }
    const friendMatch = /^\/internal\/v1\/users\/([^/]+)\/friend-ids$/.exec(url.pathname);
    if (friendMatch) {
      const ids = friends.get(friendMatch[1]!);
      if (ids) json(200, { friendIds: ids });
      else json(404, { error: { code: 'not_found', message: 'No such user' } });
      return;
    }
    json(404, { error: { code: 'not_found', message: 'No such endpoint' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    block: (userA, userB) => blocks.add(pairKey(userA, userB)),
    unblock: (userA, userB) => blocks.delete(pairKey(userA, userB)),
    setFriends: (userId, friendIds) => friends.set(userId, friendIds),
    addUser: (userId, username) => usernames.set(username.toLowerCase(), userId),
    setDown: (value) => {
      down = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
