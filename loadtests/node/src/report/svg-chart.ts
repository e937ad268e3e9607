import { escapeHtml } from './format.js';

export interface ChartSeries {
  name: string;
  color: string;
  /** [x, y] points; NaN y values leave a gap. */
  points: Array<[number, number]>;
}

export interface LineChartSettings {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Draws a dashed horizontal line (a target), when given. */
  threshold?: { value: number; label: string };
  width?: number;
  height?: number;
}

/** A self-contained SVG line chart (no script, no external resource). */
export function lineChart(settings: LineChartSettings): string {
  const width = settings.width ?? 760;
  const height = settings.height ?? 300;
  const margin = { left: 64, right: 16, top: 36, bottom: 44 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const all = settings.series.flatMap((series) => series.points).filter(([, y]) => Number.isFinite(y));
  const xMax = niceCeiling(Math.max(1, ...all.map(([x]) => x)));
  const yTop = niceCeiling(Math.max(1e-9, ...all.map(([, y]) => y), settings.threshold?.value ?? 0));
  const x = (value: number) => margin.left + (value / xMax) * plotWidth;
  const y = (value: number) => margin.top + plotHeight - (value / yTop) * plotHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(settings.title)}">`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${escapeHtml(settings.title)}</text>`,
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="#fafafa" stroke="#ccc"/>`,
  ];
  for (let tick = 0; tick <= 4; tick += 1) {
    const value = (yTop * tick) / 4;
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y(value)}" y2="${y(value)}" stroke="#e4e4e4"/>`,
      `<text x="${margin.left - 6}" y="${y(value) + 4}" text-anchor="end" font-size="11">${formatTick(value)}</text>`,
    );
  }
  for (let tick = 0; tick <= 5; tick += 1) {
    const value = (xMax * tick) / 5;
    parts.push(`<text x="${x(value)}" y="${margin.top + plotHeight + 16}" text-anchor="middle" font-size="11">${formatTick(value)}</text>`);
  }
  parts.push(
    `<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" font-size="12">${escapeHtml(settings.xLabel)}</text>`,
    `<text transform="translate(14 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeHtml(settings.yLabel)}</text>`,
  );
  if (settings.threshold) {
    const ty = y(settings.threshold.value);
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${ty}" y2="${ty}" stroke="#c62828" stroke-dasharray="6 4"/>`,
      `<text x="${margin.left + plotWidth - 4}" y="${ty - 4}" text-anchor="end" font-size="11" fill="#c62828">${escapeHtml(settings.threshold.label)}</text>`,
    );
  }
  settings.series.forEach((series, index) => {
    parts.push(`<path class="series" data-series="${escapeHtml(series.name)}" d="${pathOf(series.points, x, y)}" fill="none" stroke="${series.color}" stroke-width="2"/>`);
    const legendX = margin.left + 8 + index * 170;
    parts.push(
      `<rect x="${legendX}" y="${margin.top + 6}" width="12" height="4" fill="${series.color}"/>`,
      `<text x="${legendX + 16}" y="${margin.top + 12}" font-size="11">${escapeHtml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

function pathOf(points: Array<[number, number]>, x: (v: number) => number, y: (v: number) => number): string {
  let d = '';
  let drawing = false;
  for (const [px, py] of points) {
    if (!Number.isFinite(py)) {
      drawing = false;
      continue;
    }
    d += `${drawing ? 'L' : 'M'}${x(px).toFixed(1)} ${y(py).toFixed(1)} `;
    drawing = true;
  }
  return d.trim() || 'M0 0';
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function formatTick(value: number): string {
  if (value >= 1000) return `${Math.round(value / 100) / 10}k`;
  if (value >= 10 || value === 0) return Math.round(value).toString();
  return value.toFixed(1);
}
