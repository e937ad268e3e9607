import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmTemplate } from '../src/helm.js';
import { fieldChecker, schemaErrors } from '../src/kubernetes-schemas.js';
import { findObject, type K8sObject, objectsOfKind, parseManifests } from '../src/manifests.js';
import { CHART_DIR, REPO_ROOT } from '../src/repo-paths.js';

/** Each observability source folder and its copy inside the chart (scripts/sync-chart-assets.sh). */
const SYNCED: { source: string; copy: string; extension: string }[] = [
  { source: 'observability/prometheus/rules', copy: 'charts/parley/files/prometheus-rules', extension: '.yaml' },
  { source: 'observability/grafana/dashboards', copy: 'charts/parley/files/grafana-dashboards', extension: '.json' },
];

const filesIn = (dir: string, extension: string) =>
  existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith(extension)).sort() : [];

describe('chart copies of the observability assets', () => {
  it.each(SYNCED)('match $source file for file (run scripts/sync-chart-assets.sh)', ({ source, copy, extension }) => {
    const sourceDir = join(REPO_ROOT, source);
    const copyDir = join(REPO_ROOT, copy);
    expect(existsSync(copyDir), `${copy} exists`).toBe(true);
    expect(filesIn(copyDir, extension)).toEqual(filesIn(sourceDir, extension));
    for (const file of filesIn(sourceDir, extension)) {
      expect(readFileSync(join(copyDir, file), 'utf8'), `${copy}/${file}`).toBe(readFileSync(join(sourceDir, file), 'utf8'));
    }
  });
});

describe('the PrometheusRule and dashboard ConfigMaps built from those files', () => {
  let chartCopy: string;
  let objects: K8sObject[];
  const dashboard = { title: 'Parley fixture', uid: 'parley-fixture', panels: [{ type: 'stat', title: 'Sockets', targets: [{ expr: 'sum(parley_socket_connected)' }] }] };

  beforeAll(() => {
    // A throwaway copy of the chart with one rule file and one dashboard of the shape issue #4 writes
    // (instead of the shipped ones, which the last test below renders).
    chartCopy = mkdtempSync(join(tmpdir(), 'parley-chart-'));
    cpSync(CHART_DIR, chartCopy, { recursive: true });
    for (const { copy, extension } of SYNCED) {
      const dir = join(chartCopy, copy.replace('charts/parley/', ''));
      for (const file of filesIn(dir, extension)) rmSync(join(dir, file));
    }
    writeFileSync(
      join(chartCopy, 'files', 'prometheus-rules', 'fixture.yaml'),
      [
        'groups:',
        '  - name: parley-fixture',
        '    rules:',
        '      - record: parley:socket_connected:sum',
        '        expr: sum(parley_socket_connected)',
        '      - alert: ParleyFixtureDown',
        '        expr: up{job="auth"} == 0',
        '        for: 5m',
        '        labels: { severity: page }',
        '        annotations:',
        '          summary: "{{ $labels.instance }} is down"',
        '',
      ].join('\n'),
    );
    writeFileSync(join(chartCopy, 'files', 'grafana-dashboards', 'Parley Overview.json'), JSON.stringify(dashboard, null, 2));
    const rendered = helmTemplate({
      chartDir: chartCopy,
      releaseName: 'parley',
      set: { 'metrics.prometheusRule.enabled': 'true', 'metrics.grafanaDashboards.enabled': 'true', 'metrics.grafanaDashboards.namespace': 'monitoring' },
    });
    expect(rendered.stderr).toBe('');
    objects = parseManifests(rendered.stdout);
  });

  afterAll(() => {
    rmSync(chartCopy, { recursive: true, force: true });
  });

  it('puts every rule group in one PrometheusRule, keeping alert templates verbatim', async () => {
    const rule = findObject(objects, 'PrometheusRule', 'parley');
    expect(await schemaErrors(rule)).toEqual([]);
    expect(fieldChecker().unknownFields(rule)).toEqual([]);
    const groups = (rule.spec as { groups: { name: string; rules: Record<string, unknown>[] }[] }).groups;
    expect(groups.map((group) => group.name)).toEqual(['parley-fixture']);
    expect(groups[0]?.rules[1]).toMatchObject({ alert: 'ParleyFixtureDown', annotations: { summary: '{{ $labels.instance }} is down' } });
  });

  it('makes one labelled ConfigMap per dashboard for the Grafana sidecar', () => {
    const configMaps = objectsOfKind(objects, 'ConfigMap').filter((configMap) => configMap.metadata.labels?.grafana_dashboard === '1');
    expect(configMaps.map((configMap) => configMap.metadata.name)).toEqual(['parley-dashboard-parley-overview']);
    const configMap = configMaps[0] as K8sObject;
    expect(configMap.metadata.namespace).toBe('monitoring');
    expect(JSON.parse((configMap.data as Record<string, string>)['Parley Overview.json'] ?? '')).toEqual(dashboard);
  });

  it('renders an empty rule and no dashboards from the chart as it is when the folders are empty', () => {
    const rendered = helmTemplate({ releaseName: 'parley', set: { 'metrics.prometheusRule.enabled': 'true', 'metrics.grafanaDashboards.enabled': 'true' } });
    expect(rendered.ok).toBe(true);
    const fromChart = parseManifests(rendered.stdout);
    const hasSources = SYNCED.some(({ source, extension }) => filesIn(join(REPO_ROOT, source), extension).length > 0);
    if (!hasSources) {
      expect((findObject(fromChart, 'PrometheusRule', 'parley').spec as { groups: unknown[] }).groups).toEqual([]);
      expect(fromChart.filter((object) => object.metadata.labels?.grafana_dashboard === '1')).toEqual([]);
    } else {
      // The shipped files: every rule group of every file, and one ConfigMap per dashboard.
      const ruleFiles = filesIn(join(REPO_ROOT, 'charts/parley/files/prometheus-rules'), '.yaml');
      const groups = (findObject(fromChart, 'PrometheusRule', 'parley').spec as { groups: { name: string }[] }).groups;
      expect(groups.length).toBeGreaterThanOrEqual(ruleFiles.length);
      const dashboards = fromChart.filter((object) => object.metadata.labels?.grafana_dashboard === '1');
      expect(dashboards).toHaveLength(filesIn(join(REPO_ROOT, 'charts/parley/files/grafana-dashboards'), '.json').length);
    }
  });

  it('points every alert’s runbook_url at metrics.prometheusRule.runbookBaseUrl when it is set, and keeps the files’ links when not', () => {
    type Rules = { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] };
    const alertsOf = (set: Record<string, string>) =>
      (findObject(parseManifests(helmTemplate({ releaseName: 'parley', set: { 'metrics.prometheusRule.enabled': 'true', ...set } }).stdout), 'PrometheusRule', 'parley').spec as Rules).groups
        .flatMap((group) => group.rules)
        .filter((rule) => rule.alert);
    const shipped = alertsOf({});
    expect(shipped.length).toBeGreaterThan(0);
    for (const rule of shipped) expect(rule.annotations?.runbook_url, rule.alert).toMatch(/\/docs\/runbooks\/parley-[a-z-]+\.md$/);
    const moved = alertsOf({ 'metrics.prometheusRule.runbookBaseUrl': 'https://runbooks.example.org/parley/' });
    expect(moved).toHaveLength(shipped.length);
    moved.forEach((rule, index) => {
      const page = shipped[index]!.annotations!.runbook_url!.replace(/^.*\/(docs\/runbooks\/)/, '$1');
      expect(rule.annotations?.runbook_url).toBe(`https://runbooks.example.org/parley/${page}`);
    });
  });
});
