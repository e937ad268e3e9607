import { readFileSync } from 'node:fs';
import { DockerfileParser, ModifiableInstruction } from 'dockerfile-ast';
import { DOCKERFILE } from './repo-paths.js';

export interface DockerfileStage {
  name: string;
  /** The FROM image or parent stage. */
  from: string;
  /** Exec-form CMD of the stage (the last one), if any. */
  cmd?: string[];
  /** True when the stage's CMD is shell form (signals would not reach node). */
  shellFormCmd: boolean;
  user?: string;
  /** The stage's own WORKDIR (the last one), if any. */
  workdir?: string;
  labels: string[];
  copies: string[];
  /** RUN instructions' arguments, in order. */
  runs: string[];
}

/** The Dockerfile's stages in order, with what the tests need from each. */
export function readDockerfileStages(text = readFileSync(DOCKERFILE, 'utf8')): DockerfileStage[] {
  const dockerfile = DockerfileParser.parse(text);
  const froms = dockerfile.getFROMs();
  const stages: DockerfileStage[] = froms.map((from) => ({
    name: from.getBuildStage() ?? '',
    from: from.getImageName() ?? '',
    shellFormCmd: false,
    labels: [],
    copies: [],
    runs: [],
  }));
  const starts = froms.map((from) => from.getRange().start.line);
  const stageAt = (line: number) => {
    let index = -1;
    for (let i = 0; i < starts.length; i += 1) if ((starts[i] ?? Infinity) <= line) index = i;
    return stages[index];
  };
  for (const instruction of dockerfile.getInstructions()) {
    const stage = stageAt(instruction.getRange().start.line);
    if (!stage) continue;
    const keyword = instruction.getKeyword();
    const content = instruction.getArgumentsContent() ?? '';
    if (keyword === 'USER') stage.user = content.trim();
    if (keyword === 'WORKDIR') stage.workdir = content.trim();
    if (keyword === 'LABEL') stage.labels.push(content);
    if (keyword === 'RUN') stage.runs.push(content);
    if (keyword === 'COPY') {
      // Flags (--from, --chown) are not part of the arguments content.
      const flags = instruction instanceof ModifiableInstruction ? instruction.getFlags().map((flag) => `--${flag.getName()}=${flag.getValue() ?? ''}`) : [];
      stage.copies.push([...flags, content].join(' '));
    }
  }
  for (const cmd of dockerfile.getCMDs()) {
    const stage = stageAt(cmd.getRange().start.line);
    if (!stage) continue;
    const json = cmd.getJSONStrings().map((argument) => argument.getJSONValue());
    stage.cmd = json.length > 0 ? json : undefined;
    stage.shellFormCmd = json.length === 0;
  }
  return stages;
}

/** Stages reachable as `--target`, i.e. those with a CMD: the images. */
export function imageTargets(stages: DockerfileStage[]): DockerfileStage[] {
  return stages.filter((stage) => stage.cmd !== undefined || stage.shellFormCmd);
}

/** The stage and every ancestor stage, nearest first (for inherited USER and LABELs). */
export function stageLineage(stages: DockerfileStage[], name: string): DockerfileStage[] {
  const lineage: DockerfileStage[] = [];
  let current = stages.find((stage) => stage.name === name);
  while (current) {
    lineage.push(current);
    const parent = current.from;
    current = stages.find((stage) => stage.name === parent);
  }
  return lineage;
}
