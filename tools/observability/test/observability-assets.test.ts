import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generatedAssets } from '../src/generated-assets.js';
import { parseLabelValuesQuery, parsePromQL } from '../src/promql-names.js';
import { RUNBOOK_BASE_URL, runbookPath } from '../src/rules/rule-files.js';
import { REPO_ROOT } from '../src/repo-root.js';
import { filesIn, readDashboards, readRules, RUNBOOKS_DIR, shippedExpressions, type DashboardPanel } from './support/observability-files.js';

const REGENERATE = 'npx tsc -b tools/observability && node tools/observability/dist/generate-assets-cli.js --write && scripts/sync-chart-assets.sh';

describe('generated observability assets', () => {
  it.each(Object.entries(generatedAssets()))('%s is up to date with tools/observability/src', (path, content) => {
    const file = join(REPO_ROOT, path);
    expect(existsSync(file), `${path} is missing: ${REGENERATE}`).toBe(true);
    expect(readFileSync(file, 'utf8'), `${path} is stale: ${REGENERATE}`).toBe(content);
  });

  it('leaves no hand-made or stale file next to the generated ones', () => {
    const generated = Object.keys(generatedAssets());
    const onDisk = [
      ...filesIn(join(REPO_ROOT, 'observability/grafana/dashboards'), '.json').map((file) => `observability/grafana/dashboards/${file}`),
      ...filesIn(join(REPO_ROOT, 'observability/prometheus/rules'), '.yaml').map((file) => `observability/prometheus/rules/${file}`),
    ];
    expect(onDisk.sort()).toEqual(generated.sort());
  });
});

describe('Grafana dashboards', () => {
  const dashboards = readDashboards();

  it('are the four of the issue, each with a unique uid and title', () => {
    expect(dashboards.map(({ dashboard }) => dashboard.title).sort()).toEqual(
      ['Parley auth', 'Parley overview', 'Parley queues & persistence', 'Parley socket fan-out'].sort(),
    );
    expect(new Set(dashboards.map(({ dashboard }) => dashboard.uid)).size).toBe(dashboards.length);
  });

  it.each(dashboards.map(({ file, dashboard }) => [file, dashboard] as const))('%s is valid dashboard JSON with datasource and namespace variables', (_file, dashboard) => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.description).toBeTruthy();
    const variables = dashboard.templating.list;
    expect(variables[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    expect(variables[1]).toMatchObject({ name: 'namespace', type: 'query' });
    for (const variable of variables.slice(1)) expect((variable as unknown as { datasource: { uid: string } }).datasource.uid).toBe('${datasource}');
  });

  it.each(dashboards.map(({ file, dashboard }) => [file, dashboard.panels] as const))(
    '%s: every panel has a unique id, a description, a place on the grid that overlaps no other, and queries scoped to the namespace',
    (_file, panels) => {
      expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
      const occupied = new Set<string>();
      for (const panel of panels) {
        const { x, y, w, h } = panel.gridPos;
        expect(x + w, panel.title).toBeLessThanOrEqual(24);
        expect(Math.min(x, y, w, h), panel.title).toBeGreaterThanOrEqual(0);
        for (let row = y; row < y + h; row += 1) {
          for (let column = x; column < x + w; column += 1) {
            const cell = `${column},${row}`;
            expect(occupied.has(cell), `${panel.title} overlaps another panel at ${cell}`).toBe(false);
            occupied.add(cell);
          }
        }
        if (panel.type === 'row') continue;
        expect(panel.description?.trim().length ?? 0, `${panel.title} has a description`).toBeGreaterThan(20);
        expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
        expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) {
          expect(target.expr, `${panel.title} ${target.refId}`).toContain('namespace="$namespace"');
          expect(target.datasource?.uid).toBe('${datasource}');
        }
      }
    },
  );

  it('show what the issue asks for on the socket fan-out dashboard', () => {
    const fanout = dashboards.find(({ dashboard }) => dashboard.uid === 'parley-socket-fanout')!.dashboard;
    const exprs = (title: RegExp) =>
      fanout.panels
        .filter((panel: DashboardPanel) => title.test(panel.title))
        .flatMap((panel) => panel.targets ?? [])
        .map((target) => target.expr)
        .join('\n');
    expect(exprs(/Connected sockets per pod/)).toMatch(/by \(pod\).*parley_socket_connected/);
    expect(exprs(/Messages in/)).toContain('parley_messages_accepted_total');
    expect(exprs(/Deliveries out/)).toContain('parley_fanout_deliveries_total');
    expect(exprs(/Fan-out ratio/)).toMatch(/^namespace:parley_fanout_deliveries:rate5m\{[^}]*\} \/ namespace:parley_messages_accepted:rate5m\{[^}]*\}$/);
    for (const q of ['0.5', '0.95', '0.99']) {
      expect(exprs(/Ack latency/)).toContain(`histogram_quantile(${q}`);
      expect(exprs(/^Fan-out latency p50/)).toContain(`histogram_quantile(${q}`);
    }
    expect(exprs(/Disconnects by reason/)).toMatch(/by \(reason\).*parley_socket_disconnects_total/);
  });

  it('count messages, not queue jobs, in the overview’s “Messages waiting to be persisted”', () => {
    const overview = dashboards.find(({ dashboard }) => dashboard.uid === 'parley-overview')!.dashboard;
    const panel = overview.panels.find((candidate: DashboardPanel) => candidate.title === 'Messages waiting to be persisted');
    expect(panel?.targets?.length).toBe(1);
    // Recording rules resolved to the series they are computed from: a job count under a rule's name is still jobs.
    const recorded = new Map(readRules().flatMap((rule) => (rule.record ? [[rule.record, rule.expr] as const] : [])));
    const underlying = parsePromQL(panel!.targets![0]!.expr).metrics.flatMap((name) => {
      const expr = recorded.get(name);
      return expr === undefined ? [name] : parsePromQL(expr).metrics;
    });
    expect(underlying).toEqual(['parley_messages_unpersisted']);
  });
});

describe('Prometheus rules', () => {
  const rules = readRules();
  const alerts = rules.filter((rule) => rule.alert);

  it('alert on what the issue lists, each with a severity, summary and description', () => {
    // Burn-rate alerts have two rules each (fast: critical, steady: warning) under one name.
    expect([...new Set(alerts.map((rule) => rule.alert))].sort()).toEqual(
      [
        'ParleyDeliveryLatencyBudgetBurn',
        'ParleySendAvailabilityBudgetBurn',
        'ParleyPersistenceLagBudgetBurn',
        'ParleyHighErrorRate',
        'ParleyJobsFailed',
        'ParleyJobsStalling',
        'ParleyLoginBruteForce',
        'ParleyAckLatencyBudgetBurn',
        'ParleyMessageDurabilityNotGuaranteed',
        'ParleyMessageJobsFailed',
        'ParleyMessagesDeadLettered',
        'ParleyMessagesNotPersisted',
        'ParleyPersistenceLagHigh',
        'ParleyQueueBacklogGrowing',
        'ParleyServiceDown',
        'ParleySocketAdapterErrors',
        'ParleySocketDisconnectStorm',
      ].sort(),
    );
    for (const alert of alerts) {
      expect(['critical', 'warning'], alert.alert).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary, alert.alert).toBeTruthy();
      expect(alert.annotations?.description, alert.alert).toBeTruthy();
    }
  });

  it.each(alerts.map((rule) => [rule.alert!, rule.annotations?.runbook_url] as const))(
    '%s links a runbook in docs/runbooks that exists and says what to check and do',
    (alert, url) => {
      expect(url).toBe(`${RUNBOOK_BASE_URL}/${runbookPath(alert)}`);
      const file = join(REPO_ROOT, runbookPath(alert));
      expect(existsSync(file), `${runbookPath(alert)} is missing`).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain(`# ${alert}`);
      for (const section of ['## What it means', '## What to check', '## What to do']) expect(text, `${alert}: ${section}`).toContain(section);
    },
  );

  it('has no alert runbook (parley-*.md) without its alert, and lists every one in docs/runbooks/README.md', () => {
    // Other pages (the operator's) live there too; alert pages are the parley-*.md ones.
    const runbooks = filesIn(RUNBOOKS_DIR, '.md').filter((file) => file.startsWith('parley-'));
    expect(runbooks.sort()).toEqual([...new Set(alerts.map((rule) => runbookPath(rule.alert!).replace('docs/runbooks/', '')))].sort());
    const index = readFileSync(join(RUNBOOKS_DIR, 'README.md'), 'utf8');
    for (const file of runbooks) expect(index, file).toContain(`(${file})`);
  });

  it('record names in level:metric:operations form, each once', () => {
    const records = rules.filter((rule) => rule.record).map((rule) => rule.record!);
    expect(new Set(records).size).toBe(records.length);
    for (const record of records) expect(record).toMatch(/^[a-z_]+:parley_[a-z0-9_]+:[a-z0-9_]+$/);
  });
});

describe('the OpenTelemetry Collector config', () => {
  it('receives OTLP on 4317 and 4318 and wires only components it defines into its traces and metrics pipelines', () => {
    const config = parse(readFileSync(join(REPO_ROOT, 'observability/otel/collector.yaml'), 'utf8')) as {
      receivers: Record<string, { protocols?: Record<string, { endpoint: string }> }>;
      processors: Record<string, unknown>;
      exporters: Record<string, unknown>;
      extensions: Record<string, unknown>;
      service: { extensions: string[]; pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> };
    };
    expect(config.receivers.otlp?.protocols?.grpc?.endpoint).toBe('0.0.0.0:4317');
    expect(config.receivers.otlp?.protocols?.http?.endpoint).toBe('0.0.0.0:4318');
    expect(Object.keys(config.service.pipelines).sort()).toEqual(['metrics', 'traces']);
    for (const [name, pipeline] of Object.entries(config.service.pipelines)) {
      for (const receiver of pipeline.receivers) expect(config.receivers, `${name}: ${receiver}`).toHaveProperty([receiver]);
      for (const processor of pipeline.processors) expect(config.processors, `${name}: ${processor}`).toHaveProperty([processor]);
      for (const exporter of pipeline.exporters) expect(config.exporters, `${name}: ${exporter}`).toHaveProperty([exporter]);
      expect(pipeline.processors[0], `${name}: memory_limiter first`).toBe('memory_limiter');
      expect(pipeline.processors.at(-1), `${name}: batch last`).toBe('batch');
    }
    for (const extension of config.service.extensions) expect(config.extensions).toHaveProperty([extension]);
  });
});

describe('PromQL of dashboards and rules', () => {
  const expressions = shippedExpressions();
  const records = new Set(readRules().flatMap((rule) => (rule.record ? [rule.record] : [])));

  it.each(expressions.map(({ where, expr, kind }) => [where, expr, kind] as const))('%s parses with the PromQL grammar', (_where, expr, kind) => {
    const parsed = kind === 'label_values' ? parseLabelValuesQuery(expr) : parsePromQL(expr);
    expect(parsed.errors).toEqual([]);
    expect(parsed.metrics.length).toBeGreaterThan(0);
  });

  it('names only Parley series, recording rules defined here, and `up`', () => {
    for (const { where, expr, kind } of expressions) {
      const { metrics } = kind === 'label_values' ? parseLabelValuesQuery(expr) : parsePromQL(expr);
      for (const metric of metrics) {
        const known = metric === 'up' || records.has(metric) || (/^parley_[a-z0-9_]+$/.test(metric) && !metric.includes(':'));
        expect(known, `${where}: ${metric}`).toBe(true);
      }
    }
  });

  it('finds metric names, not functions, labels or keywords', () => {
    expect(
      parsePromQL('histogram_quantile(0.99, sum by (le, pod) (rate(parley_x_bucket{namespace="$namespace"}[$__rate_interval]))) / ignoring(pod) a:b:c > bool 1 and on() up').metrics,
    ).toEqual(['a:b:c', 'parley_x_bucket', 'up']);
    expect(parsePromQL('sum(rate(parley_x_total[5m]').errors).not.toEqual([]);
  });
});
