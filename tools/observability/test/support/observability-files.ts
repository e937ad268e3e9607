import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/repo-root.js';

export const DASHBOARDS_DIR = join(REPO_ROOT, 'observability', 'grafana', 'dashboards');
export const RULES_DIR = join(REPO_ROOT, 'observability', 'prometheus', 'rules');
export const RULE_TESTS_DIR = join(REPO_ROOT, 'observability', 'prometheus', 'tests');
export const RUNBOOKS_DIR = join(REPO_ROOT, 'docs', 'runbooks');

export const filesIn = (dir: string, extension: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((file) => file.endsWith(extension))
        .sort()
    : [];

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; refId: string; datasource?: { uid: string } }>;
}

export interface Dashboard {
  uid: string;
  title: string;
  description?: string;
  schemaVersion: number;
  panels: DashboardPanel[];
  templating: { list: Array<{ name: string; type: string; query: unknown; definition?: string }> };
}

/** The dashboards as shipped, by file name. */
export function readDashboards(): Array<{ file: string; dashboard: Dashboard }> {
  return filesIn(DASHBOARDS_DIR, '.json').map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard }));
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Every rule of the shipped rule files, with its file and group. */
export function readRules(): Array<Rule & { file: string; group: string }> {
  return filesIn(RULES_DIR, '.yaml').flatMap((file) => {
    const document = parse(readFileSync(join(RULES_DIR, file), 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
    return document.groups.flatMap((group) => group.rules.map((rule) => ({ ...rule, file, group: group.name })));
  });
}

/** Every PromQL expression shipped: dashboard targets, variable queries and rules. */
export function shippedExpressions(): Array<{ where: string; expr: string; kind: 'promql' | 'label_values' }> {
  const expressions: Array<{ where: string; expr: string; kind: 'promql' | 'label_values' }> = [];
  for (const { file, dashboard } of readDashboards()) {
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) expressions.push({ where: `${file} "${panel.title}" ${target.refId}`, expr: target.expr, kind: 'promql' });
    }
    for (const variable of dashboard.templating.list) {
      if (variable.type === 'query') expressions.push({ where: `${file} variable ${variable.name}`, expr: String(variable.definition), kind: 'label_values' });
    }
  }
  for (const rule of readRules()) expressions.push({ where: `${rule.file} ${rule.record ?? rule.alert}`, expr: rule.expr, kind: 'promql' });
  return expressions;
}
