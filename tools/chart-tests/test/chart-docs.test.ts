import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { paramProblems, readChartValues, renderParametersTable, TABLE_BEGIN, TABLE_END } from '../src/chart-params.js';
import { generateChartDocs, README_FILE, SCHEMA_FILE } from '../src/chart-docs.js';

describe('values.yaml documentation', () => {
  it('documents every value with a ## @param line, and only values that exist', () => {
    expect(paramProblems(readChartValues())).toEqual([]);
  });

  it('reports an undocumented value, a @param for nothing, and a duplicate', () => {
    const chart = readChartValues(
      ['## @section S', 'a:', '  ## @param a.b documented', '  b: 1', '  c: two', '## @param a.zz nothing here', '## @param a.b again', ''].join('\n'),
    );
    expect(paramProblems(chart)).toEqual(['@param a.zz names no value in values.yaml', '@param a.b appears twice', 'values.yaml a.c has no @param line']);
  });

  it('keeps the README parameters table equal to the one generated from values.yaml', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    const table = readme.slice(readme.indexOf(TABLE_BEGIN) + TABLE_BEGIN.length, readme.indexOf(TABLE_END)).trim();
    expect(table).toBe(renderParametersTable(readChartValues()));
    expect(readme).toBe(generateChartDocs().readme);
  });

  it('lists every @param in the README with its default', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    for (const param of readChartValues().params) expect(readme).toContain(`| \`${param.path}\` |`);
    expect(readme).toContain('| `evaluation.enabled` | ');
    expect(readme).toContain('| `true` |');
  });

  it('keeps values.schema.json equal to the one generated from values.yaml', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(generateChartDocs().schema);
  });

  it('closes every object of values.schema.json that the chart defines', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    const open: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      const properties = node.properties as Record<string, Record<string, unknown>> | undefined;
      if (!properties) return;
      if (node.additionalProperties !== false) open.push(path || '(root)');
      for (const [key, child] of Object.entries(properties)) walk(child, path ? `${path}.${key}` : key);
    };
    walk(schema, '');
    expect(open).toEqual([]);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });
});
