import { describe, expect, it } from 'vitest';
import type { PodSpec } from '../src/manifests.js';
import { podSecurityViolations } from '../src/pod-security.js';

/** A pod that satisfies every rule; each case below breaks exactly one. */
function compliantPod(): PodSpec {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'parley/auth:1',
        ports: [{ name: 'http', containerPort: 8081 }],
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        volumeMounts: [
          { name: 'tmp', mountPath: '/tmp' },
          { name: 'keys', mountPath: '/var/run/keys', readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: 'tmp', emptyDir: {} },
      { name: 'keys', secret: { secretName: 'keys' } },
    ],
  };
}

type Mutation = (pod: PodSpec) => void;
const container = (pod: PodSpec) => pod.containers[0] as NonNullable<PodSpec['containers'][0]>;
const containerContext = (pod: PodSpec) => container(pod).securityContext as Record<string, unknown>;
const podContext = (pod: PodSpec) => pod.securityContext as Record<string, unknown>;

const CASES: [string, Mutation, string][] = [
  ['runs privileged', (pod) => void (containerContext(pod).privileged = true), 'privileged must not be true'],
  ['allows privilege escalation', (pod) => void (containerContext(pod).allowPrivilegeEscalation = true), 'allowPrivilegeEscalation must be false'],
  ['leaves privilege escalation unset', (pod) => void delete containerContext(pod).allowPrivilegeEscalation, 'allowPrivilegeEscalation must be false'],
  [
    'may run as root',
    (pod) => {
      delete containerContext(pod).runAsNonRoot;
      delete podContext(pod).runAsNonRoot;
    },
    'runAsNonRoot must be true',
  ],
  ['runs as uid 0', (pod) => void (containerContext(pod).runAsUser = 0), 'runAsUser must be set to a non-zero uid'],
  ['sets the pod uid to 0', (pod) => void (podContext(pod).runAsUser = 0), 'pod: runAsUser must not be 0'],
  ['leaves the uid to the image', (pod) => void delete podContext(pod).runAsUser, 'runAsUser must be set to a non-zero uid'],
  [
    'has no seccomp profile',
    (pod) => {
      delete containerContext(pod).seccompProfile;
      delete podContext(pod).seccompProfile;
    },
    'seccompProfile must be RuntimeDefault or Localhost',
  ],
  ['runs unconfined by seccomp', (pod) => void (podContext(pod).seccompProfile = { type: 'Unconfined' }), 'pod: seccompProfile Unconfined is not allowed'],
  ['keeps its capabilities', (pod) => void (containerContext(pod).capabilities = { drop: ['NET_RAW'] }), 'capabilities must drop ALL'],
  ['adds SYS_ADMIN', (pod) => void (containerContext(pod).capabilities = { drop: ['ALL'], add: ['SYS_ADMIN'] }), 'capability SYS_ADMIN must not be added'],
  ['has a writable root filesystem', (pod) => void (containerContext(pod).readOnlyRootFilesystem = false), 'readOnlyRootFilesystem must be true'],
  ['has no /tmp mount', (pod) => void (container(pod).volumeMounts = []), '/tmp must be an emptyDir mount'],
  [
    'mounts /tmp from a Secret',
    (pod) => void (container(pod).volumeMounts = [{ name: 'keys', mountPath: '/tmp' }]),
    '/tmp must be an emptyDir mount',
  ],
  ['uses a hostPath volume', (pod) => void pod.volumes?.push({ name: 'host', hostPath: { path: '/' } }), 'volume host: type hostPath is not allowed'],
  ['shares the host network', (pod) => void (pod.hostNetwork = true), 'pod: hostNetwork must not be true'],
  ['shares the host PID namespace', (pod) => void (pod.hostPID = true), 'pod: hostPID must not be true'],
  ['binds a host port', (pod) => void (container(pod).ports = [{ containerPort: 80, hostPort: 80 } as never]), 'hostPort 80 is not allowed'],
  ['sets an unsafe sysctl', (pod) => void (podContext(pod).sysctls = [{ name: 'kernel.msgmax', value: '1' }]), 'sysctl kernel.msgmax is not in the safe set'],
  ['unmasks /proc', (pod) => void (containerContext(pod).procMount = 'Unmasked'), 'procMount must be Default'],
  [
    'adds a non-compliant init container',
    (pod) => void (pod.initContainers = [{ name: 'init', securityContext: {}, volumeMounts: [] }]),
    'initContainer init: allowPrivilegeEscalation must be false',
  ],
];

describe('the restricted Pod Security checker', () => {
  it('accepts a compliant pod', () => {
    expect(podSecurityViolations(compliantPod())).toEqual([]);
  });

  it('accepts the one capability the restricted profile allows to add', () => {
    const pod = compliantPod();
    containerContext(pod).capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] };
    expect(podSecurityViolations(pod)).toEqual([]);
  });

  it.each(CASES)('rejects a pod that %s', (_label, mutate, expected) => {
    const pod = compliantPod();
    mutate(pod);
    const violations = podSecurityViolations(pod);
    expect(violations.some((violation) => violation.includes(expected)), `${JSON.stringify(violations)} should mention "${expected}"`).toBe(true);
  });
});
