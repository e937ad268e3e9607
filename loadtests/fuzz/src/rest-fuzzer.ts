import { Agent, request } from 'node:http';
import { INTERNAL_TOKEN_HEADER } from '@parley/contracts';
import type { FuzzIdentity, RestRoute, ServiceName } from './api-surface.js';
import { hostilePathSegment, hostileString, hostileValue, nested, safeEncode } from './hostile-values.js';
import { mutatePayload, preview } from './payload-mutation.js';
import type { RandomSource } from './random-source.js';

/** One HTTP request of a run, as sent. */
export interface RestCase {
  route: RestRoute;
  method: string;
  /** Path and query string, raw (possibly invalid percent-encoding on purpose). */
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  change: string;
}

export interface RestOutcome {
  /** HTTP status, or undefined when no response came (see `error`). */
  status?: number;
  /** The response's error code when it is the uniform error body. */
  code?: string;
  error?: string;
  /** The request could not even be written (a header value Node refuses): not the server's doing. */
  notSendable?: boolean;
}

/** Bodies that are not the JSON they claim to be. */
const RAW_BODIES = [
  '{',
  '{"a":',
  '[1,2',
  'nul',
  '"\\ud800"',
  '{"a":1,"a":2}',
  '\u0000',
  '\ufeff{}',
  '{"__proto__":{"parleyFuzzPolluted":true}}',
  '{"constructor":{"prototype":{"parleyFuzzPolluted":true}}}',
  'null',
  '1e999',
  '-0',
  `"${'a'.repeat(70_000)}"`,
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
];

const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/vnd.api+json', 'multipart/form-data; boundary=x', ''];

/** A request for `route`: its well-formed template with one part made hostile. */
export function buildRestCase(route: RestRoute, identity: FuzzIdentity, random: RandomSource): RestCase {
  const template = route.template(identity, random);
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(template.params ?? {})) params[name] = encodeURIComponent(value);
  const query: Array<[string, string]> = Object.entries(template.query ?? {}).map(([key, value]) => [encodeURIComponent(key), safeEncode(value)]);
  const headers: Record<string, string> = {};
  if (route.credentials === 'access-token') headers.authorization = `Bearer ${identity.token}`;
  if (route.credentials === 'internal-token' && identity.internalToken) headers[INTERNAL_TOKEN_HEADER] = identity.internalToken;
  let body: unknown = template.body;
  let rawBody: string | undefined;
  let change = 'well-formed';

  const focus = random.int(0, 99);
  if (focus < 45 && (template.body !== undefined || route.method !== 'GET')) {
    const mutated = mutatePayload(template.body ?? {}, random);
    body = mutated.value;
    change = `body: ${mutated.change}`;
  } else if (focus < 60 && Object.keys(params).length > 0) {
    const name = random.pick(Object.keys(params));
    params[name] = hostilePathSegment(random);
    change = `path :${name} = ${preview(params[name])}`;
  } else if (focus < 80) {
    change = `query: ${mutateQuery(query, random)}`;
  } else if (focus < 90) {
    rawBody = random.pick(RAW_BODIES);
    change = `raw body ${preview(rawBody)}`;
  } else {
    change = `headers: ${mutateHeaders(headers, identity, random)}`;
  }

  const path = route.path.replace(/:([a-zA-Z]+)/g, (_match, name: string) => params[name] ?? '');
  const queryString = query.map(([key, value]) => `${key}=${value}`).join('&');
  const text = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  if (text !== undefined) headers['content-type'] ??= 'application/json';
  return { route, method: route.method, path: queryString ? `${path}?${queryString}` : path, headers, body: text, change };
}

function mutateQuery(query: Array<[string, string]>, random: RandomSource): string {
  const hostile = () => {
    const value = hostileValue(random);
    return safeEncode(typeof value === 'string' ? value : JSON.stringify(value) ?? '').slice(0, 20_000);
  };
  switch (random.int(0, 5)) {
    case 0: {
      if (query.length === 0) break;
      const entry = random.pick(query);
      entry[1] = hostile();
      return `${entry[0]} = ${preview(decodeSafely(entry[1]))}`;
    }
    case 1: {
      if (query.length === 0) break;
      const [key] = random.pick(query);
      query.push([key, hostile()]);
      return `${key} given twice`;
    }
    case 2: {
      const key = random.pick([...query.map(([name]) => name), 'limit', 'cursor']);
      const bracketed = random.pick([`${key}[]`, `${key}[a]`, `${key}[0][1]`, `${key}[__proto__]`]);
      query.push([bracketed, hostile()]);
      return `${bracketed} added`;
    }
    case 3: {
      const key = random.pick(['__proto__', '__proto__[parleyFuzzPolluted]', 'constructor[prototype][parleyFuzzPolluted]', 'toString', 'hasOwnProperty']);
      query.push([key, 'true']);
      return `${key} added`;
    }
    case 4: {
      const key = random.pick(['cursor', 'before', 'after', 'query', 'userIds']);
      const value = random.pick([
        Buffer.from(JSON.stringify(random.pick([['x', 'y'], { v: 1, activityUs: '9'.repeat(25), id: 'x' }, { v: 1, name: '\u0000', id: random.uuid() }, { after: '\u0000' }, { v: 1, after: 'a'.repeat(5_000) }]))).toString('base64url'),
        safeEncode(hostileString(random)),
        '99999999999999999999',
        'a'.repeat(10_000),
      ]);
      query.push([key, value]);
      return `${key} = ${preview(decodeSafely(value))}`;
    }
    default:
      break;
  }
  const key = safeEncode(hostileString(random).slice(0, 100));
  query.push([key, hostile()]);
  return `unknown key ${preview(decodeSafely(key))}`;
}

function mutateHeaders(headers: Record<string, string>, identity: FuzzIdentity, random: RandomSource): string {
  switch (random.int(0, 3)) {
    case 0: {
      const contentType = random.pick(CONTENT_TYPES);
      headers['content-type'] = contentType;
      return `content-type ${preview(contentType)}`;
    }
    case 1: {
      const value = random.pick([
        `Bearer ${identity.token}x`,
        `Bearer ${identity.token.split('.').slice(0, 2).join('.')}.`,
        `Bearer ${identity.token} ${identity.token}`,
        'Bearer',
        'Bearer ',
        `Basic ${Buffer.from('a:b').toString('base64')}`,
        `bearer ${identity.token}`,
        `Bearer ${'a'.repeat(8_000)}`,
        `Bearer ${hostileString(random)}`,
        `Bearer ${Buffer.from(JSON.stringify(nested(50, true))).toString('base64url')}.e30.`,
      ]);
      headers.authorization = value;
      return `authorization ${preview(value)}`;
    }
    case 2: {
      const value = hostileString(random).slice(0, 4_000);
      headers['x-parley-token-transport'] = value;
      headers.cookie = `parley_refresh=${safeEncode(value)}`;
      return `token transport and cookie ${preview(value)}`;
    }
    default: {
      const value = hostileString(random).slice(0, 4_000);
      headers['x-forwarded-for'] = value;
      return `x-forwarded-for ${preview(value)}`;
    }
  }
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Sends one case with node:http (raw path and headers: fetch would normalise them). A kept-alive
 * connection the server closed after its previous answer (as it does after refusing a body it
 * did not read) fails the next request on it at once: that request is sent again on a new
 * connection, as Node's documentation advises, and only then counts.
 */
export async function sendRestCase(baseUrls: Record<ServiceName, string>, testCase: RestCase, agent: Agent, timeoutMs: number): Promise<RestOutcome> {
  const first = await sendOnce(baseUrls, testCase, agent, timeoutMs);
  return first.staleConnection ? sendOnce(baseUrls, testCase, false, timeoutMs) : first;
}

function sendOnce(baseUrls: Record<ServiceName, string>, testCase: RestCase, agent: Agent | false, timeoutMs: number): Promise<RestOutcome & { staleConnection?: boolean }> {
  const base = new URL(baseUrls[testCase.route.service]);
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: RestOutcome & { staleConnection?: boolean }) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    let outgoing;
    try {
      outgoing = request({ host: base.hostname, port: base.port, method: testCase.method, path: testCase.path, headers: testCase.headers, agent, timeout: timeoutMs }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => done({ status: response.statusCode, error: error.message }));
        response.on('end', () => {
          let code: string | undefined;
          try {
            code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string } }).error?.code;
          } catch {
            code = undefined;
          }
          done({ status: response.statusCode, ...(code ? { code } : {}) });
        });
      });
    } catch (error) {
      // Node refuses the header or path before anything is sent (ERR_INVALID_CHAR, ERR_UNESCAPED_CHARACTERS).
      done({ notSendable: true, error: (error as Error).message });
      return;
    }
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no response within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => done({ error: error.message, ...(outgoing.reusedSocket ? { staleConnection: true } : {}) }));
    if (testCase.body !== undefined) outgoing.write(testCase.body);
    outgoing.end();
  });
}
