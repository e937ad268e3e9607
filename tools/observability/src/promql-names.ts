import { parser } from '@prometheus-io/lezer-promql';

export interface ParsedExpression {
  /** Metric names selected by the expression (series selectors only: no functions, labels or keywords). */
  metrics: string[];
  /** Syntax errors (positions in the expression), empty when it parses. */
  errors: string[];
}

/** Grafana's interval variables, replaced by a duration so the expression parses as PromQL. */
const GRAFANA_INTERVALS = /\$__(rate_interval|interval|range)\b/g;

/**
 * Parses a PromQL expression with Prometheus' own grammar (@prometheus-io/lezer-promql, the
 * parser of the Prometheus UI) and returns the metric names its selectors use. Dashboard
 * expressions may contain Grafana variables: interval variables become `5m`; `$var` inside
 * label values is left alone (it is just a string there).
 */
export function parsePromQL(expression: string): ParsedExpression {
  const source = expression.replace(GRAFANA_INTERVALS, '5m');
  const tree = parser.parse(source);
  const metrics = new Set<string>();
  const errors: string[] = [];
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) errors.push(`syntax error at ${cursor.from}: ${JSON.stringify(source.slice(Math.max(0, cursor.from - 20), cursor.to + 20))}`);
    if (cursor.name === 'VectorSelector') {
      const selector = cursor.node;
      const identifier = selector.getChild('Identifier');
      if (identifier) metrics.add(source.slice(identifier.from, identifier.to));
    }
  } while (cursor.next());
  return { metrics: [...metrics].sort(), errors };
}

/** `label_values(<selector>, <label>)` of a Grafana variable query → the selector's metric names. */
export function parseLabelValuesQuery(query: string): ParsedExpression {
  const match = /^label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$/.exec(query.trim());
  if (!match) return { metrics: [], errors: [`not a label_values(metric, label) query: ${query}`] };
  return parsePromQL(match[1]!);
}
