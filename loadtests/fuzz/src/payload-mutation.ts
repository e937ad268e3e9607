import { hostileString, hostileValue, POLLUTION_KEYS } from './hostile-values.js';
import type { RandomSource } from './random-source.js';

export interface MutatedPayload {
  value: unknown;
  /** What was changed, for the report: `replaced rooms.0.afterId with "9999…"`. */
  change: string;
}

type Container = Record<string, unknown> | unknown[];

/**
 * Sets an own property, even one named `__proto__` (plain assignment would set the prototype
 * instead, and JSON.stringify would not send it).
 */
function setOwn(target: Container, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Every place in a value that holds something: `[container, key, path]`. */
function slots(value: unknown, path: string[] = []): Array<{ container: Container; key: string | number; path: string }> {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => [{ container: value, key: index, path: [...path, String(index)].join('.') }, ...slots(item, [...path, String(index)])]);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [
      { container: value as Container, key, path: [...path, key].join('.') },
      ...slots(item, [...path, key]),
    ]);
  }
  return [];
}

function objects(value: unknown, path: string[] = []): Array<{ target: Record<string, unknown>; path: string }> {
  if (Array.isArray(value)) return value.flatMap((item, index) => objects(item, [...path, String(index)]));
  if (typeof value === 'object' && value !== null) {
    return [{ target: value as Record<string, unknown>, path: path.join('.') || '(root)' }, ...Object.entries(value).flatMap(([key, item]) => objects(item, [...path, key]))];
  }
  return [];
}

/** The same value as another type: the classic confusions of a loosely typed client. */
function confused(value: unknown, random: RandomSource): unknown {
  if (typeof value === 'string') return random.pick([Number(value) || 1, [value], { value }, value.length > 0, null]);
  if (typeof value === 'number') return random.pick([String(value), [value], `${value}n`, value > 0]);
  if (typeof value === 'boolean') return random.pick([String(value), Number(value), [value], null]);
  if (Array.isArray(value)) return random.pick([value[0] ?? null, Object.fromEntries(value.map((item, index) => [String(index), item])), JSON.stringify(value)]);
  return random.pick(['', 0, [], null]);
}

/** A short, printable rendering of a value for a report line. */
export function preview(value: unknown, max = 160): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = `(${typeof value} that does not print)`;
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/**
 * One mutation of a well-formed payload: a field replaced by something hostile or by the wrong
 * type, a key added (prototype-pollution names included) or removed, the payload replaced or
 * wrapped as a whole; or, now and then, left well-formed so real work happens in between.
 */
export function mutatePayload(template: unknown, random: RandomSource): MutatedPayload {
  const places = slots(template);
  const containers = objects(template);
  switch (random.int(0, 9)) {
    case 0:
    case 1:
    case 2: {
      if (places.length === 0) break;
      const place = random.pick(places);
      const value = random.chance(0.5) ? hostileString(random) : hostileValue(random);
      setOwn(place.container, place.key, value);
      return { value: template, change: `replaced ${place.path} with ${preview(value)}` };
    }
    case 3: {
      if (places.length === 0) break;
      const place = random.pick(places);
      const value = confused((place.container as Record<string | number, unknown>)[place.key], random);
      setOwn(place.container, place.key, value);
      return { value: template, change: `turned ${place.path} into ${preview(value)}` };
    }
    case 4: {
      if (containers.length === 0) break;
      const { target, path } = random.pick(containers);
      const key = random.chance(0.7) ? random.pick(POLLUTION_KEYS) : hostileString(random).slice(0, 200);
      const value = hostileValue(random);
      setOwn(target, key, value);
      return { value: template, change: `added ${preview(key)} = ${preview(value)} to ${path}` };
    }
    case 5: {
      const removable = places.filter((place) => !Array.isArray(place.container));
      if (removable.length === 0) break;
      const place = random.pick(removable);
      delete (place.container as Record<string, unknown>)[place.key as string];
      return { value: template, change: `removed ${place.path}` };
    }
    case 6:
    case 7: {
      const value = hostileValue(random);
      return { value, change: `replaced the payload with ${preview(value)}` };
    }
    case 8:
      return random.chance(0.5) ? { value: [template], change: 'wrapped the payload in an array' } : { value: { payload: template }, change: 'wrapped the payload in an object' };
    default:
      break;
  }
  return { value: template, change: 'well-formed' };
}
