import { describe, expect, it } from 'vitest';
import { activeKey, describeKeySet, type KeyState, planChangesKeys, planRotation, type RotationPolicy } from './rotation-plan.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
/** 30-day rotation, 10-minute publish-ahead and margin, 15-minute access tokens. */
const POLICY: RotationPolicy = { rotationEnabled: true, intervalMs: 30 * DAY, publishAheadMs: 10 * MIN, retirementMarginMs: 10 * MIN, accessTokenTtlMs: 15 * MIN };
const T0 = Date.UTC(2025, 0, 1) / 1000; // epoch seconds

const key = (kid: string, iat: number, extra: Partial<KeyState> = {}): KeyState => ({ kid, iat, hasPrivateKey: true, ...extra });
const at = (seconds: number) => seconds * 1000;

interface Case {
  name: string;
  keys: KeyState[];
  now: number; // ms
  forced?: boolean;
  policy?: Partial<RotationPolicy>;
  expected: { create?: { iat: number; nbf?: number; reason: string } | undefined; strip?: string[]; remove?: string[] };
}

const CASES: Case[] = [
  { name: 'creates an immediately usable first key when there is none', keys: [], now: at(T0), expected: { create: { iat: T0, reason: 'initial' } } },
  {
    name: 'creates a usable key when only public keys are left',
    keys: [key('public', T0 - 100, { hasPrivateKey: false })],
    now: at(T0),
    expected: { create: { iat: T0, reason: 'initial' } },
  },
  {
    name: 'waits for a published key rather than adding another when none may sign yet',
    keys: [key('next', T0, { nbf: T0 + 60 })],
    now: at(T0 + 1),
    expected: {},
  },
  { name: 'does nothing while the active key is young', keys: [key('a', T0)], now: at(T0 + 10 * 86_400), expected: {} },
  {
    name: 'publishes the next key publishAhead before the rotation is due, signing from the due time',
    keys: [key('a', T0)],
    now: at(T0) + 30 * DAY - 10 * MIN,
    expected: { create: { iat: T0 + 30 * 86_400 - 600, nbf: T0 + 30 * 86_400, reason: 'scheduled' } },
  },
  {
    name: 'publishes ahead even when overdue (the operator was down): signing starts publishAhead from now',
    keys: [key('a', T0)],
    now: at(T0) + 40 * DAY,
    expected: { create: { iat: T0 + 40 * 86_400, nbf: T0 + 40 * 86_400 + 600, reason: 'scheduled' } },
  },
  {
    name: 'counts the interval from when the key started signing (its nbf), not its creation',
    keys: [key('a', T0 - 86_400, { nbf: T0 })],
    now: at(T0) + 30 * DAY - 11 * MIN,
    expected: {},
  },
  {
    name: 'never schedules a rotation when rotation is disabled',
    keys: [key('a', T0)],
    now: at(T0) + 400 * DAY,
    policy: { rotationEnabled: false },
    expected: {},
  },
  {
    name: 'rotates on request even when scheduled rotation is disabled, still published ahead',
    keys: [key('a', T0)],
    now: at(T0 + 5),
    forced: true,
    policy: { rotationEnabled: false },
    expected: { create: { iat: T0 + 5, nbf: T0 + 5 + 600, reason: 'forced' } },
  },
  {
    name: 'makes the new key outrank the active one even within the same second',
    keys: [key('a', T0)],
    now: at(T0),
    forced: true,
    expected: { create: { iat: T0 + 1, nbf: T0 + 600, reason: 'forced' } },
  },
  {
    name: 'treats a forced rotation as done while a published key is pending',
    keys: [key('a', T0), key('b', T0 + 100, { nbf: T0 + 700 })],
    now: at(T0 + 200),
    forced: true,
    expected: {},
  },
  {
    name: 'keeps the previous key whole while the new one has signed for less than the margin',
    keys: [key('a', T0), key('b', T0 + 100, { nbf: T0 + 700 })],
    now: at(T0 + 700 + 599),
    expected: {},
  },
  {
    name: 'drops the private half of the previous key once the margin has passed',
    keys: [key('a', T0), key('b', T0 + 100, { nbf: T0 + 700 })],
    now: at(T0 + 700 + 600),
    expected: { strip: ['a'] },
  },
  {
    name: 'keeps the retired public key until access-token lifetime plus margin after its retirement',
    keys: [key('a', T0, { hasPrivateKey: false }), key('b', T0 + 100, { nbf: T0 + 700 })],
    now: at(T0 + 700 + 900 + 600 - 1),
    expected: {},
  },
  {
    name: 'prunes the retired key once no token it signed can still be valid',
    keys: [key('a', T0, { hasPrivateKey: false }), key('b', T0 + 100, { nbf: T0 + 700 })],
    now: at(T0 + 700 + 900 + 600),
    expected: { remove: ['a'] },
  },
  {
    name: 'prunes a key that never lost its private half in the same step',
    keys: [key('a', T0), key('b', T0 + 100, { nbf: T0 + 700 })],
    now: at(T0 + 7_200),
    expected: { remove: ['a'] },
  },
  {
    name: 'counts a retirement only from a takeover by a key that can still sign (conservative)',
    keys: [key('a', T0, { hasPrivateKey: false }), key('b', T0 + 100, { hasPrivateKey: false }), key('c', T0 + 5_000)],
    now: at(T0 + 5_000 + 1_499),
    expected: {},
  },
  {
    name: 'prunes every older key together once the newest takeover is old enough',
    keys: [key('a', T0, { hasPrivateKey: false }), key('b', T0 + 100, { hasPrivateKey: false }), key('c', T0 + 5_000)],
    now: at(T0 + 5_000 + 1_500),
    expected: { remove: ['a', 'b'] },
  },
  {
    name: 'leaves a newer public-only key (published by hand) alone',
    keys: [key('a', T0), key('manual', T0 + 50, { hasPrivateKey: false })],
    now: at(T0 + 86_400),
    expected: {},
  },
];

describe('planRotation', () => {
  it.each(CASES)('$name', ({ keys, now, forced, policy, expected }) => {
    const plan = planRotation(keys, now, { ...POLICY, ...policy }, forced ?? false);
    expect(plan.create).toEqual(expected.create);
    expect(plan.stripPrivateKeys).toEqual(expected.strip ?? []);
    expect(plan.removeKeys).toEqual(expected.remove ?? []);
  });

  it('reaches a fixed point: applying a plan leaves nothing more to do at the same moment', () => {
    for (const { keys, now, policy } of CASES) {
      const merged = { ...POLICY, ...policy };
      const plan = planRotation(keys, now, merged);
      let after = keys.filter((candidate) => !plan.removeKeys.includes(candidate.kid)).map((candidate) => (plan.stripPrivateKeys.includes(candidate.kid) ? { ...candidate, hasPrivateKey: false } : candidate));
      if (plan.create) after = [...after, key('new', plan.create.iat, plan.create.nbf !== undefined ? { nbf: plan.create.nbf } : {})];
      expect(planChangesKeys(planRotation(after, now, merged))).toBe(false);
    }
  });

  it('simulated over a year, always has exactly one signing key and never prunes a key with unexpired tokens', () => {
    let keys: KeyState[] = [];
    const signedUntil = new Map<string, number>(); // kid → latest token expiry signed with it
    let counter = 0;
    for (let now = at(T0); now < at(T0) + 365 * DAY; now += 20 * MIN) {
      const plan = planRotation(keys, now, POLICY);
      for (const kid of plan.removeKeys) expect(signedUntil.get(kid) ?? 0).toBeLessThanOrEqual(now);
      keys = keys.filter((candidate) => !plan.removeKeys.includes(candidate.kid)).map((candidate) => (plan.stripPrivateKeys.includes(candidate.kid) ? { ...candidate, hasPrivateKey: false } : candidate));
      if (plan.create) keys.push(key(`k${(counter += 1)}`, plan.create.iat, plan.create.nbf !== undefined ? { nbf: plan.create.nbf } : {}));
      const signer = activeKey(keys, now);
      expect(signer).toBeDefined();
      signedUntil.set(signer?.kid ?? '', now + POLICY.accessTokenTtlMs);
      expect(keys.length).toBeLessThanOrEqual(3);
    }
    expect(counter).toBe(13); // the first key and twelve rotations
  });
});

describe('describeKeySet', () => {
  it('names the signing key, the published one and when it takes over', () => {
    const keys = [key('a', T0), key('b', T0 + 100, { nbf: T0 + 700 })];
    expect(describeKeySet(keys, at(T0 + 200), POLICY)).toEqual({ activeKid: 'a', pendingKid: 'b', nextRotationAtMs: at(T0 + 700), nextActionAtMs: at(T0 + 700) });
  });

  it('schedules the next look at the earliest of publication, stripping and pruning', () => {
    const keys = [key('a', T0), key('b', T0 + 100, { nbf: T0 + 700 })];
    expect(describeKeySet(keys, at(T0 + 800), POLICY)).toEqual({
      activeKid: 'b',
      nextRotationAtMs: at(T0 + 700) + 30 * DAY,
      nextActionAtMs: at(T0 + 700 + 600),
    });
    expect(describeKeySet([key('a', T0)], at(T0), POLICY).nextActionAtMs).toBe(at(T0) + 30 * DAY - 10 * MIN);
    expect(describeKeySet([key('a', T0)], at(T0), { ...POLICY, rotationEnabled: false })).toEqual({ activeKid: 'a' });
  });
});
