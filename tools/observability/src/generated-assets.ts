import { dashboardFiles } from './dashboards/all-dashboards.js';
import { ruleFiles } from './rules/rule-files.js';

/** Every generated file, by path relative to the repository root. */
export function generatedAssets(): Record<string, string> {
  const assets: Record<string, string> = {};
  for (const [file, content] of Object.entries(dashboardFiles())) assets[`observability/grafana/dashboards/${file}`] = content;
  for (const [file, content] of Object.entries(ruleFiles())) assets[`observability/prometheus/rules/${file}`] = content;
  return assets;
}
