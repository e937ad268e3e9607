import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { K6_BUILTIN_METRICS, K6_STUB_SOURCE } from './k6-stubs.js';

const K6_DIR = fileURLToPath(new URL('..', import.meta.url));
const SCENARIO_DIR = join(K6_DIR, 'scenarios');
const scenarios = (await readdir(SCENARIO_DIR)).filter((name) => name.endsWith('.js')).sort();

/** Bundles one scenario the way CI checks it: every relative import resolved, k6 modules external. */
async function bundle(file: string, plugins: Plugin[] = []) {
  return build({
    entryPoints: [join(SCENARIO_DIR, file)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: plugins.length > 0 ? [] : ['k6', 'k6/*'],
    metafile: true,
    logLevel: 'silent',
    plugins,
  });
}

/** Resolves `k6` and `k6/*` to the stubs, so the bundle can be evaluated in Node. */
const k6Stubs: Plugin = {
  name: 'k6-stubs',
  setup(context) {
    // Inside a stub, `k6` is the stub source itself; everywhere else `k6` and `k6/*` are thin re-exports of it.
    context.onResolve({ filter: /^k6$/, namespace: 'k6-stub' }, () => ({ path: 'k6-root', namespace: 'k6-root' }));
    context.onResolve({ filter: /^k6(\/.*)?$/ }, (args) => ({ path: args.path, namespace: 'k6-stub' }));
    context.onLoad({ filter: /.*/, namespace: 'k6-stub' }, (args) => ({
      contents: args.path === 'k6/execution' ? `export { execution as default } from 'k6';` : `export * from 'k6'; export { default } from 'k6';`,
      loader: 'js',
    }));
    context.onLoad({ filter: /.*/, namespace: 'k6-root' }, () => ({ contents: K6_STUB_SOURCE, loader: 'js' }));
  },
};

interface ScenarioModule {
  options: {
    scenarios: Record<string, { executor: string; exec?: string }>;
    thresholds?: Record<string, string[]>;
  };
  handleSummary?: unknown;
  [name: string]: unknown;
}

async function evaluate(file: string): Promise<{ module: ScenarioModule; metrics: Map<string, string> }> {
  const result = await bundle(file, [k6Stubs]);
  const code = result.outputFiles[0]!.text;
  const globals = globalThis as { __ENV?: Record<string, string>; __VU?: number; __k6Metrics?: Map<string, string> };
  globals.__ENV = {};
  globals.__VU = 0;
  globals.__k6Metrics = new Map();
  const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as ScenarioModule;
  return { module, metrics: globals.__k6Metrics };
}

describe('k6 scenarios (loadtests/k6/scenarios)', () => {
  it('has the four scenarios of issue #8', () => {
    expect(scenarios).toEqual(['auth-burst.js', 'chat-fanout.js', 'connect-storm.js', 'soak.js']);
  });

  for (const file of scenarios) {
    it(`${file} bundles with esbuild with only k6 modules left external`, async () => {
      const result = await bundle(file);
      expect(result.errors).toEqual([]);
      const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((entry) => entry.path));
      expect(imports.every((path) => path === 'k6' || path.startsWith('k6/'))).toBe(true);
      const exports = Object.values(result.metafile.outputs).flatMap((output) => output.exports);
      expect(exports).toEqual(expect.arrayContaining(['options', 'handleSummary']));
    });

    it(`${file} declares executors whose exec functions exist, and thresholds on metrics that exist`, async () => {
      const { module, metrics } = await evaluate(file);
      const declaredScenarios = Object.entries(module.options.scenarios);
      expect(declaredScenarios.length).toBeGreaterThan(0);
      for (const [, scenario] of declaredScenarios) {
        expect(typeof module[scenario.exec ?? 'default']).toBe('function');
      }
      expect(typeof module.handleSummary).toBe('function');
      const thresholdMetrics = Object.keys(module.options.thresholds ?? {}).map((key) => key.replace(/\{.*\}$/, ''));
      expect(thresholdMetrics.length).toBeGreaterThan(0);
      for (const metric of thresholdMetrics) {
        expect(K6_BUILTIN_METRICS.has(metric) || metrics.has(metric), `threshold on unknown metric ${metric}`).toBe(true);
      }
    });
  }

  it('type-checks every k6 script against @types/k6 (misspelt APIs or wrong arguments fail here)', async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(process.execPath, [tsc, '-p', join(K6_DIR, 'tsconfig.json')], (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('keeps the socket.io framing free of k6 imports (it is tested in Node)', async () => {
    const source = await readFile(join(K6_DIR, 'lib/socketio-protocol.js'), 'utf8');
    expect(source).not.toMatch(/from ['"]k6/);
  });
});
