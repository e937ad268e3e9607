import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/repo-root.js';
import { filesIn, readRules, RULE_TESTS_DIR, RULES_DIR } from './support/observability-files.js';

/** promtool from Debian's `prometheus` package (.ci/run installs it). */
function promtool(args: string[]) {
  const result = spawnSync('promtool', args, { cwd: REPO_ROOT, encoding: 'utf8' });
  return { ...result, text: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

describe('promtool', () => {
  beforeAll(() => {
    const version = promtool(['--version']);
    if (version.error) {
      throw new Error(
        'promtool is not installed: `apt-get install -y --no-install-recommends prometheus` (Debian) puts it on PATH; .ci/run does this in CI.',
      );
    }
  });

  it('checks every rule file', () => {
    const files = filesIn(RULES_DIR, '.yaml').map((file) => join('observability/prometheus/rules', file));
    expect(files.length).toBeGreaterThan(0);
    const result = promtool(['check', 'rules', ...files]);
    expect(result.status, result.text).toBe(0);
  });

  it('passes the rule unit tests', () => {
    const files = filesIn(RULE_TESTS_DIR, '.yaml').map((file) => join('observability/prometheus/tests', file));
    expect(files.length).toBeGreaterThan(0);
    const result = promtool(['test', 'rules', ...files]);
    expect(result.status, result.text).toBe(0);
  });

  it('has a unit test of every alert firing and of it not firing', () => {
    const cases = filesIn(RULE_TESTS_DIR, '.yaml').flatMap((file) => {
      const document = parse(readFileSync(join(RULE_TESTS_DIR, file), 'utf8')) as {
        tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
      };
      return document.tests.flatMap((test) => test.alert_rule_test ?? []);
    });
    for (const rule of readRules().filter((candidate) => candidate.alert)) {
      const own = cases.filter((testCase) => testCase.alertname === rule.alert);
      expect(own.some((testCase) => (testCase.exp_alerts ?? []).length > 0), `${rule.alert} firing`).toBe(true);
      expect(own.some((testCase) => (testCase.exp_alerts ?? []).length === 0), `${rule.alert} not firing`).toBe(true);
    }
  });
});
