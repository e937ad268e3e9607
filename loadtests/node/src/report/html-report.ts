import { escapeHtml } from './format.js';

export interface HtmlTable {
  title: string;
  headers: string[];
  rows: string[][];
}

export interface HtmlReport {
  title: string;
  /** Lines under the title: command, target, date. */
  facts: string[];
  /** A verdict line shown prominently (pass/fail). */
  verdict?: { ok: boolean; text: string };
  tables: HtmlTable[];
  /** Inline SVG charts. */
  charts: string[];
  /** The machine-readable summary, embedded for later comparison. */
  summary: unknown;
}

/** A single self-contained HTML file: inline CSS and SVG, no script, no CDN. */
export function renderHtmlReport(report: HtmlReport): string {
  const tables = report.tables
    .filter((table) => table.rows.length > 0)
    .map(
      (table) =>
        `<h2>${escapeHtml(table.title)}</h2><table><thead><tr>${table.headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead>` +
        `<tbody>${table.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table>`,
    )
    .join('\n');
  const verdict = report.verdict
    ? `<p class="verdict ${report.verdict.ok ? 'ok' : 'bad'}">${escapeHtml(report.verdict.text)}</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:8px 0 24px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;font-variant-numeric:tabular-nums}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}
.facts{color:#555}.verdict{font-weight:600;padding:8px 12px;border-radius:4px;display:inline-block}
.ok{background:#e8f5e9;color:#1b5e20}.bad{background:#ffebee;color:#b71c1c}
.charts svg{display:block;margin:12px 0}pre{background:#f6f6f6;padding:12px;overflow:auto;font-size:12px}
</style></head><body>
<h1>${escapeHtml(report.title)}</h1>
<div class="facts">${report.facts.map((fact) => `<div>${escapeHtml(fact)}</div>`).join('')}</div>
${verdict}
${tables}
<div class="charts">${report.charts.join('\n')}</div>
<h2>Summary (JSON)</h2><pre id="summary-json">${escapeHtml(JSON.stringify(report.summary, null, 2))}</pre>
</body></html>
`;
}
