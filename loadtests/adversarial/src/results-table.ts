import type { CaseResult } from './case-result.js';

const pad = (value: string, width: number, right = false) => (right ? value.padStart(width) : value.padEnd(width));

/** The run as a table: tried / accepted / lost / time to recover per case, then each case's problems. */
export function formatResultsTable(results: CaseResult[]): string {
  const rows = results.map((result) => [
    result.name,
    `${result.tried} ${result.unit}`,
    String(result.accepted),
    String(result.lost),
    result.recoverMs === undefined ? '-' : `${(result.recoverMs / 1000).toFixed(2)} s`,
    result.ok ? 'ok' : 'FAIL',
  ]);
  const header = ['case', 'tried', 'accepted', 'lost', 'recovered in', ''];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => pad(cell, widths[column]!, column >= 2 && column <= 4)).join('  ');
  const out = [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line), ''];
  for (const result of results) {
    const figures = Object.entries(result.figures).map(([name, value]) => `${name} ${value}`).join(', ');
    out.push(`${result.name}: ${figures}`);
    for (const problem of result.problems) out.push(`  FAIL: ${problem}`);
  }
  const failed = results.filter((result) => !result.ok);
  out.push('', failed.length === 0 ? 'PASS' : `FAIL: ${failed.map((result) => result.name).join(', ')}`);
  return out.join('\n');
}
