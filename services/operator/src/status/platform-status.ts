import type { ChatPlatformStatus, ComponentStatus, PodSockets, QueueCounts } from '../api/chat-platform-status.js';
import { type ConditionUpdate, mergeConditions, rfc3339 } from '../api/conditions.js';

/** What the key reconciler found (and did). */
export type KeysObservation =
  | { state: 'ready'; currentKeyId: string; nextKeyId?: string; nextRotationAtMs?: number; keyIds: string[]; invalidFiles: string[] }
  | { state: 'no-usable-key'; nextKeyId?: string; keyIds: string[]; invalidFiles: string[] }
  | { state: 'secret-missing'; secretName: string }
  | { state: 'error'; message: string };

/** What the balancer found (and did) in this reconcile. */
export type BalanceObservation =
  | { state: 'balanced'; pods: number }
  | { state: 'imbalanced'; pod: string; count: number; mean: number; acting: boolean; why: string }
  | { state: 'shedding'; pod: string; count: number }
  | { state: 'unknown'; why: string };

export interface StatusInputs {
  generation: number;
  previous?: ChatPlatformStatus;
  now: Date;
  /** Spec problems: when present, nothing else was looked at. */
  specProblems?: string[];
  expectedComponents: string[];
  components: Record<string, ComponentStatus>;
  keys: KeysObservation;
  balance: BalanceObservation;
  sockets?: { total: number; pods: PodSockets[] };
  queue?: { waiting: number; queues: Record<string, QueueCounts> };
  /** Failures of this reconcile worth a Degraded condition (pods unreachable, API errors). */
  problems: string[];
}

const list = (items: string[]) => items.join(', ');

function keysCondition(keys: KeysObservation): ConditionUpdate {
  switch (keys.state) {
    case 'ready': {
      const next = keys.nextKeyId && keys.nextRotationAtMs ? `; key ${keys.nextKeyId} is published and signs from ${rfc3339(new Date(keys.nextRotationAtMs))}` : '';
      return { type: 'KeysReady', status: 'True', reason: 'SigningKeyActive', message: `auth signs with key ${keys.currentKeyId}${next}` };
    }
    case 'no-usable-key':
      return {
        type: 'KeysReady',
        status: 'False',
        reason: 'NoUsableKey',
        message: keys.nextKeyId ? `no key may sign yet; ${keys.nextKeyId} will` : 'the signing-key Secret holds no usable private key',
      };
    case 'secret-missing':
      return { type: 'KeysReady', status: 'False', reason: 'SecretMissing', message: `Secret ${keys.secretName} does not exist (and spec.auth.signingKeys.managed is false)` };
    case 'error':
      return { type: 'KeysReady', status: 'Unknown', reason: 'KeysError', message: keys.message };
  }
}

function balanceCondition(balance: BalanceObservation): ConditionUpdate {
  switch (balance.state) {
    case 'balanced':
      return { type: 'Balanced', status: 'True', reason: 'Balanced', message: `connections are spread over ${balance.pods} ready chat-socket pod(s)` };
    case 'imbalanced':
      return {
        type: 'Balanced',
        status: 'False',
        reason: balance.acting ? 'Imbalanced' : 'ImbalancedNotActing',
        message: `${balance.pod} holds ${balance.count} sockets, mean ${Math.round(balance.mean)}: ${balance.why}`,
      };
    case 'shedding':
      return { type: 'Balanced', status: 'False', reason: 'Shedding', message: `asking ${balance.pod} to move ${balance.count} sockets to other pods` };
    case 'unknown':
      return { type: 'Balanced', status: 'Unknown', reason: 'SocketCountsUnavailable', message: balance.why };
  }
}

/** The next `status` of a ChatPlatform: pure, from what this reconcile observed. */
export function buildPlatformStatus(inputs: StatusInputs): ChatPlatformStatus {
  const { generation, now } = inputs;
  if (inputs.specProblems && inputs.specProblems.length > 0) {
    const message = list(inputs.specProblems);
    return {
      ...inputs.previous,
      observedGeneration: generation,
      conditions: mergeConditions(
        inputs.previous?.conditions,
        [
          { type: 'Ready', status: 'False', reason: 'InvalidSpec', message },
          { type: 'Progressing', status: 'False', reason: 'InvalidSpec', message },
          { type: 'Degraded', status: 'True', reason: 'InvalidSpec', message },
          { type: 'KeysReady', status: 'Unknown', reason: 'InvalidSpec', message },
          { type: 'Balanced', status: 'Unknown', reason: 'InvalidSpec', message },
        ],
        generation,
        now,
      ),
    };
  }

  const missing = inputs.expectedComponents.filter((component) => !inputs.components[component]);
  const down = inputs.expectedComponents.filter((component) => {
    const status = inputs.components[component];
    return status !== undefined && status.replicas > 0 && status.readyReplicas === 0;
  });
  const rolling = inputs.expectedComponents.filter((component) => {
    const status = inputs.components[component];
    return status !== undefined && (status.readyReplicas < status.replicas || status.updatedReplicas < status.replicas);
  });
  const fullyReady = inputs.expectedComponents.filter((component) => {
    const status = inputs.components[component];
    return status !== undefined && status.readyReplicas >= status.replicas;
  });

  const keys = keysCondition(inputs.keys);
  const balanced = balanceCondition(inputs.balance);
  const unavailable = [...missing.map((component) => `${component} has no Deployment`), ...down.map((component) => `${component} has no ready pod`)];

  const ready: ConditionUpdate =
    unavailable.length > 0
      ? { type: 'Ready', status: 'False', reason: missing.length > 0 ? 'ComponentMissing' : 'ComponentUnavailable', message: list(unavailable) }
      : keys.status !== 'True'
        ? { type: 'Ready', status: 'False', reason: 'SigningKeysUnavailable', message: keys.message }
        : { type: 'Ready', status: 'True', reason: 'PlatformReady', message: `all ${inputs.expectedComponents.length} components serve and auth has a signing key` };

  const progressReasons: [string, string][] = [];
  if (rolling.length > 0) progressReasons.push(['ComponentsUpdating', `waiting for ready replicas of ${list(rolling)}`]);
  if (inputs.keys.state === 'ready' && inputs.keys.nextKeyId) progressReasons.push(['KeyRotation', `key ${inputs.keys.nextKeyId} is published ahead of signing`]);
  if (inputs.balance.state === 'shedding') progressReasons.push(['Rebalancing', balanced.message]);
  const progressing: ConditionUpdate =
    progressReasons.length > 0
      ? { type: 'Progressing', status: 'True', reason: progressReasons[0]?.[0] ?? 'Progressing', message: progressReasons.map(([, message]) => message).join('; ') }
      : { type: 'Progressing', status: 'False', reason: 'Stable', message: 'every component runs its desired replicas' };

  const degradedBy = [...unavailable, ...(keys.status === 'True' ? [] : [keys.message]), ...inputs.problems];
  const degraded: ConditionUpdate =
    degradedBy.length > 0
      ? {
          type: 'Degraded',
          status: 'True',
          reason: unavailable.length > 0 ? 'ComponentUnavailable' : keys.status !== 'True' ? 'SigningKeysUnavailable' : 'ReconcileError',
          message: list(degradedBy),
        }
      : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'nothing is failing' };

  const status: ChatPlatformStatus = {
    observedGeneration: generation,
    conditions: mergeConditions(inputs.previous?.conditions, [ready, progressing, degraded, keys, balanced], generation, now),
    components: inputs.components,
    readyComponents: `${fullyReady.length}/${inputs.expectedComponents.length}`,
  };
  if (inputs.sockets) status.sockets = inputs.sockets;
  if (inputs.queue) status.queue = inputs.queue;
  if (inputs.keys.state === 'ready' || inputs.keys.state === 'no-usable-key') {
    status.keys = {
      keyIds: inputs.keys.keyIds,
      ...(inputs.keys.state === 'ready' ? { currentKeyId: inputs.keys.currentKeyId } : {}),
      ...(inputs.keys.nextKeyId ? { nextKeyId: inputs.keys.nextKeyId } : {}),
      ...(inputs.keys.state === 'ready' && inputs.keys.nextRotationAtMs !== undefined
        ? { nextRotationTime: rfc3339(new Date(inputs.keys.nextRotationAtMs)) }
        : {}),
    };
  }
  return status;
}
