import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { imageTargets, readDockerfileStages } from '../src/dockerfile-targets.js';
import { runHelm } from '../src/helm.js';
import { parseManifests, podSpecOf } from '../src/manifests.js';
import { REPO_ROOT } from '../src/repo-paths.js';

/**
 * The quickstarts (k8s/README.md and the chart README) as specifications: their image loops
 * cover every Dockerfile image under the chart's tag, each cluster recipe loads every image it
 * builds, and every documented `helm upgrade --install` renders with exactly its flags.
 */
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const DOCS = ['k8s/README.md', 'charts/parley/README.md'];
const APP_VERSION = (parse(read('charts/parley/Chart.yaml')) as { appVersion: string }).appVersion;
const TARGETS = imageTargets(readDockerfileStages()).map((stage) => stage.name).sort();

/** Shell commands of a Markdown file's ```sh blocks, with `\` continuations joined. */
function shellCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return blocks.flatMap((block) =>
    block
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line && !line.startsWith('#')),
  );
}

/** `for target in a b c; do` loops and the command each runs. */
function targetLoops(markdown: string): { targets: string[]; body: string }[] {
  const commands = shellCommands(markdown);
  return commands.flatMap((command, index) => {
    const loop = /^for target in ([a-z -]+); do$/.exec(command);
    return loop ? [{ targets: loop[1]!.trim().split(/\s+/).sort(), body: commands[index + 1] ?? '' }] : [];
  });
}

/** Splits a documented command line into arguments (single and double quotes, `$(minikube ip)` resolved). */
function argv(command: string): string[] {
  const resolved = command.replaceAll('$(minikube ip)', '192.168.49.2');
  // Words as the shell splits them: quotes group and are removed, also inside a word (key="v").
  return [...resolved.matchAll(/(?:[^\s'"]+|'[^']*'|"[^"]*")+/g)].map((match) => match[0].replace(/'([^']*)'|"([^"]*)"/g, '$1$2'));
}

describe('the quickstarts', () => {
  it('build every Dockerfile image, including web, under the chart\'s appVersion tag', () => {
    expect(TARGETS).toContain('web');
    for (const doc of DOCS) {
      const builds = targetLoops(read(doc)).filter((loop) => loop.body.startsWith('docker build'));
      expect(builds.length, doc).toBeGreaterThan(0);
      for (const build of builds) {
        expect(build.targets, doc).toEqual(TARGETS);
        expect(build.body).toBe(`docker build --target "$target" -t "parley/$target:${APP_VERSION}" .`);
      }
    }
  });

  it.each([
    ['kind', `kind load docker-image "parley/$target:${APP_VERSION}" --name parley`],
    ['k3d', `k3d image import "parley/$target:${APP_VERSION}" -c parley`],
    ['minikube', `minikube image load "parley/$target:${APP_VERSION}"`],
  ])('load every image into %s', (_cluster, load) => {
    const loops = targetLoops(read('k8s/README.md')).filter((loop) => loop.body === load);
    expect(loops).toHaveLength(1);
    expect(loops[0]?.targets).toEqual(TARGETS);
  });

  it('name cluster names and values files that exist', () => {
    const kind = parse(read('k8s/kind-cluster.yaml')) as { name: string };
    expect(kind.name).toBe('parley');
    for (const command of shellCommands(read('k8s/README.md'))) {
      for (const file of command.match(/k8s\/[a-z-]+\.yaml/g) ?? []) expect(() => read(file), `${command}: ${file}`).not.toThrow();
    }
  });

  const installs = shellCommands(read('k8s/README.md')).filter((command) => /^helm upgrade (--install )?parley charts\/parley /.test(command));

  it('document an evaluation install per cluster, a production install and the monitoring upgrades', () => {
    expect(installs.filter((command) => command.includes('k8s/values-evaluation.yaml') && command.includes('--install'))).toHaveLength(3);
    expect(installs.filter((command) => command.includes('k8s/values-production.yaml'))).toHaveLength(1);
    expect(installs.filter((command) => command.includes('--reuse-values'))).toHaveLength(2);
  });

  it.each(installs)('render as documented: %s', (command) => {
    const args = argv(command).slice(2);
    const template: string[] = ['template'];
    for (let index = 0; index < args.length; index += 1) {
      const arg = args[index]!;
      if (arg === '--install' || arg === '--create-namespace' || arg === '--wait') continue;
      if (arg === '--timeout') {
        index += 1;
        continue;
      }
      // An upgrade of the evaluation release installed above: its values first.
      if (arg === '--reuse-values') {
        template.push('-f', 'k8s/values-evaluation.yaml');
        continue;
      }
      template.push(arg);
    }
    const result = runHelm(template);
    expect(result.stderr).toBe('');
    expect(result.ok).toBe(true);
    const objects = parseManifests(result.stdout);
    // Only the images the quickstart built and loaded (or the official data-store images).
    const images = new Set(objects.flatMap((object) => podSpecOf(object)?.containers.map((container) => container.image ?? '') ?? []));
    for (const image of images) {
      expect(image, command).toMatch(new RegExp(`^(parley/(${TARGETS.join('|')}):${APP_VERSION.replaceAll('.', '\\.')}|docker\\.io/library/(postgres|redis):.+)$`));
    }
  });
});
