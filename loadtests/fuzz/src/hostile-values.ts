import type { RandomSource } from './random-source.js';

/**
 * What an attacker puts where a field's value should be: wrong types, numbers beyond every
 * integer type, ids that almost parse, long strings, every control character, Unicode edge
 * cases, injection strings, deep nesting and prototype-pollution keys.
 */

/** Every C0 control, DEL and a few C1 ones: each alone, and inside ordinary text. */
const CONTROL_CHARACTERS = [...Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)), '\u007f', '\u0080', '\u0085', '\u009b', '\u009f'];

const UNICODE_EDGES = [
  '\ud800', // unpaired high surrogate
  '\udfff', // unpaired low surrogate
  'a\ud83d', // half an emoji at the end
  '\ude00b', // the other half at the start
  '\ufeff', // byte order mark
  '\ufffe',
  '\uffff',
  '\u202e', // right-to-left override
  '\u200b\u200c\u200d', // zero-width characters
  '\u2028\u2029', // line and paragraph separators
  'e\u0301'.repeat(500), // combining marks
  '👩‍👩‍👧‍👦'.repeat(50),
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'İıſK', // case mapping that changes length
  '\u0000\ud800\u001b[31m',
];

const INJECTIONS = [
  "' OR 1=1 --",
  "'; DROP TABLE chat.messages; --",
  '" OR ""="',
  '\\',
  '%',
  '_',
  '%00',
  '%25',
  '../../../../etc/passwd',
  '..%2f..%2f',
  '<script>alert(1)</script>',
  '${jndi:ldap://example.com/a}',
  '{{7*7}}',
  '$where',
  '{"$gt":""}',
  'null',
  'undefined',
  'NaN',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
];

const NUMERIC_STRINGS = [
  '0',
  '-0',
  '-1',
  '00000000000000000001',
  '1.5',
  '1e3',
  '1e999',
  '-1e999',
  '0x10',
  '0b1',
  ' 1',
  '1 ',
  '+1',
  '٣', // Arabic-Indic digit
  'Infinity',
  '9007199254740993', // 2^53 + 1
  '9223372036854775807', // bigint max
  '9223372036854775808', // bigint max + 1
  '-9223372036854775809',
  '18446744073709551616', // 2^64
  '99999999999999999999', // 20 digits
  '9'.repeat(40),
  '9'.repeat(400),
];

const NUMBERS = [0, -0, -1, 1, 1.5, -1.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64, 1e21, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON];

const ALMOST_UUIDS = [
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '00000000-0000-0000-0000-00000000000g',
  '00000000000000000000000000000000',
  '{00000000-0000-4000-8000-000000000000}',
  '00000000-0000-4000-8000-000000000000 ',
  '00000000-0000-4000-8000-0000000000001',
  'urn:uuid:00000000-0000-4000-8000-000000000000',
];

/** Property names that have meant prototype pollution somewhere. */
export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'valueOf', 'hasOwnProperty', ''];

/**
 * `{"__proto__": {...}}` as JSON.parse builds it: an own property named `__proto__`, which
 * JSON.stringify writes out (an object literal would set the prototype instead).
 */
export function pollutionObject(random: RandomSource): Record<string, unknown> {
  const key = random.pick(POLLUTION_KEYS);
  const marker = { parleyFuzzPolluted: true, isAdmin: true, roles: ['admin'] };
  const inner = key === 'constructor' ? { prototype: marker } : marker;
  return JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(inner)}}`) as Record<string, unknown>;
}

/** A string of control characters, Unicode edge cases, injections or sheer length. */
export function hostileString(random: RandomSource): string {
  switch (random.int(0, 7)) {
    case 0:
      return random.pick(CONTROL_CHARACTERS);
    case 1: {
      const word = random.pick(['hello', 'room', 'admin', 'a@example.com', 'user_name']);
      const at = random.int(0, word.length);
      return `${word.slice(0, at)}${random.pick(CONTROL_CHARACTERS)}${word.slice(at)}`;
    }
    case 2:
      return random.pick(UNICODE_EDGES);
    case 3:
      return random.pick(INJECTIONS);
    case 4:
      return random.pick(NUMERIC_STRINGS);
    case 5:
      return random.pick(ALMOST_UUIDS);
    case 6:
      return random.pick(['a', 'é', '😀', '\u0000', ' ', '%']).repeat(random.pick([0, 1, 33, 65, 101, 255, 256, 513, 2049, 4001, 20_000]));
    default:
      return random.pick(['', ' ', '\t', '\n', '  \n  ', '\r\n']);
  }
}

/** Nested arrays or objects, `depth` levels deep. */
export function nested(depth: number, asObject: boolean): unknown {
  let value: unknown = asObject ? {} : [];
  for (let level = 0; level < depth; level += 1) value = asObject ? { a: value } : [value];
  return value;
}

/** Any hostile JSON value, for a field or a whole payload. */
export function hostileValue(random: RandomSource): unknown {
  switch (random.int(0, 9)) {
    case 0:
    case 1:
    case 2:
      return hostileString(random);
    case 3:
      return random.pick(NUMBERS);
    case 4:
      return random.pick([null, true, false]);
    case 5:
      return random.pick([[], {}, [null], [''], [hostileString(random)], { value: hostileString(random) }, [1, 2, 3]]);
    case 6:
      return nested(random.pick([2, 10, 100, 500, 1_000]), random.chance(0.5));
    case 7:
      return pollutionObject(random);
    case 8:
      return Array.from({ length: random.pick([201, 1_000, 3_000]) }, () => random.uuid());
    default:
      return random.uuid();
  }
}

/** A path segment as an attacker types it: raw, possibly invalid percent-encoding. */
export function hostilePathSegment(random: RandomSource): string {
  switch (random.int(0, 4)) {
    case 0:
      return random.pick(['%', '%zz', '%E0%A4%A', '%ED%A0%80', '%00', '%0a', '%2e%2e', '..', '.', '%2F', '%C0%AF', '%u0000']);
    case 1:
      return 'a'.repeat(random.pick([100, 1_000, 8_000]));
    case 2:
      return random.pick(ALMOST_UUIDS).replace(/[^A-Za-z0-9-]/g, encodeURIComponent);
    case 3:
      return random.pick(NUMERIC_STRINGS).replace(/[^A-Za-z0-9-]/g, (char) => encodeURIComponent(char));
    default:
      return safeEncode(hostileString(random));
  }
}

/** encodeURIComponent, or UTF-8 percent bytes for what it refuses (unpaired surrogates). */
export function safeEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
}
