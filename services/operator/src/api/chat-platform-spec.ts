import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../duration.js';

/**
 * `spec` of a ChatPlatform. The CRD's OpenAPI schema declares the same fields, defaults and
 * bounds (a test compares them), so the API server defaults and validates it first; parsing it
 * again here guards against objects written before a schema change.
 */
const duration = (fallback: string) =>
  z
    .string()
    .regex(new RegExp(DURATION_PATTERN), 'must be a duration like 30d, 2m or 1h30m')
    .default(fallback);

const labelMap = z.record(z.string(), z.string());

export const chatPlatformSpecSchema = z.object({
  selector: z.object({ matchLabels: labelMap.refine((labels) => Object.keys(labels).length > 0, 'must not be empty') }),
  components: z.array(z.string().min(1)).default(['auth', 'user', 'chat-socket', 'persistence-worker']),
  auth: z
    .object({
      accessTokenTTL: duration('15m'),
      signingKeys: z.object({
        secretName: z.string().min(1),
        managed: z.boolean().default(true),
      }),
      keyRotation: z
        .object({
          enabled: z.boolean().default(true),
          interval: duration('30d'),
          publishAhead: duration('10m'),
          retirementMargin: duration('10m'),
        })
        .prefault({}),
    }),
  sockets: z
    .object({
      component: z.string().min(1).default('chat-socket'),
      adminTokenSecretRef: z.object({ name: z.string().min(1), key: z.string().min(1) }).optional(),
      rebalance: z
        .object({
          enabled: z.boolean().default(true),
          maxImbalance: z.number().min(1).default(1.25),
          window: duration('2m'),
          maxShedPerMinute: z.number().int().min(1).default(300),
          batchSize: z.number().int().min(1).default(50),
          minExcess: z.number().int().min(1).default(10),
        })
        .prefault({}),
    })
    .prefault({}),
  queues: z
    .object({
      component: z.string().min(1).default('persistence-worker'),
    })
    .prefault({}),
});

export type ChatPlatformSpec = z.infer<typeof chatPlatformSpecSchema>;

/** The spec with durations in milliseconds: what the reconcilers use. */
export interface PlatformSettings {
  selector: Record<string, string>;
  components: string[];
  keys: {
    secretName: string;
    managed: boolean;
    rotationEnabled: boolean;
    intervalMs: number;
    publishAheadMs: number;
    retirementMarginMs: number;
    accessTokenTtlMs: number;
  };
  sockets: {
    component: string;
    adminTokenSecretRef?: { name: string; key: string };
    rebalanceEnabled: boolean;
    maxImbalance: number;
    windowMs: number;
    maxShedPerMinute: number;
    batchSize: number;
    minExcess: number;
  };
  queues: { component: string };
}

export type SpecParseResult = { ok: true; settings: PlatformSettings } | { ok: false; problems: string[] };

export function parseChatPlatformSpec(spec: unknown): SpecParseResult {
  const parsed = chatPlatformSpecSchema.safeParse(spec ?? {});
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `spec.${issue.path.join('.')}: ${issue.message}`) };
  }
  const { selector, components, auth, sockets, queues } = parsed.data;
  const intervalMs = parseDuration(auth.keyRotation.interval);
  const publishAheadMs = parseDuration(auth.keyRotation.publishAhead);
  if (intervalMs <= publishAheadMs) {
    return { ok: false, problems: ['spec.auth.keyRotation.interval: must be longer than spec.auth.keyRotation.publishAhead'] };
  }
  return {
    ok: true,
    settings: {
      selector: selector.matchLabels,
      components,
      keys: {
        secretName: auth.signingKeys.secretName,
        managed: auth.signingKeys.managed,
        rotationEnabled: auth.keyRotation.enabled,
        intervalMs,
        publishAheadMs,
        retirementMarginMs: parseDuration(auth.keyRotation.retirementMargin),
        accessTokenTtlMs: parseDuration(auth.accessTokenTTL),
      },
      sockets: {
        component: sockets.component,
        ...(sockets.adminTokenSecretRef ? { adminTokenSecretRef: sockets.adminTokenSecretRef } : {}),
        rebalanceEnabled: sockets.rebalance.enabled,
        maxImbalance: sockets.rebalance.maxImbalance,
        windowMs: parseDuration(sockets.rebalance.window),
        maxShedPerMinute: sockets.rebalance.maxShedPerMinute,
        batchSize: sockets.rebalance.batchSize,
        minExcess: sockets.rebalance.minExcess,
      },
      queues,
    },
  };
}
