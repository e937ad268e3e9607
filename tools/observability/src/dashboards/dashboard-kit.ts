/**
 * A small builder for Grafana dashboard JSON (schemaVersion 39), so the four Parley dashboards
 * share one shape: a `datasource` and a `namespace` variable, every query scoped to the
 * namespace, every panel described, ids and grid positions assigned in order.
 */

export const SCHEMA_VERSION = 39;

/** Every query goes to the data source the `datasource` variable selects. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

/** Grafana's rate window: at least four scrape intervals, whatever the zoom. */
export const RATE = '$__rate_interval';

/** The label matcher every query carries. */
export const NS = 'namespace="$namespace"';

export type Unit = 's' | 'ms' | 'percentunit' | 'reqps' | 'ops' | 'short' | 'bytes' | 'none';

export interface Target {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  targets: Target[];
  unit?: Unit;
  /** Columns out of 24 (default 12). */
  width?: number;
  height?: number;
  kind?: 'timeseries' | 'stat';
  /** Stacked areas (shares of a whole: states, reasons, outcomes). */
  stacked?: boolean;
  /** Thresholds of a stat panel: [value, color] after the base green. */
  thresholds?: Array<[number, 'yellow' | 'orange' | 'red']>;
  min?: number;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** Rows of panels, laid out left to right, top to bottom. */
  rows: RowSpec[];
  /** Extra template variables (after datasource and namespace). */
  variables?: Variable[];
}

export interface Variable {
  name: string;
  label: string;
  /** `label_values(<metric>{…}, <label>)`. */
  query: string;
  multi?: boolean;
  includeAll?: boolean;
}

type Json = Record<string, unknown>;

/** A `label_values` query over a metric every Parley process exports. */
export const NAMESPACE_QUERY = 'label_values(parley_process_start_time_seconds, namespace)';

export function buildDashboard(spec: DashboardSpec): Json {
  let id = 0;
  let y = 0;
  const panels: Json[] = [];
  for (const row of spec.rows) {
    id += 1;
    panels.push({ id, type: 'row', title: row.title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const panel of row.panels) {
      const w = panel.width ?? 12;
      const h = panel.height ?? (panel.kind === 'stat' ? 4 : 8);
      if (x + w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      id += 1;
      panels.push(buildPanel(id, panel, { x, y, w, h }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }

  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['parley'],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    time: { from: 'now-3h', to: 'now' },
    timepicker: {},
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    links: [{ title: 'Parley dashboards', type: 'dashboards', tags: ['parley'], asDropdown: true, includeVars: true, keepTime: true, icon: 'external link', targetBlank: false, tooltip: '', url: '' }],
    templating: { list: [datasourceVariable(), queryVariable({ name: 'namespace', label: 'Namespace', query: NAMESPACE_QUERY }), ...(spec.variables ?? []).map(queryVariable)] },
    panels,
  };
}

function buildPanel(id: number, spec: PanelSpec, gridPos: { x: number; y: number; w: number; h: number }): Json {
  const kind = spec.kind ?? 'timeseries';
  const thresholds = {
    mode: 'absolute',
    steps: [{ color: 'green', value: null }, ...(spec.thresholds ?? []).map(([value, color]) => ({ color, value }))],
  };
  const defaults: Json = {
    unit: spec.unit ?? 'short',
    thresholds,
    color: { mode: kind === 'stat' ? 'thresholds' : 'palette-classic' },
    ...(spec.min !== undefined ? { min: spec.min } : {}),
  };
  if (kind === 'timeseries') {
    defaults.custom = {
      drawStyle: 'line',
      lineWidth: 1,
      fillOpacity: spec.stacked ? 30 : 10,
      showPoints: 'never',
      spanNulls: false,
      stacking: { mode: spec.stacked ? 'normal' : 'none', group: 'A' },
      axisPlacement: 'auto',
      axisSoftMin: 0,
    };
  }
  return {
    id,
    type: kind,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: { defaults, overrides: [] },
    options:
      kind === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', justifyMode: 'auto', orientation: 'auto', textMode: 'auto' }
        : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
    targets: spec.targets.map((target, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource: DATASOURCE,
      expr: target.expr,
      legendFormat: target.legend ?? '__auto',
      range: true,
      editorMode: 'code',
    })),
  };
}

function datasourceVariable(): Json {
  return {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: {},
    hide: 0,
    includeAll: false,
    multi: false,
    options: [],
    refresh: 1,
    regex: '',
    skipUrlSync: false,
  };
}

function queryVariable(variable: Variable): Json {
  return {
    name: variable.name,
    label: variable.label,
    type: 'query',
    datasource: DATASOURCE,
    definition: variable.query,
    query: { query: variable.query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 },
    current: {},
    hide: 0,
    includeAll: variable.includeAll ?? false,
    multi: variable.multi ?? false,
    options: [],
    refresh: 2,
    regex: '',
    skipUrlSync: false,
    sort: 1,
  };
}

/** `histogram_quantile(q, sum by (le, <by>) (rate(<histogram>_bucket{namespace…}[rate])))`. */
export function quantile(q: number, histogram: string, by: string[] = [], matchers = ''): string {
  const labels = ['le', ...by].join(', ');
  return `histogram_quantile(${q}, sum by (${labels}) (rate(${histogram}_bucket{${[NS, matchers].filter(Boolean).join(', ')}}[${RATE}])))`;
}

/** p50, p95 and p99 of a histogram as three targets. */
export function quantileTargets(histogram: string, by: string[] = [], matchers = ''): Target[] {
  const suffix = by.length > 0 ? ` ${by.map((label) => `{{${label}}}`).join(' ')}` : '';
  return [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, histogram, by, matchers), legend: `p${Math.round(q * 100)}${suffix}` }));
}
