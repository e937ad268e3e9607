import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userSearchResponseSchema } from '@parley/contracts';
import { startUserService, type TestUser, type UserServiceHarness } from './support/user-service-harness.js';

let service: UserServiceHarness;
let searcher: TestUser;

const search = async (params: Record<string, string>, user: TestUser = searcher) => {
  const query = new URLSearchParams(params).toString();
  return service.request('GET', `/api/v1/users?${query}`, { token: user.token });
};
const usernames = (body: { users: { username: string }[] }) => body.users.map((user) => user.username);

beforeAll(async () => {
  service = await startUserService({}, 'search');
  searcher = await service.registerUser('searcher', { displayName: 'Anna Searcher' });
  await service.registerUser('anna', { displayName: 'Anna Smith' });
  await service.registerUser('annabel');
  await service.registerUser('anne_marie', { email: 'Marie.Curie@Example.test' });
  await service.registerUser('hannah', { displayName: 'Hannah Goldsmith' });
  await service.registerUser('bob', { displayName: 'Robert' });
  await service.registerUser('under_score');
  await service.registerUser('underxscore');
  await service.registerUser('percent', { displayName: '100% real' });
  await service.registerUser('p100', { displayName: '100 real' });
});

afterAll(async () => {
  await service?.close();
});

describe('user search', () => {
  it('matches a username prefix case-insensitively, ordered by username', async () => {
    const result = await search({ query: 'ANN' });
    expect(result.status).toBe(200);
    expect(userSearchResponseSchema.parse(result.body).nextCursor).toBeNull();
    // hannah's username does not start with "ann"; she matches through her display name "Hannah Goldsmith".
    expect(usernames(result.body)).toEqual(['anna', 'annabel', 'anne_marie', 'hannah']);
  });

  it('matches a display name substring case-insensitively', async () => {
    const result = await search({ query: 'SMITH' });
    expect(usernames(result.body)).toEqual(['anna', 'hannah']);
  });

  it('matches an exact email case-insensitively, but not part of one', async () => {
    expect(usernames((await search({ query: 'marie.curie@example.TEST' })).body)).toEqual(['anne_marie']);
    expect(usernames((await search({ query: 'curie@example.test' })).body)).toEqual([]);
  });

  it('never returns public profiles with emails', async () => {
    const result = await search({ query: 'marie.curie@example.test' });
    expect(result.body.users[0]).not.toHaveProperty('email');
  });

  it('excludes the caller', async () => {
    expect(usernames((await search({ query: 'searcher' })).body)).toEqual([]);
    expect(usernames((await search({ query: 'Anna' })).body)).not.toContain('searcher');
  });

  it('treats LIKE wildcards in the query literally', async () => {
    expect(usernames((await search({ query: 'under_' })).body)).toEqual(['under_score']);
    expect(usernames((await search({ query: '100%' })).body)).toEqual(['percent']);
    expect(usernames((await search({ query: '%' })).body)).toEqual(['percent']);
    expect(usernames((await search({ query: '_' })).body)).toEqual([]);
    expect(usernames((await search({ query: '\\' })).body)).toEqual([]);
  });

  it('pages through results with a cursor, without duplicates or gaps', async () => {
    const everyone = usernames((await search({ query: 'a', limit: '50' })).body);
    const collected: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const params: Record<string, string> = { query: 'a', limit: '2' };
      if (cursor) params.cursor = cursor;
      const page = await search(params);
      expect(page.status).toBe(200);
      expect(page.body.users.length).toBeLessThanOrEqual(2);
      collected.push(...usernames(page.body));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(cursor).toBeNull();
    expect(collected).toEqual(everyone);
    expect(new Set(collected).size).toBe(collected.length);
    expect(pages).toBe(Math.ceil(everyone.length / 2));
  });

  it('answers 400 to an invalid cursor', async () => {
    for (const cursor of ['not-a-cursor', '!!!', Buffer.from('{"after":1}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
      const result = await search({ query: 'a', cursor });
      expect(result.status).toBe(400);
      expect(result.body.error.code).toBe('invalid');
    }
  });

  it('answers 400 to a missing query, a bad limit or an unknown parameter', async () => {
    const invalid: Record<string, string>[] = [
      {},
      { query: '   ' },
      { query: 'a', limit: '51' },
      { query: 'a', limit: '0' },
      { query: 'a', sort: 'email' },
    ];
    for (const params of invalid) {
      const result = await search(params);
      expect(result.status).toBe(400);
    }
  });

  it('requires authentication', async () => {
    const result = await service.request('GET', '/api/v1/users?query=anna');
    expect(result.status).toBe(401);
  });
});
