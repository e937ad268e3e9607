/** The shapes the rule sources author; rule-files.ts renders them. */

/**
 * Alerts, authored without runbook links: rule-files.ts adds `runbook_url` to every one in a
 * single place (docs/runbooks/<alert-name-in-kebab-case>.md), and a test checks each link's file
 * exists. `critical` pages (users notice soon); `warning` goes to the team's channel.
 */
export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  severity: 'critical' | 'warning';
  summary: string;
  description: string;
}

/**
 * Recording rules: the heavy queries dashboards and alerts share, evaluated once per interval
 * (histogram quantiles over rates, per-namespace sums). Naming follows Prometheus'
 * `level:metric:operations` convention.
 */
export interface RecordingRule {
  record: string;
  expr: string;
}
