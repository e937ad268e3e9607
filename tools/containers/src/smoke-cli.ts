/**
 * Container smoke test (`npm run test:containers`): builds every Dockerfile target with podman,
 * renders the chart with helm, runs the release in one pod with exactly the rendered images,
 * env, Secrets, args and security contexts, runs the install hooks, every probe and
 * `helm test`, checks the operator against the Kubernetes API server stand-in, and drives a
 * user flow through the Ingress; then a negative control (broken workloads through the same
 * checks must be reported as failed). Prints `N passed, N failed`; exits 1 on any failure.
 *
 * Usage: node tools/containers/dist/smoke-cli.js [--values charts/parley/ci/<file>.yaml] [--keep] [--work-dir <dir>]
 * Environment: PARLEY_CONTAINER_CACHE (stand-in base images, default /var/tmp/parley-container-bases).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Checks, section } from './checks.js';
import { renderRelease, type Release } from './chart-render.js';
import { buildTarget, imageUser, provideBaseImages } from './images.js';
import { checkOperator } from './operator-checks.js';
import { Podman, runCommand } from './podman.js';
import { INFRA_IMAGE, ReleasePod } from './release-pod.js';
import { REPO_ROOT } from './repo-paths.js';
import { startIngressProxy, ingressRoutes } from './ingress-proxy.js';
import { checkUserFlow } from './user-flow.js';
import { checkImageStarts, checkRunningContainers, checkGracefulStop } from './container-checks.js';
import { checkNegativeControl, NOTHING_LISTENS_PORT } from './negative-control.js';
import { smokeExitCode } from './smoke-verdict.js';

const {
  values: { values, keep, 'work-dir': reuseDir },
} = parseArgs({ options: { values: { type: 'string', multiple: true }, keep: { type: 'boolean' }, 'work-dir': { type: 'string' } } });
const checks = new Checks();
const startedAt = Date.now();
const seconds = (since: number) => `${Math.round((Date.now() - since) / 1000)} s`;

/** Dockerfile targets that are images (the runtime stages). */
const targets = [...readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8').matchAll(/^FROM runtime AS ([a-z-]+)$/gm)].map((match) => match[1] as string);

function imageTag(release: Release): string {
  for (const object of release.objects) {
    const text = JSON.stringify(object.spec ?? {});
    const match = /"image":"(?:[^"/]+\/)*parley\/[a-z-]+:([^"]+)"/.exec(text);
    if (match) return match[1] as string;
  }
  throw new Error('the rendered chart runs no parley/* image');
}

async function main(): Promise<void> {
  for (const tool of ['podman', 'runc', 'nsenter', 'openssl', 'debootstrap']) {
    const found = await runCommand('sh', ['-c', `command -v ${tool}`]);
    if (found.code !== 0) throw new Error(`${tool} is not installed (.ci/run installs it)`);
  }
  // --work-dir reuses a kept directory (its podman storage keeps the build layers): CI runs the
  // release for each values file in one directory so the images build once; also for working on the test.
  const workDir = reuseDir ? (mkdirSync(reuseDir, { recursive: true }), reuseDir) : mkdtempSync('/var/tmp/parley-containers-');
  const podman = new Podman(join(workDir, 'podman'));
  const stop = (signal: string) => {
    console.log(`\n${signal}: removing the pod and the private podman storage`);
    void releasePod?.tearDown().finally(() => {
      if (!keep) podman.destroy();
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  let releasePod: ReleasePod | undefined;
  try {
    section('images');
    const basesAt = Date.now();
    await checks.check('base images', () => provideBaseImages(podman, process.env.PARLEY_CONTAINER_CACHE ?? '/var/tmp/parley-container-bases'), (how) => `${how}; ${seconds(basesAt)}`);
    // The pod's infra container (no pause image without a registry): sleeps, holds the namespaces.
    writeFileSync(join(workDir, 'infra.Containerfile'), 'FROM docker.io/library/debian:bookworm-slim\nENTRYPOINT ["sleep", "infinity"]\n');
    const infra = await podman.run(['build', '--pull=never', '--quiet', '--tag', INFRA_IMAGE, '--file', join(workDir, 'infra.Containerfile'), workDir]);
    if (infra.code !== 0) throw new Error(`pod infra image: ${infra.stderr}`);
    const release = renderRelease(values ?? []);
    checks.pass(`helm template ${values?.join(' ') ?? '(default values)'}`, `${release.objects.length} objects`);
    const tag = imageTag(release);
    const buildAt = Date.now();
    for (const target of targets) {
      const at = Date.now();
      await checks.check(`build --target ${target}`, () => buildTarget(podman, target, `parley/${target}:${tag}`), () => seconds(at));
    }
    console.log(`  all ${targets.length} targets built in ${seconds(buildAt)}`);
    for (const target of targets) {
      const image = `parley/${target}:${tag}`;
      await checks.check(`image ${target} runs as the numeric non-root user`, async () => {
        const user = await imageUser(podman, image);
        if (!/^[1-9]\d*:\d+$/.test(user)) throw new Error(`USER is "${user}"`);
        return user;
      }, (user) => user);
      await checkImageStarts(podman, checks, target, image);
    }

    section('release in one pod');
    if (reuseDir) {
      await podman.run(['pod', 'rm', '--all', '--force', '--time', '2']);
      rmSync(join(workDir, 'release'), { recursive: true, force: true });
    }
    releasePod = new ReleasePod(podman, join(workDir, 'release'), release, checks);
    await releasePod.create([NOTHING_LISTENS_PORT]);
    const datastores = await releasePod.start(releasePod.workloads(['StatefulSet']), 30_000);
    await releasePod.probe(datastores);
    // The operator creates the signing-key Secret; auth's pod waits for it, as on a cluster.
    const started = await releasePod.start(releasePod.workloads(['Deployment']), 120_000);

    section('install hooks');
    await releasePod.runHooks('post-install', 180_000);

    section('probes');
    await releasePod.probe(started);
    await checkRunningContainers(podman, checks, releasePod);

    section('operator and the API server stand-in');
    const authPort = release.objects.find((object) => object.kind === 'Service' && object.metadata.name === `${release.name}-auth`) ? 8081 : 0;
    await checkOperator(releasePod, checks, authPort);

    section('helm test');
    await releasePod.runHooks('test', 180_000);

    section('user flow through the Ingress');
    const routes = ingressRoutes(release.objects);
    const ingress = await startIngressProxy(routes, releasePod.network);
    try {
      await checkUserFlow(checks, `http://127.0.0.1:${ingress.port}`);
    } finally {
      ingress.server.closeAllConnections();
      ingress.server.close();
    }

    section('graceful stop');
    await checkGracefulStop(podman, checks, releasePod);

    // Shows the checks above can fail: broken workloads through the same check functions.
    section('negative control (broken on purpose: each must be reported as failed)');
    await checkNegativeControl(podman, checks, releasePod, `parley/${targets[0]}:${tag}`, workDir);
  } finally {
    await releasePod?.tearDown().catch(() => undefined);
    if (keep) console.log(`kept ${workDir}`);
    else podman.destroy();
  }
}

main()
  .catch((error: unknown) => checks.fail('smoke test', error instanceof Error ? (error.stack ?? error.message) : String(error)))
  .finally(() => {
    console.log(`\ncontainer smoke test: ${checks.summary()} (${seconds(startedAt)})`);
    process.exit(smokeExitCode(checks));
  });
