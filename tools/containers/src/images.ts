import { join } from 'node:path';
import { type Podman, runCommand } from './podman.js';
import { REPO_ROOT, STAND_INS_DIR } from './repo-paths.js';

/** Base images the Dockerfile and the chart name, as podman stores them. */
export const BASE_IMAGES = ['docker.io/library/node:20-bookworm-slim', 'docker.io/library/postgres:17.6-bookworm', 'docker.io/library/redis:7.4-bookworm'];

/**
 * The published bases when a registry answers; otherwise the local stand-ins
 * (stand-ins/build-bases.sh), cached under `cacheDir` between runs.
 */
export async function provideBaseImages(podman: Podman, cacheDir: string): Promise<string> {
  const pulled: string[] = [];
  for (const image of BASE_IMAGES) {
    const result = await podman.run(['pull', '-q', image], { timeoutMs: 20_000 });
    if (result.code !== 0) break;
    pulled.push(image);
  }
  if (pulled.length === BASE_IMAGES.length) return 'pulled from the registry';
  const result = await runCommand('bash', [join(STAND_INS_DIR, 'build-bases.sh'), cacheDir], { env: podman.env, timeoutMs: 15 * 60_000 });
  if (result.code !== 0) throw new Error(`stand-in base images: ${(result.stderr || result.stdout).trim().slice(-2000)}`);
  return result.stdout.trim().split('\n').at(-1) ?? '';
}

/** `podman build --target <target>` of the root Dockerfile, tagged as the chart names it. */
export async function buildTarget(podman: Podman, target: string, tag: string): Promise<void> {
  const result = await podman.run(
    ['build', '--pull=never', '--network', 'host', '--layers', '--target', target, '--tag', tag, '--file', join(REPO_ROOT, 'Dockerfile'), REPO_ROOT],
    { timeoutMs: 20 * 60_000 },
  );
  if (result.code !== 0) throw new Error(`build of ${target} exited ${result.code}: ${(result.stderr + result.stdout).trim().slice(-3000)}`);
}

/** The configured user of an image (`10001:10001`), empty when it runs as root. */
export async function imageUser(podman: Podman, image: string): Promise<string> {
  return podman.ok(['image', 'inspect', '--format', '{{.Config.User}}', image]);
}
