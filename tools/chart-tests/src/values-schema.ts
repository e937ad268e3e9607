import type { ChartValues } from './chart-params.js';

/**
 * values.schema.json (JSON Schema draft-07), generated from values.yaml: every object the chart
 * defines is closed (`additionalProperties: false`), types come from the defaults, and the rules
 * below add what a default cannot say (maps, enums, patterns, ranges). Descriptions are the
 * `@param` lines. Helm validates values against it before rendering.
 */
export type JsonSchema = Record<string, unknown>;

const stringMap = (valuePattern?: string): JsonSchema => ({
  type: 'object',
  additionalProperties: { type: 'string', ...(valuePattern ? { pattern: valuePattern } : {}) },
});
const labelMap = (): JsonSchema => ({
  type: 'object',
  propertyNames: { pattern: '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$', maxLength: 316 },
  additionalProperties: { type: 'string' },
});
const quantityMap = (): JsonSchema => ({
  type: 'object',
  propertyNames: { enum: ['cpu', 'memory', 'ephemeral-storage'] },
  additionalProperties: { type: ['string', 'number'], pattern: '^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$' },
});
const integer = (minimum: number, maximum?: number): JsonSchema => ({
  type: 'integer',
  minimum,
  ...(maximum !== undefined ? { maximum } : {}),
});
const pattern = (regex: string): JsonSchema => ({ type: 'string', pattern: regex });
const enumOf = (...values: string[]): JsonSchema => ({ type: 'string', enum: values });
const objectArray = (): JsonSchema => ({ type: 'array', items: { type: 'object' } });
const stringArray = (itemPattern?: string): JsonSchema => ({
  type: 'array',
  items: { type: 'string', ...(itemPattern ? { pattern: itemPattern } : {}) },
});

const SECRET_NAME = '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$';
const SECRET_KEY = '^[-._a-zA-Z0-9]+$';
const DURATION = '^[0-9]+(ms|s|m|h)$';
/** Durations of the ChatPlatform spec (the operator's and the CRD's pattern). */
const SPEC_DURATION = '^([0-9]+(ms|s|m|h|d))+$';

/** Rules by path; `*` matches one key (a component). First match wins. */
const RULES: [string, JsonSchema][] = [
  ['global.imageRegistry', pattern('^([a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)*)?$')],
  ['global.imageTag', pattern('^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$')],
  ['global.imagePullSecrets', stringArray('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$')],
  ['nameOverride', pattern('^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$')],
  ['fullnameOverride', pattern('^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$')],
  ['commonLabels', labelMap()],
  ['commonAnnotations', stringMap()],
  ['config.logLevel', enumOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent')],
  ['config.publicUrl', pattern('^(https?://[^/\\s]+)?$')],
  ['config.corsOrigins', stringArray('^https?://[^/\\s]+$')],
  ['config.redisKeyPrefix', pattern('^[a-zA-Z0-9:_{}-]*$')],
  ['config.messageQueueShards', integer(1, 64)],
  ['config.messageShardKeys', enumOf('install', 'shard')],
  ['config.databasePoolSize', integer(1, 200)],
  ['config.shutdownTimeoutMs', integer(100)],
  ['**.existingSecret', pattern(SECRET_NAME)],
  ['*.keda.redisPasswordSecret', pattern(SECRET_NAME)],
  ['*.keda.redisPasswordKey', pattern(SECRET_KEY)],
  ['*.*Key', pattern(SECRET_KEY)],
  ['externalDatabase.url', pattern('^(postgres(ql)?://.+)?$')],
  ['externalDatabase.readReplica.url', pattern('^(postgres(ql)?://.+)?$')],
  ['externalDatabase.readReplica.urlKey', pattern(SECRET_KEY)],
  ['*.messageRetentionDays', integer(0)],
  ['externalRedis.url', pattern('^(rediss?(\\+cluster)?://.+)?$')],
  ['externalRedis.cluster.nodes', stringArray('^[A-Za-z0-9.-]+:[0-9]{1,5}$')],
  ['evaluation.*.runAsUser', integer(1)],
  ['evaluation.redis.maxmemory', pattern('^[0-9]+(b|kb|mb|gb)?$')],
  ['evaluation.*.persistence.size', pattern('^[0-9]+(Ki|Mi|Gi|Ti)$')],
  ['evaluation.postgresql.database', pattern('^[a-z_][a-z0-9_]*$')],
  ['evaluation.postgresql.username', pattern('^[a-z_][a-z0-9_]*$')],
  ['migrations.backoffLimit', integer(0)],
  ['migrations.activeDeadlineSeconds', integer(1)],
  ['tests.activeDeadlineSeconds', integer(30)],
  ['**.image.digest', pattern('^(sha256:[a-f0-9]{64})?$')],
  ['**.image.tag', pattern('^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$')],
  ['**.image.pullPolicy', enumOf('Always', 'IfNotPresent', 'Never')],
  ['**.resources.requests', quantityMap()],
  ['**.resources.limits', quantityMap()],
  ['*.replicaCount', integer(0)],
  ['*.containerPort', integer(1, 65535)],
  ['*.service.type', enumOf('ClusterIP', 'NodePort', 'LoadBalancer')],
  ['*.service.port', integer(1, 65535)],
  ['*.service.annotations', stringMap()],
  ['*.autoscaling.minReplicas', integer(1)],
  ['*.autoscaling.maxReplicas', integer(1)],
  ['*.autoscaling.targetCPUUtilizationPercentage', integer(1, 100)],
  ['*.autoscaling.scaleDownStabilizationSeconds', integer(0, 3600)],
  ['*.autoscaling.sockets.metricName', pattern('^[a-zA-Z_:][a-zA-Z0-9_:]*$')],
  ['*.autoscaling.sockets.averageValue', pattern('^[0-9]+(\\.[0-9]+)?(m|k|M|G)?$')],
  ['*.autoscaling.sockets.provider', enumOf('prometheus-adapter', 'keda')],
  ['*.autoscaling.sockets.prometheusServerAddress', pattern('^https?://[^\\s]+$')],
  ['*.pdb.maxUnavailable', { oneOf: [integer(0), pattern('^[0-9]{1,3}%$')] }],
  ['*.serviceAccount.annotations', stringMap()],
  ['*.serviceAccount.name', pattern('^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$')],
  ['*.podAnnotations', stringMap()],
  ['*.podLabels', labelMap()],
  ['*.nodeSelector', labelMap()],
  ['*.tolerations', objectArray()],
  ['*.affinity', { type: 'object' }],
  ['*.topologySpreadConstraints', objectArray()],
  ['*.terminationGracePeriodSeconds', integer(0)],
  ['*.preStopSleepSeconds', integer(0, 120)],
  // Strings, or numbers and booleans (`--set auth.env.X=600`), rendered as strings.
  ['*.env', { type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, additionalProperties: { type: ['string', 'number', 'boolean'] } }],
  ['*.keda.minReplicaCount', integer(0)],
  ['*.keda.maxReplicaCount', integer(1)],
  ['*.keda.listLength', integer(1)],
  ['*.keda.pollingInterval', integer(1)],
  ['*.keda.cooldownPeriod', integer(0)],
  ['*.keda.redisAddress', pattern('^([^\\s:/]+:[0-9]{1,5})?$')],
  ['*.keda.redisClusterAddresses', pattern('^([^\\s:/,]+:[0-9]{1,5}(,[^\\s:/,]+:[0-9]{1,5})*)?$')],
  ['ingress.className', pattern('^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$')],
  ['ingress.host', pattern('^(\\*\\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$|^$')],
  ['ingress.annotations', stringMap()],
  ['ingress.websocketTimeoutSeconds', integer(46)],
  ['ingress.bodySize', pattern('^[0-9]+[kmgKMG]?$')],
  ['ingress.socketAffinity.cookieName', pattern('^[A-Za-z0-9_-]+$')],
  ['ingress.tls.secretName', pattern(SECRET_NAME)],
  ['networkPolicy.*Selector', labelMap()],
  ['networkPolicy.*.to', objectArray()],
  ['networkPolicy.externalDatabase.readReplica.to', objectArray()],
  ['networkPolicy.externalDatabase.readReplica.port', integer(0, 65535)],
  ['networkPolicy.*.port', integer(1, 65535)],
  ['networkPolicy.*.ports', { type: 'array', minItems: 1, items: integer(1, 65535) }],
  ['networkPolicy.extraEgress', objectArray()],
  ['metrics.*.interval', pattern(DURATION)],
  ['metrics.*.scrapeTimeout', pattern(DURATION)],
  ['metrics.*.labels', labelMap()],
  ['metrics.grafanaDashboards.namespace', pattern('^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$')],
  ['tracing.otlpEndpoint', pattern('^(https?://[^\\s]+)?$')],
  ['operator.keyRotation.interval', pattern(SPEC_DURATION)],
  ['operator.keyRotation.publishAhead', pattern(SPEC_DURATION)],
  ['operator.keyRotation.retirementMargin', pattern(SPEC_DURATION)],
  ['operator.socketRebalance.window', pattern(SPEC_DURATION)],
  ['operator.socketRebalance.maxImbalance', { type: 'number', minimum: 1 }],
  ['operator.socketRebalance.maxShedPerMinute', integer(1)],
  ['operator.socketRebalance.batchSize', integer(1)],
  ['operator.socketRebalance.minExcess', integer(1)],
];

/** Glob match of dotted paths: `*` one key (with an optional literal prefix/suffix), `**` any keys. */
function matches(rule: string, path: string): boolean {
  const source = rule
    .split('.')
    .map((part) => {
      if (part === '**') return '(?:[^.]+\\.)*';
      return `${part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^.]*')}\\.`;
    })
    .join('');
  return new RegExp(`^${source.replace(/\\\.$/, '')}$`).test(path);
}

const ruleFor = (path: string): JsonSchema | undefined => RULES.find(([rule]) => matches(rule, path))?.[1];

function inferred(path: string, value: unknown): JsonSchema {
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'integer' } : { type: 'number' };
  if (typeof value === 'string') return { type: 'string' };
  if (Array.isArray(value)) throw new Error(`values.schema: no rule for the array ${path}`);
  throw new Error(`values.schema: no rule for ${path} (${JSON.stringify(value)})`);
}

function schemaOf(path: string, value: unknown, descriptions: Map<string, string>): JsonSchema {
  const description = descriptions.get(path);
  const withDescription = (schema: JsonSchema) => (description ? { description, ...schema } : schema);
  const rule = ruleFor(path);
  if (rule) return withDescription(rule);
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
    const properties: Record<string, JsonSchema> = {};
    for (const [key, child] of Object.entries(value)) properties[key] = schemaOf(`${path}.${key}`, child, descriptions);
    return withDescription({ type: 'object', additionalProperties: false, properties });
  }
  return withDescription(inferred(path, value));
}

export function buildValuesSchema(chart: ChartValues): JsonSchema {
  const descriptions = new Map(chart.params.map((param) => [param.path, param.description]));
  const properties: Record<string, JsonSchema> = {};
  for (const [key, value] of Object.entries(chart.values)) properties[key] = schemaOf(key, value, descriptions);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Values of the Parley Helm chart',
    description: 'Generated from values.yaml by tools/chart-tests (node tools/chart-tests/dist/chart-docs-cli.js --write); do not edit by hand.',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}

export const renderValuesSchema = (chart: ChartValues) => `${JSON.stringify(buildValuesSchema(chart), null, 2)}\n`;
