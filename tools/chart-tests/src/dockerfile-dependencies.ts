import { type DockerfileStage, imageTargets, stageLineage } from './dockerfile-targets.js';
import { type LockPackages, nestedNodeModules, runtimeClosure } from './lockfile-placement.js';

/** The workspace an image runs (`services/auth` for `node services/auth/dist/main.js`). */
export function targetWorkspace(stage: DockerfileStage): string {
  return (stage.cmd?.[1] ?? '').split('/').slice(0, 2).join('/');
}

/**
 * What each image target's runtime stage fails to copy from its own `<target>-deps` stage,
 * given where the lockfile places the packages the target's workspace needs at runtime: the
 * top-level node_modules and every workspace-level node_modules holding one of them. Empty
 * when every image can resolve all of its production dependencies.
 */
export function missingDependencyCopies(stages: DockerfileStage[], packages: LockPackages): string[] {
  const problems: string[] = [];
  for (const target of imageTargets(stages)) {
    const workspace = targetWorkspace(target);
    const depsStage = `${target.name}-deps`;
    const deps = stages.find((stage) => stage.name === depsStage);
    if (!deps) {
      problems.push(`${target.name}: no stage ${depsStage}`);
      continue;
    }
    if (!deps.runs.some((run) => new RegExp(`npm ci --omit=dev --workspace ${workspace}(\\s|$)`).test(run))) {
      problems.push(`${target.name}: ${depsStage} does not run \`npm ci --omit=dev --workspace ${workspace}\``);
    }
    const copies = stageLineage(stages, target.name).flatMap((stage) => stage.copies);
    const folders = new Map<string, string[]>([['node_modules', []], ...nestedNodeModules(packages, runtimeClosure(packages, workspace))]);
    for (const [folder, names] of folders) {
      const expected = `--from=${depsStage} /app/${folder} ./${folder}`;
      if (!copies.includes(expected)) {
        const holding = names.length > 0 ? ` (it holds ${names.join(', ')})` : '';
        problems.push(`${target.name}: missing \`COPY ${expected}\`${holding}`);
      }
    }
    // A folder npm does not create for this workspace makes the build fail.
    for (const copy of copies) {
      const folder = /^--from=[a-z-]+-deps \/app\/(\S+) \.\/\S+$/.exec(copy)?.[1];
      if (folder && !folders.has(folder)) problems.push(`${target.name}: \`COPY ${copy}\` names a folder the lockfile does not fill for ${workspace}`);
    }
  }
  return problems;
}
