import { describe, expect, it } from 'vitest';
import type { ComponentStatus } from '../api/chat-platform-status.js';
import { buildPlatformStatus, type StatusInputs } from './platform-status.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const up = (replicas = 2): ComponentStatus => ({ replicas, readyReplicas: replicas, updatedReplicas: replicas });
const ALL_UP = { auth: up(), user: up(), 'chat-socket': up(), 'persistence-worker': up() };

const inputs = (overrides: Partial<StatusInputs> = {}): StatusInputs => ({
  generation: 3,
  now: NOW,
  expectedComponents: ['auth', 'user', 'chat-socket', 'persistence-worker'],
  components: ALL_UP,
  keys: { state: 'ready', currentKeyId: 'k1', keyIds: ['k1'], invalidFiles: [], nextRotationAtMs: Date.parse('2025-03-31T12:00:00Z') },
  balance: { state: 'balanced', pods: 2 },
  problems: [],
  ...overrides,
});

const conditionsOf = (status: ReturnType<typeof buildPlatformStatus>) =>
  Object.fromEntries((status.conditions ?? []).map((condition) => [condition.type, `${condition.status}/${condition.reason}`]));

describe('buildPlatformStatus', () => {
  it.each<[string, Partial<StatusInputs>, Record<string, string>]>([
    ['everything serving', {}, { Ready: 'True/PlatformReady', Progressing: 'False/Stable', Degraded: 'False/AsExpected', KeysReady: 'True/SigningKeyActive', Balanced: 'True/Balanced' }],
    ['a component without a Deployment', { components: { auth: up(), user: up(), 'chat-socket': up() } }, { Ready: 'False/ComponentMissing', Degraded: 'True/ComponentUnavailable' }],
    ['a component without ready pods', { components: { ...ALL_UP, user: { replicas: 2, readyReplicas: 0, updatedReplicas: 2 } } }, { Ready: 'False/ComponentUnavailable', Progressing: 'True/ComponentsUpdating' }],
    ['a component scaled to zero on purpose', { components: { ...ALL_UP, user: { replicas: 0, readyReplicas: 0, updatedReplicas: 0 } } }, { Ready: 'True/PlatformReady', Progressing: 'False/Stable' }],
    ['a rollout in progress', { components: { ...ALL_UP, auth: { replicas: 2, readyReplicas: 2, updatedReplicas: 1 } } }, { Ready: 'True/PlatformReady', Progressing: 'True/ComponentsUpdating' }],
    ['no signing key', { keys: { state: 'no-usable-key', keyIds: [], invalidFiles: [] } }, { Ready: 'False/SigningKeysUnavailable', KeysReady: 'False/NoUsableKey', Degraded: 'True/SigningKeysUnavailable' }],
    ['a published next key', { keys: { state: 'ready', currentKeyId: 'k1', nextKeyId: 'k2', keyIds: ['k1', 'k2'], invalidFiles: [], nextRotationAtMs: NOW.getTime() + 600_000 } }, { Progressing: 'True/KeyRotation', Ready: 'True/PlatformReady' }],
    ['shedding', { balance: { state: 'shedding', pod: 'p0', count: 40 } }, { Balanced: 'False/Shedding', Progressing: 'True/Rebalancing' }],
    ['socket counts unavailable', { balance: { state: 'unknown', why: 'no token' }, problems: ['socket count unavailable: p0: timeout'] }, { Balanced: 'Unknown/SocketCountsUnavailable', Degraded: 'True/ReconcileError', Ready: 'True/PlatformReady' }],
    ['an invalid spec', { specProblems: ['spec.selector: Required'] }, { Ready: 'False/InvalidSpec', Degraded: 'True/InvalidSpec', KeysReady: 'Unknown/InvalidSpec' }],
  ])('with %s', (_name, overrides, expected) => {
    expect(conditionsOf(buildPlatformStatus(inputs(overrides)))).toMatchObject(expected);
  });

  it('keeps lastTransitionTime while a condition keeps its status, and stamps the generation', () => {
    const first = buildPlatformStatus(inputs());
    const later = buildPlatformStatus(inputs({ previous: first, generation: 4, now: new Date(NOW.getTime() + 60_000), balance: { state: 'balanced', pods: 3 } }));
    const ready = later.conditions?.find((condition) => condition.type === 'Ready');
    expect(ready).toMatchObject({ lastTransitionTime: '2025-03-01T12:00:00Z', observedGeneration: 4 });
    const broken = buildPlatformStatus(inputs({ previous: later, now: new Date(NOW.getTime() + 120_000), components: {} }));
    expect(broken.conditions?.find((condition) => condition.type === 'Ready')?.lastTransitionTime).toBe('2025-03-01T12:02:00Z');
  });

  it('fills the printer-column fields and the key summary', () => {
    const status = buildPlatformStatus(
      inputs({
        components: { ...ALL_UP, auth: { replicas: 3, readyReplicas: 2, updatedReplicas: 3 } },
        sockets: { total: 30, pods: [{ pod: 'a', count: 20 }, { pod: 'b', count: 10 }] },
        queue: { waiting: 7, queues: { messages: { waiting: 7, active: 0, delayed: 0, failed: 0 } } },
      }),
    );
    expect(status).toMatchObject({
      observedGeneration: 3,
      readyComponents: '3/4',
      sockets: { total: 30 },
      queue: { waiting: 7 },
      keys: { currentKeyId: 'k1', keyIds: ['k1'], nextRotationTime: '2025-03-31T12:00:00Z' },
    });
    expect(status.conditions?.map((condition) => condition.type)).toEqual(['Ready', 'Progressing', 'Degraded', 'KeysReady', 'Balanced']);
  });
});
