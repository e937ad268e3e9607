import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Where a scenario writes: lines to stdout (the summary; the JSON line last) and report files. */
export interface ScenarioOutput {
  line(text: string): void;
  /** Progress and setup messages (stderr). */
  status(text: string): void;
  reportDir: string;
}

export const consoleOutput = (reportDir: string): ScenarioOutput => ({
  line: (text) => process.stdout.write(`${text}\n`),
  status: (text) => process.stderr.write(`${text}\n`),
  reportDir,
});

/** Writes `<dir>/<name>-<timestamp>.html` and `.json`; returns the HTML path. */
export async function writeReport(dir: string, name: string, html: string, summary: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const base = resolve(join(dir, `${name}-${stamp}`));
  await writeFile(`${base}.html`, html);
  await writeFile(`${base}.json`, `${JSON.stringify(summary, null, 2)}\n`);
  return `${base}.html`;
}

/** JSON has no NaN: turn missing measurements into null and round the rest. */
export function jsonNumber(value: number, digits = 1): number | null {
  if (!Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
