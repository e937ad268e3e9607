import type { CoreV1Api, V1OwnerReference, V1Secret } from '@kubernetes/client-node';
import type { Logger } from '@parley/logger';
import { createSigningKeyJwk, signingKeyFileName } from '@parley/signing-keys';
import { type ChatPlatform, CHAT_PLATFORM } from '../api/chat-platform-resource.js';
import type { PlatformSettings } from '../api/chat-platform-spec.js';
import { isNotFound } from '../kube/api-errors.js';
import type { OperatorMetrics } from '../observability/operator-metrics.js';
import type { KeysObservation } from '../status/platform-status.js';
import { encodeKeyFile, readSigningKeyFiles, type SigningKeyFiles } from './signing-key-files.js';
import { describeKeySet, planChangesKeys, planRotation, type RotationPolicy } from './rotation-plan.js';

export interface SigningKeyReconcilerDeps {
  core: CoreV1Api;
  logger: Logger;
  metrics: OperatorMetrics;
}

export interface SigningKeysOutcome {
  observation: KeysObservation;
  /** When the key set needs another look (a key activates, retires or is due). */
  nextActionAtMs?: number;
  /** The rotate-now request is satisfied (a new key is published), so its annotation can go. */
  forceHandled: boolean;
}

const SECRET_COMPONENT = 'signing-keys';

export function ownerReferenceTo(platform: ChatPlatform): V1OwnerReference {
  return {
    apiVersion: CHAT_PLATFORM.apiVersion,
    kind: CHAT_PLATFORM.kind,
    name: platform.metadata.name,
    uid: platform.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

const policyOf = (keys: PlatformSettings['keys']): RotationPolicy => ({
  rotationEnabled: keys.rotationEnabled,
  intervalMs: keys.intervalMs,
  publishAheadMs: keys.publishAheadMs,
  retirementMarginMs: keys.retirementMarginMs,
  accessTokenTtlMs: keys.accessTokenTtlMs,
});

const hasNextKey = (observation: KeysObservation) =>
  (observation.state === 'ready' || observation.state === 'no-usable-key') && observation.nextKeyId !== undefined;

function observe(files: SigningKeyFiles, nowMs: number, policy: RotationPolicy): { observation: KeysObservation; nextActionAtMs?: number } {
  const view = describeKeySet(files.keys, nowMs, policy);
  const keyIds = files.keys.map((key) => key.kid);
  const invalidFiles = files.invalid.map((file) => `${file.fileName}: ${file.problem}`);
  const observation: KeysObservation = view.activeKid
    ? {
        state: 'ready',
        currentKeyId: view.activeKid,
        keyIds,
        invalidFiles,
        ...(view.pendingKid ? { nextKeyId: view.pendingKid } : {}),
        ...(view.nextRotationAtMs !== undefined ? { nextRotationAtMs: view.nextRotationAtMs } : {}),
      }
    : { state: 'no-usable-key', keyIds, invalidFiles, ...(view.pendingKid ? { nextKeyId: view.pendingKid } : {}) };
  return { observation, ...(view.nextActionAtMs !== undefined ? { nextActionAtMs: view.nextActionAtMs } : {}) };
}

/**
 * Keeps the signing-key Secret of one ChatPlatform: creates it with a first key at install,
 * then applies the rotation plan (publish the next key ahead, strip and prune retired ones).
 * Writes replace the whole Secret with its resourceVersion, so a concurrent change (or a second
 * operator) makes the write fail with 409 and the reconcile retry on fresh data. The Secret
 * carries a controller owner reference to the ChatPlatform: deleting the platform deletes it.
 */
export async function reconcileSigningKeys(
  deps: SigningKeyReconcilerDeps,
  platform: ChatPlatform,
  settings: PlatformSettings,
  forced: boolean,
  nowMs: number,
): Promise<SigningKeysOutcome> {
  const { core, logger, metrics } = deps;
  const namespace = platform.metadata.namespace;
  const name = settings.keys.secretName;
  const policy = policyOf(settings.keys);

  let secret: V1Secret | undefined;
  try {
    secret = await core.readNamespacedSecret({ name, namespace });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }

  if (!secret) {
    if (!settings.keys.managed) return { observation: { state: 'secret-missing', secretName: name }, forceHandled: false };
    const iat = Math.floor(nowMs / 1000);
    const key = await createSigningKeyJwk({ iat });
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name,
        namespace,
        labels: { ...settings.selector, 'app.kubernetes.io/part-of': 'parley', 'app.kubernetes.io/component': SECRET_COMPONENT },
        ownerReferences: [ownerReferenceTo(platform)],
      },
      data: { [signingKeyFileName(key.kid)]: encodeKeyFile(key) },
    };
    const created = await core.createNamespacedSecret({ namespace, body });
    metrics.keyRotations.inc({ reason: 'initial' });
    logger.info({ platform: `${namespace}/${platform.metadata.name}`, secret: name, kid: key.kid }, 'created the signing-key Secret with a first key');
    return { ...observe(readSigningKeyFiles(created.data), nowMs, policy), forceHandled: forced };
  }

  const files = readSigningKeyFiles(secret.data);
  if (!settings.keys.managed) return { ...observe(files, nowMs, policy), forceHandled: false };

  const controller = secret.metadata?.ownerReferences?.find((reference) => reference.controller);
  if (controller && controller.uid !== platform.metadata.uid) {
    return {
      observation: { state: 'error', message: `Secret ${name} is controlled by ${controller.kind} ${controller.name}, not this ChatPlatform; leaving it alone` },
      forceHandled: false,
    };
  }

  const plan = planRotation(files.keys, nowMs, policy, forced);
  if (!planChangesKeys(plan) && controller) {
    const described = observe(files, nowMs, policy);
    return { ...described, forceHandled: forced && hasNextKey(described.observation) };
  }

  const data: Record<string, string> = { ...(secret.data ?? {}) };
  for (const key of files.keys) {
    if (plan.removeKeys.includes(key.kid)) {
      delete data[key.fileName];
    } else if (plan.stripPrivateKeys.includes(key.kid)) {
      const { d: _private, ...publicHalf } = key.jwk;
      data[key.fileName] = encodeKeyFile(publicHalf);
    }
  }
  let createdKid: string | undefined;
  if (plan.create) {
    const key = await createSigningKeyJwk({ iat: plan.create.iat, ...(plan.create.nbf !== undefined ? { nbf: plan.create.nbf } : {}) });
    data[signingKeyFileName(key.kid)] = encodeKeyFile(key);
    createdKid = key.kid;
  }
  const body: V1Secret = {
    ...secret,
    metadata: {
      ...secret.metadata,
      // Adopt a Secret made by the key-bootstrap hook or an earlier install.
      ownerReferences: controller ? secret.metadata?.ownerReferences : [...(secret.metadata?.ownerReferences ?? []), ownerReferenceTo(platform)],
    },
    data,
  };
  const replaced = await core.replaceNamespacedSecret({ name, namespace, body });

  const platformName = `${namespace}/${platform.metadata.name}`;
  if (plan.create) {
    metrics.keyRotations.inc({ reason: plan.create.reason });
    logger.info(
      { platform: platformName, kid: createdKid, reason: plan.create.reason, signsFrom: plan.create.nbf ? new Date(plan.create.nbf * 1000).toISOString() : 'now' },
      'published a new signing key',
    );
  }
  if (plan.stripPrivateKeys.length > 0) logger.info({ platform: platformName, kids: plan.stripPrivateKeys }, 'dropped the private half of retired signing keys');
  if (plan.removeKeys.length > 0) logger.info({ platform: platformName, kids: plan.removeKeys }, 'pruned retired signing keys');
  if (!controller) logger.info({ platform: platformName, secret: name }, 'adopted the signing-key Secret');

  const described = observe(readSigningKeyFiles(replaced.data), nowMs, policy);
  return { ...described, forceHandled: forced && (plan.create !== undefined || hasNextKey(described.observation)) };
}
