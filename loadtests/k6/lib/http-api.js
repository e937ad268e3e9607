// The platform's REST calls (k6/http), with names as metric tags so thresholds can target them.
import http from 'k6/http';
import { roomOf } from './chat-messages.js';
import { BASE_URL, hostHeaders, PASSWORD } from './config.js';

const json = { 'content-type': 'application/json', ...hostHeaders() };

/**
 * The parsed JSON body of a response (the platform's bodies are objects).
 * @param {import('k6/http').RefinedResponse<any>} response
 * @returns {any}
 */
export function bodyOf(response) {
  return response.json();
}

function post(path, body, name, token, expected) {
  const headers = token ? { ...json, authorization: `Bearer ${token}` } : json;
  const params = { headers, tags: { name } };
  if (expected) params.responseCallback = http.expectedStatuses(...expected);
  return http.post(`${BASE_URL}${path}`, JSON.stringify(body), params);
}

export function usernameOf(run, index) {
  return `k6_${run}_${index}`.slice(0, 32);
}

export function register(username, password = PASSWORD) {
  return post('/api/v1/auth/register', { email: `${username}@example.com`, username, password }, 'register', undefined, [{ min: 200, max: 299 }, 409, 429]);
}

export function login(username, password = PASSWORD, expected) {
  return post('/api/v1/auth/login', { login: username, password }, 'login', undefined, expected);
}

export function refresh(refreshToken) {
  return post('/api/v1/auth/refresh', { refreshToken }, 'refresh');
}

export function createRoom(token, name, memberIds) {
  return post('/api/v1/rooms', { name, memberIds }, 'create room', token);
}

export function history(token, roomId) {
  return http.get(`${BASE_URL}/api/v1/rooms/${roomId}/messages?limit=20`, { headers: { ...hostHeaders(), authorization: `Bearer ${token}` }, tags: { name: 'history' } });
}

/**
 * Registers (or, when the account exists from an earlier run with the same RUN_ID, logs in)
 * `count` users, `batch` requests in parallel. Returns [{ id, username, accessToken, refreshToken }].
 */
export function ensureUsers(run, count, batch = 20) {
  const users = [];
  for (let first = 0; first < count; first += batch) {
    const names = [];
    for (let index = first; index < Math.min(count, first + batch); index += 1) names.push(usernameOf(run, index));
    const responses = http.batch(
      names.map((username) => ({
        method: 'POST',
        url: `${BASE_URL}/api/v1/auth/register`,
        body: JSON.stringify({ email: `${username}@example.com`, username, password: PASSWORD }),
        params: { headers: json, tags: { name: 'register' }, responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 409) },
      })),
    );
    responses.forEach((response, offset) => {
      let session = response;
      if (response.status === 409) session = login(names[offset]);
      if (response.status === 429) {
        throw new Error('registration is rate limited: raise REGISTER_LIMIT_PER_IP on the auth service for load tests (see loadtests/README.md)');
      }
      if (session.status !== 200 && session.status !== 201) throw new Error(`cannot register ${names[offset]}: ${session.status} ${session.body}`);
      const body = bodyOf(session);
      users.push({ id: body.user.id, username: names[offset], accessToken: body.accessToken, refreshToken: body.refreshToken });
    });
  }
  return users;
}

/**
 * Puts `users` into consecutive rooms of `roomSize` (the last one may be smaller, see roomOf),
 * each created by its first member, and returns the room ids in order.
 * @param {Array<{id: string, accessToken: string}>} users
 * @param {number} roomSize
 * @param {string} label room name prefix, e.g. `k6 <run>`
 * @returns {string[]}
 */
export function createRoomsFor(users, roomSize, label) {
  const roomIds = [];
  for (let first = 0; first < users.length; ) {
    const { size } = roomOf(first, users.length, roomSize);
    const members = users.slice(first, first + size);
    const response = createRoom(members[0].accessToken, `${label} ${roomIds.length}`, members.slice(1).map((user) => user.id));
    if (response.status !== 201) throw new Error(`cannot create a room: ${response.status} ${response.body}`);
    roomIds.push(bodyOf(response).id);
    first += size;
  }
  return roomIds;
}
