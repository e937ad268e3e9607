import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { chatPlatformSpecSchema, parseChatPlatformSpec } from './chat-platform-spec.js';

const CRD_FILE = fileURLToPath(new URL('../../../../charts/parley/crds/chatplatforms.parley.dev.yaml', import.meta.url));

interface SchemaNode {
  type?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  minimum?: number;
  pattern?: string;
}

const crd = parse(readFileSync(CRD_FILE, 'utf8')) as {
  spec: { group: string; names: { kind: string; plural: string }; versions: { name: string; schema: { openAPIV3Schema: SchemaNode } }[] };
};
const specSchema = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec as SchemaNode;

/** The defaults the API server would apply to an empty object of this schema. */
function crdDefaults(node: SchemaNode, value: unknown): unknown {
  if (node.type !== 'object' || !node.properties) return value;
  const result: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, property] of Object.entries(node.properties)) {
    if (result[key] === undefined && property.default !== undefined) result[key] = structuredClone(property.default);
    if (result[key] !== undefined) result[key] = crdDefaults(property, result[key]);
  }
  return result;
}

const MINIMAL = { selector: { matchLabels: { 'app.kubernetes.io/instance': 'parley' } }, auth: { signingKeys: { secretName: 'parley-signing-keys' } } };

describe('the ChatPlatform spec', () => {
  it('has the same defaults in the CRD (applied by the API server) as in the operator', () => {
    expect(crdDefaults(specSchema, structuredClone(MINIMAL))).toEqual(chatPlatformSpecSchema.parse(structuredClone(MINIMAL)));
  });

  it('matches the CRD identity the operator addresses', () => {
    expect(crd.spec).toMatchObject({ group: 'parley.dev', names: { kind: 'ChatPlatform', plural: 'chatplatforms' } });
    expect(crd.spec.versions.map((version) => version.name)).toEqual(['v1alpha1']);
    expect(specSchema.required).toEqual(['selector', 'auth']);
  });

  it('turns durations into milliseconds', () => {
    const result = parseChatPlatformSpec(MINIMAL);
    expect(result).toMatchObject({
      ok: true,
      settings: {
        keys: { intervalMs: 30 * 86_400_000, publishAheadMs: 600_000, retirementMarginMs: 600_000, accessTokenTtlMs: 900_000, managed: true },
        sockets: { windowMs: 120_000, maxImbalance: 1.25, maxShedPerMinute: 300, component: 'chat-socket' },
        components: ['auth', 'user', 'chat-socket', 'persistence-worker'],
      },
    });
  });

  it.each([
    ['no selector', { auth: MINIMAL.auth }, 'spec.selector'],
    ['an empty selector', { ...MINIMAL, selector: { matchLabels: {} } }, 'spec.selector.matchLabels: must not be empty'],
    ['a malformed duration', { ...MINIMAL, auth: { ...MINIMAL.auth, keyRotation: { interval: 'a month' } } }, 'spec.auth.keyRotation.interval'],
    ['an imbalance below 1', { ...MINIMAL, sockets: { rebalance: { maxImbalance: 0.9 } } }, 'spec.sockets.rebalance.maxImbalance'],
    ['an interval not above publishAhead', { ...MINIMAL, auth: { ...MINIMAL.auth, keyRotation: { interval: '10m', publishAhead: '10m' } } }, 'must be longer than'],
  ])('rejects %s', (_name, spec, message) => {
    const result = parseChatPlatformSpec(spec);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.join('\n')).toContain(message);
  });
});
