import { describe, expect, it } from 'vitest';
import { matchRoute } from './ingress-routes.js';

describe('ingress routes', () => {
  it('routes each public API prefix to its service', () => {
    expect(matchRoute('/api/v1/auth/login')?.service).toBe('auth');
    expect(matchRoute('/api/v1/users/me?x=1')?.service).toBe('user');
    expect(matchRoute('/api/v1/rooms/abc/messages')?.service).toBe('chat-socket');
    expect(matchRoute('/socket.io/?EIO=4&transport=websocket')?.service).toBe('chat-socket');
  });

  it('matches prefixes only on a path-segment boundary', () => {
    expect(matchRoute('/api/v1/usersX')?.service).toBe('web');
    expect(matchRoute('/api/v1/auth')?.service).toBe('auth');
  });

  it('never routes internal endpoints to a service API', () => {
    expect(matchRoute('/internal/v1/profiles/1')?.service).toBe('web');
  });
});
