import { join } from 'node:path';
import { expect } from 'vitest';
import { helmTemplate, type RenderOptions } from '../../src/helm.js';
import { type K8sObject, parseManifests } from '../../src/manifests.js';
import { CHART_CI_DIR } from '../../src/repo-paths.js';

/** What the chart-wiring tests render: the chart as release `parley`. */
export const RELEASE = 'parley';
export const name = (component: string) => `${RELEASE}-${component}`;

export function render(options: RenderOptions = {}): K8sObject[] {
  const result = helmTemplate({ releaseName: RELEASE, ...options });
  if (!result.ok) throw new Error(`helm template failed: ${result.stderr}`);
  return parseManifests(result.stdout);
}

/** The error of a render that must fail (fail-fast value validation, the values schema). */
export function renderError(options: RenderOptions): string {
  const result = helmTemplate({ releaseName: RELEASE, ...options });
  expect(result.ok, 'helm template should have failed').toBe(false);
  return result.stderr;
}

export const ciFile = (file: string) => join(CHART_CI_DIR, file);
