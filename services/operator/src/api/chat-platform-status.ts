/** `status` of a ChatPlatform, as the operator writes it (the CRD declares the same shape). */

export type ConditionType = 'Ready' | 'Progressing' | 'Degraded' | 'KeysReady' | 'Balanced';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  observedGeneration: number;
  /** CamelCase, machine-readable. */
  reason: string;
  message: string;
  /** RFC 3339; changes only when `status` does. */
  lastTransitionTime: string;
}

export interface ComponentStatus {
  /** Desired replicas (the Deployment's spec, or its HPA's choice). */
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
}

export interface PodSockets {
  pod: string;
  count: number;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface ChatPlatformStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  /** Ready/desired replicas per component (app.kubernetes.io/component). */
  components?: Record<string, ComponentStatus>;
  /** "ready components/expected components", for `kubectl get`. */
  readyComponents?: string;
  sockets?: { total: number; pods: PodSockets[] };
  queue?: { waiting: number; queues: Record<string, QueueCounts> };
  keys?: {
    currentKeyId?: string;
    nextKeyId?: string;
    keyIds: string[];
    nextRotationTime?: string;
  };
}
