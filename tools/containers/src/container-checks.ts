import type { Checks } from './checks.js';
import type { Podman } from './podman.js';
import type { ReleasePod } from './release-pod.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What an image that cannot start prints: a module left out, a native addon that does not load. */
const LOAD_FAILURE = /ERR_MODULE_NOT_FOUND|Cannot find (package|module)|ERR_DLOPEN_FAILED|invalid ELF header|Illegal instruction|Segmentation fault|EROFS|EACCES/;

/**
 * Every image's CMD, started as the chart starts it (uid 10001, read-only root filesystem, no
 * capabilities) but without configuration: it must load all of its modules and native addons,
 * then either run or stop at configuration validation, never with a load error.
 */
export async function checkImageStarts(podman: Podman, checks: Checks, target: string, image: string): Promise<void> {
  const name = `start-check-${target}`;
  await checks.check(`image ${target} starts read-only as uid 10001 and loads all its modules`, async () => {
    await podman.ok(['run', '--detach', '--name', name, '--network', 'none', '--read-only', '--read-only-tmpfs=false', '--user', '10001:10001', '--cap-drop', 'all', '--security-opt', 'no-new-privileges', '--mount', 'type=tmpfs,destination=/tmp,tmpfs-mode=1777', '--mount', 'type=tmpfs,destination=/var/lib/parley,tmpfs-mode=1777', image]);
    try {
      let running = true;
      for (let waited = 0; waited < 8_000 && running; waited += 500) {
        await sleep(500);
        running = (await podman.ok(['inspect', '--format', '{{.State.Running}}', name])) === 'true';
      }
      const exitCode = Number(await podman.ok(['inspect', '--format', '{{.State.ExitCode}}', name]));
      const logs = (await podman.run(['logs', name])).stdout + (await podman.run(['logs', name])).stderr;
      const failure = LOAD_FAILURE.exec(logs);
      if (failure) throw new Error(`${failure[0]}: ${logs.slice(Math.max(0, (failure.index ?? 0) - 300), (failure.index ?? 0) + 300)}`);
      if (!running && exitCode > 128) throw new Error(`killed by signal ${exitCode - 128}: ${logs.slice(-500)}`);
      return running ? 'still running after 8 s' : `exited ${exitCode} without configuration, no load error`;
    } finally {
      await podman.run(['rm', '--force', '--time', '2', name]);
    }
  }, (outcome) => outcome);
}

/** Inside every running container of the release: a non-root uid and a root filesystem that refuses writes. */
export async function checkRunningContainers(podman: Podman, checks: Checks, release: ReleasePod): Promise<void> {
  for (const workload of release.running) {
    for (const container of workload.pod.spec.containers) {
      const id = release.runner.containerName(workload.pod, container);
      const context = { ...workload.pod.spec.securityContext, ...container.securityContext };
      await checks.check(`${workload.pod.name}/${container.name} runs as non-root with a read-only root filesystem`, async () => {
        const output = await podman.ok(['exec', id, 'sh', '-c', 'id -u; if touch /.rootfs-write-test 2>/dev/null; then echo writable; else echo read-only; fi']);
        const [uid, rootfs] = output.split('\n');
        if (uid === '0') throw new Error('runs as root');
        if (context.runAsUser !== undefined && uid !== String(context.runAsUser)) throw new Error(`uid ${uid}, the pod asks for ${context.runAsUser}`);
        if (context.readOnlyRootFilesystem && rootfs !== 'read-only') throw new Error('the root filesystem is writable');
        return `uid ${uid}, ${rootfs}`;
      }, (outcome) => outcome);
    }
  }
}

/** `podman stop` sends the image's stop signal, as the kubelet does: every process drains and exits 0. */
export async function checkGracefulStop(podman: Podman, checks: Checks, release: ReleasePod): Promise<void> {
  // Services before the data stores they drain into.
  const ordered = [...release.running].sort((a, b) => Number(a.object.kind === 'StatefulSet') - Number(b.object.kind === 'StatefulSet'));
  for (const workload of ordered) {
    const grace = (workload.pod.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30;
    for (const container of workload.pod.spec.containers) {
      const id = release.runner.containerName(workload.pod, container);
      await checks.check(`${workload.pod.name}/${container.name} exits 0 on its stop signal`, async () => {
        await podman.ok(['stop', '--time', String(grace), id], { timeoutMs: (grace + 10) * 1000 });
        const exitCode = await podman.ok(['inspect', '--format', '{{.State.ExitCode}}', id]);
        if (exitCode !== '0') throw new Error(`exit ${exitCode}: ${(await podman.run(['logs', '--tail', '15', id])).stderr.slice(-800)}`);
        return exitCode;
      });
    }
  }
}
