import { z } from 'zod';
import { ConfigError, envInt, envPort, loadConfig, serviceEnv } from '@parley/config';

/** Every variable the operator reads; `npm run docs:config` renders the table from these. */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: envPort(8086).describe('HTTP port of the operator (only /healthz, /readyz and /metrics).'),

  POD_NAMESPACE: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Namespace the operator runs in: its leader-election Lease lives there, and it is the watched namespace unless WATCH_NAMESPACE says otherwise. Defaults to the service account's namespace file, then `default`.",
    ),
  POD_NAME: z
    .string()
    .min(1)
    .optional()
    .describe('Identity of this replica in the leader-election Lease (the chart passes the pod name); defaults to the host name.'),
  WATCH_NAMESPACE: z
    .string()
    .regex(/^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/, 'must be a namespace name or *')
    .default('')
    .describe(
      'Namespace whose ChatPlatforms, Secrets, Deployments and Pods the operator watches: empty for its own namespace (POD_NAMESPACE), `*` for every namespace (the chart grants that only with operator.clusterScoped).',
    ),
  WATCH_LABEL_SELECTOR: z
    .string()
    .min(1)
    .default('app.kubernetes.io/part-of=parley')
    .describe('Label selector of the Secrets, Deployments and Pods the operator watches (its informers list and watch only these).'),
  KUBE_API_URL: z
    .url()
    .optional()
    .describe(
      'Kubernetes API server URL used without credentials (e.g. `kubectl proxy` at http://127.0.0.1:8001) for local runs. When unset: KUBECONFIG, then ~/.kube/config, then the in-cluster service account.',
    ),

  LEADER_ELECTION_LEASE_NAME: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Lease name')
    .default('parley-operator')
    .describe('Name of the coordination.k8s.io/v1 Lease the replicas compete for; only its holder reconciles.'),
  LEADER_ELECTION_LEASE_DURATION_MS: envInt(15_000, 1_000).describe(
    'How long a Lease holder that stopped renewing is still considered the leader by the other replicas.',
  ),
  LEADER_ELECTION_RENEW_DEADLINE_MS: envInt(10_000, 500).describe(
    'How long the leader keeps acting without a successful renewal before it stops (must be below the lease duration, so two replicas never act at once).',
  ),
  LEADER_ELECTION_RETRY_PERIOD_MS: envInt(2_000, 100).describe('How often replicas try to acquire or renew the Lease.'),

  RESYNC_INTERVAL_MS: envInt(60_000, 1_000).describe(
    'Every ChatPlatform is reconciled at least this often, even without a change event (a missed watch event heals itself).',
  ),
  POLL_INTERVAL_MS: envInt(15_000, 100).describe(
    "How often each ChatPlatform's chat-socket connection counts and queue depths are read (its balance window is measured in these samples).",
  ),
  POD_REQUEST_TIMEOUT_MS: envInt(3_000, 100).describe(
    "Timeout of one request to a pod's admin or metrics endpoint.",
  ),
  SHED_BATCH_PAUSE_MS: envInt(2_000, 0).describe(
    'Mean pause between two shed batches sent to one pod; each pause is drawn at random between half and one and a half times this (jitter).',
  ),
});

export type OperatorConfig = z.infer<typeof configSchema>;

export function loadOperatorConfig(env: Record<string, string | undefined> = process.env): OperatorConfig {
  const config = loadConfig(configSchema, env);
  const problems: string[] = [];
  if (config.LEADER_ELECTION_RENEW_DEADLINE_MS >= config.LEADER_ELECTION_LEASE_DURATION_MS) {
    problems.push('LEADER_ELECTION_RENEW_DEADLINE_MS: must be below LEADER_ELECTION_LEASE_DURATION_MS');
  }
  if (config.LEADER_ELECTION_RETRY_PERIOD_MS >= config.LEADER_ELECTION_RENEW_DEADLINE_MS) {
    problems.push('LEADER_ELECTION_RETRY_PERIOD_MS: must be below LEADER_ELECTION_RENEW_DEADLINE_MS');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
