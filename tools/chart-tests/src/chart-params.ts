import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR } from './repo-paths.js';

/** One `## @param <path> <description>` line of values.yaml (Bitnami readme-generator style). */
export interface ChartParam {
  path: string;
  description: string;
  section: string;
  /** The default value at that path in values.yaml (undefined when the path does not exist). */
  value: unknown;
}

export interface ChartValues {
  values: Record<string, unknown>;
  params: ChartParam[];
  sections: string[];
}

export const VALUES_FILE = join(CHART_DIR, 'values.yaml');

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at a dotted path (keys never contain dots in this chart, except inside maps). */
export function valueAt(values: Record<string, unknown>, path: string): unknown {
  let current: unknown = values;
  for (const key of path.split('.')) {
    if (!isPlainObject(current) || !(key in current)) return undefined;
    current = current[key];
  }
  return current;
}

export function hasPath(values: Record<string, unknown>, path: string): boolean {
  let current: unknown = values;
  for (const key of path.split('.')) {
    if (!isPlainObject(current) || !(key in current)) return false;
    current = current[key];
  }
  return true;
}

export function readChartValues(text = readFileSync(VALUES_FILE, 'utf8')): ChartValues {
  const values = (parse(text) ?? {}) as Record<string, unknown>;
  const params: ChartParam[] = [];
  const sections: string[] = [];
  let section = '';
  for (const line of text.split('\n')) {
    const sectionMatch = /^\s*## @section (.+)$/.exec(line);
    if (sectionMatch?.[1]) {
      section = sectionMatch[1].trim();
      sections.push(section);
      continue;
    }
    const paramMatch = /^\s*## @param (\S+)\s+(.+)$/.exec(line);
    if (paramMatch?.[1] && paramMatch[2]) {
      params.push({ path: paramMatch[1], description: paramMatch[2].trim(), section, value: valueAt(values, paramMatch[1]) });
    }
  }
  return { values, params, sections };
}

/**
 * Paths that need a `@param` of their own or of an ancestor: scalars, arrays and empty
 * objects. A non-empty object is covered when it or all of its leaves are documented.
 */
export function leafPaths(values: Record<string, unknown>, prefix = ''): string[] {
  const leaves: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value) && Object.keys(value).length > 0) leaves.push(path, ...leafPaths(value, path));
    else leaves.push(path);
  }
  return leaves;
}

/** Problems of the `@param` documentation: unknown paths, undocumented values, duplicates. */
export function paramProblems(chart: ChartValues): string[] {
  const problems: string[] = [];
  const documented = new Set<string>();
  for (const param of chart.params) {
    if (documented.has(param.path)) problems.push(`@param ${param.path} appears twice`);
    documented.add(param.path);
    if (!hasPath(chart.values, param.path)) problems.push(`@param ${param.path} names no value in values.yaml`);
  }
  const isDocumented = (path: string) => {
    const parts = path.split('.');
    return parts.some((_, index) => documented.has(parts.slice(0, index + 1).join('.')));
  };
  const allPaths = leafPaths(chart.values);
  for (const path of allPaths) {
    const value = valueAt(chart.values, path);
    const isContainer = isPlainObject(value) && Object.keys(value).length > 0;
    if (isContainer) {
      // A documented object must not also document its children.
      if (documented.has(path)) {
        for (const child of allPaths.filter((candidate) => candidate.startsWith(`${path}.`))) {
          if (documented.has(child)) problems.push(`${child} is documented, but so is its parent ${path}`);
        }
      }
      continue;
    }
    if (!isDocumented(path)) problems.push(`values.yaml ${path} has no @param line`);
  }
  return problems;
}

/** A default value as the README shows it (Bitnami style). */
export function formatDefault(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value === '' ? '`""`' : `\`${value}\``;
  return `\`${JSON.stringify(value)}\``;
}

const escapeCell = (text: string) => text.replaceAll('|', '\\|');

/** The README's parameters section: one table per `@section`, in values.yaml order. */
export function renderParametersTable(chart: ChartValues): string {
  const out: string[] = [];
  for (const section of chart.sections) {
    const rows = chart.params.filter((param) => param.section === section);
    if (rows.length === 0) continue;
    out.push(`### ${section}`, '', '| Name | Description | Value |', '| --- | --- | --- |');
    for (const param of rows) {
      out.push(`| \`${param.path}\` | ${escapeCell(param.description)} | ${escapeCell(formatDefault(param.value))} |`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

export const TABLE_BEGIN = '<!-- parameters:begin (generated from the @param lines of values.yaml; run `node tools/chart-tests/dist/chart-docs-cli.js --write`) -->';
export const TABLE_END = '<!-- parameters:end -->';

/** README text with the parameters section replaced; throws when the markers are missing. */
export function replaceParametersTable(readme: string, table: string): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error('README.md lacks the parameters markers');
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n\n${table}\n\n${readme.slice(end)}`;
}
