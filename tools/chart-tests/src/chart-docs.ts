import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readChartValues, renderParametersTable, replaceParametersTable } from './chart-params.js';
import { CHART_DIR } from './repo-paths.js';
import { renderValuesSchema } from './values-schema.js';

export const README_FILE = join(CHART_DIR, 'README.md');
export const SCHEMA_FILE = join(CHART_DIR, 'values.schema.json');

export interface GeneratedDocs {
  readme: string;
  schema: string;
}

/** What README.md and values.schema.json must contain, generated from values.yaml. */
export function generateChartDocs(): GeneratedDocs {
  const chart = readChartValues();
  return {
    readme: replaceParametersTable(readFileSync(README_FILE, 'utf8'), renderParametersTable(chart)),
    schema: renderValuesSchema(chart),
  };
}

/** Files whose content differs from what values.yaml generates. */
export function staleChartDocs(): string[] {
  const generated = generateChartDocs();
  const stale: string[] = [];
  if (readFileSync(README_FILE, 'utf8') !== generated.readme) stale.push(README_FILE);
  let schema = '';
  try {
    schema = readFileSync(SCHEMA_FILE, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (schema !== generated.schema) stale.push(SCHEMA_FILE);
  return stale;
}

export function writeChartDocs(): void {
  const generated = generateChartDocs();
  writeFileSync(README_FILE, generated.readme);
  writeFileSync(SCHEMA_FILE, generated.schema);
}
