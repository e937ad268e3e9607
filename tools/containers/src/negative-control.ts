import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CheckResult, Checks } from './checks.js';
import { checkImageStarts } from './container-checks.js';
import type { KubeObject, Probe } from './kube-objects.js';
import type { PodToRun } from './pod-runner.js';
import type { Podman } from './podman.js';
import type { ReleasePod, RunningWorkload } from './release-pod.js';

/** A port nothing in the pod listens on: the release declares no such port, the control binds none. */
export const NOTHING_LISTENS_PORT = 9;

const MISSING_MODULE_IMAGE = 'localhost/parley-control-missing-module:stand-in';

/**
 * The negative control's verdict on one broken workload: the check whose name starts with
 * `namePrefix` ran and was reported as failed, for the reason the breakage causes. Returns that
 * failure; throws otherwise, so a check that passes what is broken makes the smoke run fail.
 */
export function expectReportedFailed(observed: Checks, namePrefix: string, reason: RegExp): string {
  const result = observed.results.find((candidate) => candidate.name.startsWith(namePrefix));
  if (!result) throw new Error(`no check "${namePrefix}…" was reported (saw: ${observed.results.map((seen) => seen.name).join('; ') || 'none'})`);
  if (result.passed) throw new Error(`"${result.name}" was reported as passed (${result.detail}): the check does not see this breakage`);
  if (!reason.test(result.detail)) throw new Error(`"${result.name}" failed, but not with ${reason}: ${result.detail}`);
  return result.detail;
}

/** The control's inner checks: printed as what the control saw, never counted in the run's tally. */
const printObserved = (result: CheckResult) =>
  console.log(`        control saw ${result.passed ? 'a pass' : 'a failure'}: ${result.name}${result.detail ? `: ${firstLine(result.detail)}` : ''}`);

const firstLine = (text: string) => (text.split('\n')[0] ?? '').slice(0, 200);

/** A pod as the chart restricts its own (uid 10001, read-only root, no capabilities), one container. */
function restrictedPod(name: string, image: string, command: string[], startupProbe?: Probe): PodToRun {
  return {
    name: `${name}-0`,
    labels: { 'app.kubernetes.io/name': name },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
      containers: [
        {
          name: 'app',
          image,
          command,
          ports: [{ name: 'http', containerPort: NOTHING_LISTENS_PORT }],
          startupProbe,
          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
}

function deployment(name: string, image: string, command: string[], startupProbe: Probe): RunningWorkload {
  return { object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name } }, pod: restrictedPod(name, image, command, startupProbe) };
}

/** `image` with a CMD that imports a package the image does not contain, as a COPY left out would. */
async function imageThatCannotLoadAModule(podman: Podman, image: string, workDir: string): Promise<string> {
  const context = join(workDir, 'control-image');
  mkdirSync(context, { recursive: true });
  writeFileSync(join(context, 'Containerfile'), `FROM ${image}\nCMD ["node", "--input-type=module", "--eval", "import 'a-package-left-out-of-the-image'"]\n`);
  await podman.ok(['build', '--pull=never', '--quiet', '--tag', MISSING_MODULE_IMAGE, '--file', join(context, 'Containerfile'), context], { timeoutMs: 120_000 });
  return MISSING_MODULE_IMAGE;
}

/**
 * After the release's real checks: broken workloads made from a built image, run through the
 * same check functions as the release (the image start check, the kubelet stand-in's start and
 * probes, the hook Job runner) into a separate tally. Each control passes only when its broken
 * workload was reported as failed, for its reason.
 */
export async function checkNegativeControl(podman: Podman, checks: Checks, releasePod: ReleasePod, image: string, workDir: string): Promise<void> {
  const observed = new Checks(printObserved);

  await checks.check('control: an image that cannot load one of its modules is reported as failed', async () => {
    await checkImageStarts(podman, observed, 'control-missing-module', await imageThatCannotLoadAModule(podman, image, workDir));
    return expectReportedFailed(observed, 'image control-missing-module starts', /ERR_MODULE_NOT_FOUND/);
  }, firstLine);

  // Its probe allows 30 failures: only the stopped container, not the threshold, can fail it quickly.
  const probe = (failureThreshold: number): Probe => ({ httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold });
  const exitsAtStart = deployment('control-exits-at-start', image, ['sh', '-c', 'echo "exiting at start, on purpose" >&2; exit 3'], probe(30));
  const nothingListens = deployment('control-nothing-listens', image, ['sleep', 'infinity'], probe(3));
  try {
    await checks.check('control: a container that exits at start is reported as failed', async () => {
      await releasePod.probe(await releasePod.start([exitsAtStart], 30_000, observed), observed);
      return expectReportedFailed(observed, `startupProbe ${exitsAtStart.pod.name}/`, /not running/);
    }, firstLine);

    await checks.check(`control: a probe on a port nothing listens on (:${NOTHING_LISTENS_PORT}) is reported as failed`, async () => {
      await releasePod.probe(await releasePod.start([nothingListens], 30_000, observed), observed);
      return expectReportedFailed(observed, `startupProbe ${nothingListens.pod.name}/`, /failed 3 times/);
    }, firstLine);
  } finally {
    for (const workload of [exitsAtStart, nothingListens]) {
      for (const container of workload.pod.spec.containers) await podman.run(['rm', '--force', '--time', '0', releasePod.runner.containerName(workload.pod, container)]);
    }
  }

  await checks.check('control: a hook Job that exits non-zero is reported as failed', async () => {
    const { labels, spec } = restrictedPod('control-failing-hook', image, ['sh', '-c', 'echo "failing on purpose" >&2; exit 3']);
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'control-failing-hook', annotations: { 'helm.sh/hook': 'post-install' } },
      spec: { backoffLimit: 0, template: { metadata: { labels }, spec: { ...spec, restartPolicy: 'Never' } } },
    };
    await releasePod.runJob('post-install', job, 60_000, observed);
    return expectReportedFailed(observed, 'post-install hook Job/control-failing-hook', /exit 3/);
  }, firstLine);
}
