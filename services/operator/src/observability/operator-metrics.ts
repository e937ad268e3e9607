import { Counter, Gauge, Histogram, type Registry } from '@parley/metrics';

export interface OperatorMetrics {
  reconciles: Counter<'result'>;
  reconcileErrors: Counter;
  reconcileDuration: Histogram;
  keyRotations: Counter<'reason'>;
  shedRequests: Counter<'result'>;
  socketsShed: Counter;
  leader: Gauge;
}

/** The operator's own series, next to the default process metrics of its registry. */
export function createOperatorMetrics(registry: Registry): OperatorMetrics {
  const registers = [registry];
  return {
    reconciles: new Counter({
      name: 'parley_operator_reconciles_total',
      help: 'ChatPlatform reconciles by result (success, error).',
      labelNames: ['result'] as const,
      registers,
    }),
    reconcileErrors: new Counter({ name: 'parley_operator_reconcile_errors_total', help: 'ChatPlatform reconciles that failed and were retried with backoff.', registers }),
    reconcileDuration: new Histogram({
      name: 'parley_operator_reconcile_duration_seconds',
      help: 'Duration of one ChatPlatform reconcile (API calls and pod requests included).',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    keyRotations: new Counter({
      name: 'parley_operator_key_rotations_total',
      help: 'Signing keys added to a signing-key Secret, by reason (initial, scheduled, forced).',
      labelNames: ['reason'] as const,
      registers,
    }),
    shedRequests: new Counter({
      name: 'parley_operator_shed_requests_total',
      help: 'Shed requests sent to chat-socket pods, by result (accepted, failed).',
      labelNames: ['result'] as const,
      registers,
    }),
    socketsShed: new Counter({ name: 'parley_operator_sockets_shed_total', help: 'Sockets chat-socket pods agreed to shed for rebalancing.', registers }),
    leader: new Gauge({ name: 'parley_operator_leader', help: '1 while this replica holds the leader-election Lease.', registers }),
  };
}
