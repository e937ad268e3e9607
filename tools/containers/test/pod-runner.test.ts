import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PodSpec } from '../src/kube-objects.js';
import type { Podman } from '../src/podman.js';
import { type ClusterSources, PodNotReadyToStart, PodRunner, type PodToRun } from '../src/pod-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'pod-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Only `image inspect` is asked of podman to build the arguments: the image's USER. */
const fakePodman = (user: string) => ({ ok: async () => user }) as unknown as Podman;

const secrets = new Map<string, Map<string, Buffer>>([['creds', new Map([['password', Buffer.from('s3cret')]])]]);
const sources: ClusterSources = {
  namespace: 'chat',
  secret: (name) => secrets.get(name),
  configMap: (name) => (name === 'settings' ? new Map([['LOG_LEVEL', Buffer.from('info')]]) : undefined),
  serviceAccountToken: () => 'token',
  caCertificate: 'ca',
  apiServerPort: 6443,
};

function pod(spec: Partial<PodSpec> & { containers: PodSpec['containers'] }): PodToRun {
  return { name: 'web-0', labels: { app: 'web' }, spec: { automountServiceAccountToken: false, ...spec } };
}

const restricted = {
  name: 'web',
  image: 'parley/web:1',
  securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
};

describe('the kubelet stand-in translates a pod spec into podman run', () => {
  it('applies the security context: user and group, read-only root, no capabilities, no privilege escalation', async () => {
    const runner = new PodRunner(fakePodman('10001:10001'), dir, 'parley', '/hosts', sources);
    const args = await runner.runArguments(pod({ securityContext: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 }, containers: [restricted] }), restricted);
    const joined = args.join(' ');
    expect(joined).toContain('--user 10001:10001');
    expect(joined).toContain('--group-add 10001');
    expect(joined).toContain('--read-only --read-only-tmpfs=false');
    expect(joined).toContain('--cap-drop all');
    expect(joined).toContain('--security-opt no-new-privileges');
    expect(args.at(-1)).toBe('parley/web:1');
  });

  it('refuses runAsNonRoot for an image that runs as root, as the kubelet does', async () => {
    const runner = new PodRunner(fakePodman(''), dir, 'parley', '/hosts', sources);
    await expect(runner.runArguments(pod({ containers: [restricted] }), restricted)).rejects.toThrow(/runAsNonRoot/);
  });

  it('resolves env from values, Secrets, ConfigMaps and the pod fields, with $(VAR) expansion', async () => {
    const runner = new PodRunner(fakePodman('10001:10001'), dir, 'parley', '/hosts', sources);
    const container = {
      ...restricted,
      envFrom: [{ configMapRef: { name: 'settings' } }],
      env: [
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'URL', value: 'redis://:$(PASSWORD)@redis' },
      ],
    };
    const args = await runner.runArguments(pod({ containers: [container] }), container);
    expect(args).toEqual(expect.arrayContaining(['LOG_LEVEL=info', 'PASSWORD=s3cret', 'POD=web-0', 'URL=redis://:s3cret@redis']));
  });

  it('keeps a pod waiting while a Secret it needs does not exist', async () => {
    const runner = new PodRunner(fakePodman('10001:10001'), dir, 'parley', '/hosts', sources);
    const container = { ...restricted, volumeMounts: [{ name: 'keys', mountPath: '/keys' }] };
    const spec = pod({ containers: [container], volumes: [{ name: 'keys', secret: { secretName: 'signing-keys' } }] });
    await expect(runner.runArguments(spec, container)).rejects.toBeInstanceOf(PodNotReadyToStart);
    secrets.set('signing-keys', new Map([['a.json', Buffer.from('{}')]]));
    const args = await runner.runArguments(spec, container);
    const volume = join(dir, 'volumes', 'web-0', 'keys');
    expect(args).toContain(`${volume}:/keys:ro`);
    expect(readlinkSync(join(volume, 'a.json'))).toBe('..data/a.json');
    secrets.set('signing-keys', new Map([['b.json', Buffer.from('{"b":1}')]]));
    runner.syncVolumes(spec);
    expect(readFileSync(join(volume, 'b.json'), 'utf8')).toBe('{"b":1}');
    expect(() => readFileSync(join(volume, 'a.json'))).toThrow();
  });
});
