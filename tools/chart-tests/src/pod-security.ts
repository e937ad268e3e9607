import type { Container, PodSpec } from './manifests.js';

/**
 * The Pod Security Standards "restricted" profile (Kubernetes v1.30+ rules, baseline included),
 * plus this project's rule that every container runs on a read-only root filesystem with /tmp
 * as an emptyDir and an explicit non-root numeric uid. Returns one message per violation.
 */
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const ALLOWED_SECCOMP = new Set(['RuntimeDefault', 'Localhost']);

type Context = Record<string, unknown> | undefined;
const field = <T>(context: Context, name: string): T | undefined => (context ? (context[name] as T | undefined) : undefined);

export function podSecurityViolations(pod: PodSpec): string[] {
  const violations: string[] = [];
  const podContext = pod.securityContext;

  for (const hostField of ['hostNetwork', 'hostPID', 'hostIPC', 'hostUsers'] as const) {
    const value = pod[hostField];
    if (hostField === 'hostUsers' ? value === true : value === true) violations.push(`pod: ${hostField} must not be true`);
  }
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (!type || !RESTRICTED_VOLUME_TYPES.has(type)) violations.push(`volume ${volume.name}: type ${type ?? '(none)'} is not allowed`);
  }
  for (const sysctl of field<{ name: string }[]>(podContext, 'sysctls') ?? []) {
    if (!SAFE_SYSCTLS.has(sysctl.name)) violations.push(`pod: sysctl ${sysctl.name} is not in the safe set`);
  }
  const podSeccomp = field<{ type?: string }>(podContext, 'seccompProfile')?.type;
  if (podSeccomp !== undefined && !ALLOWED_SECCOMP.has(podSeccomp)) violations.push(`pod: seccompProfile ${podSeccomp} is not allowed`);
  const podRunAsNonRoot = field<boolean>(podContext, 'runAsNonRoot');
  if (podRunAsNonRoot === false) violations.push('pod: runAsNonRoot must not be false');
  const podRunAsUser = field<number>(podContext, 'runAsUser');
  if (podRunAsUser === 0) violations.push('pod: runAsUser must not be 0');
  const seLinux = field<Record<string, string>>(podContext, 'seLinuxOptions');
  if (seLinux?.user || seLinux?.role) violations.push('pod: seLinuxOptions user and role must be unset');
  const appArmor = field<{ type?: string }>(podContext, 'appArmorProfile')?.type;
  if (appArmor === 'Unconfined') violations.push('pod: appArmorProfile must not be Unconfined');

  const emptyDirVolumes = new Set((pod.volumes ?? []).filter((volume) => volume.emptyDir !== undefined).map((volume) => volume.name));
  const containers: [string, Container][] = [
    ...(pod.initContainers ?? []).map((container) => [`initContainer ${container.name}`, container] as [string, Container]),
    ...pod.containers.map((container) => [`container ${container.name}`, container] as [string, Container]),
  ];
  for (const [where, container] of containers) {
    const context = container.securityContext;
    if (field<boolean>(context, 'privileged') === true) violations.push(`${where}: privileged must not be true`);
    if (field<boolean>(context, 'allowPrivilegeEscalation') !== false) violations.push(`${where}: allowPrivilegeEscalation must be false`);
    const runAsNonRoot = field<boolean>(context, 'runAsNonRoot') ?? podRunAsNonRoot;
    if (runAsNonRoot !== true) violations.push(`${where}: runAsNonRoot must be true (pod or container)`);
    const runAsUser = field<number>(context, 'runAsUser') ?? podRunAsUser;
    if (runAsUser === undefined || runAsUser === 0) violations.push(`${where}: runAsUser must be set to a non-zero uid`);
    const seccomp = field<{ type?: string }>(context, 'seccompProfile')?.type ?? podSeccomp;
    if (!seccomp || !ALLOWED_SECCOMP.has(seccomp)) violations.push(`${where}: seccompProfile must be RuntimeDefault or Localhost`);
    const capabilities = field<{ drop?: string[]; add?: string[] }>(context, 'capabilities');
    if (!capabilities?.drop?.includes('ALL')) violations.push(`${where}: capabilities must drop ALL`);
    for (const added of capabilities?.add ?? []) {
      if (added !== 'NET_BIND_SERVICE') violations.push(`${where}: capability ${added} must not be added`);
    }
    if (field<string>(context, 'procMount') !== undefined && field<string>(context, 'procMount') !== 'Default') {
      violations.push(`${where}: procMount must be Default`);
    }
    const containerAppArmor = field<{ type?: string }>(context, 'appArmorProfile')?.type;
    if (containerAppArmor === 'Unconfined') violations.push(`${where}: appArmorProfile must not be Unconfined`);
    for (const port of container.ports ?? []) {
      const hostPort = (port as { hostPort?: number }).hostPort;
      if (hostPort !== undefined && hostPort !== 0) violations.push(`${where}: hostPort ${hostPort} is not allowed`);
    }
    // Project rule: read-only root filesystem, writable scratch space only as an emptyDir at /tmp.
    if (field<boolean>(context, 'readOnlyRootFilesystem') !== true) violations.push(`${where}: readOnlyRootFilesystem must be true`);
    const tmp = (container.volumeMounts ?? []).find((mount) => mount.mountPath === '/tmp');
    if (!tmp || !emptyDirVolumes.has(tmp.name)) violations.push(`${where}: /tmp must be an emptyDir mount`);
  }
  return violations;
}
