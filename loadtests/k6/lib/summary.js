// handleSummary for every scenario: the full k6 summary as JSON (results/<scenario>.json, or
// SUMMARY_DIR), plus a short text verdict on stdout listing each threshold.

/** Trend statistics k6 keeps for the summary (p(99) is not in k6's default list). */
export const summaryTrendStats = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

function metricCount(data, name) {
  const metric = data.metrics[name];
  return metric ? metric.values.count || 0 : 0;
}

/** Derived numbers of the chat scenarios: received must equal acknowledged × (room size − 1). */
export function deliveryTotals(data) {
  const expected = metricCount(data, 'chat_deliveries_expected');
  const received = metricCount(data, 'chat_deliveries_received');
  return {
    sent: metricCount(data, 'chat_messages_sent'),
    acknowledged: metricCount(data, 'chat_messages_acknowledged'),
    expectedDeliveries: expected,
    received,
    missingOverall: Math.max(0, expected - received),
    lost: metricCount(data, 'chat_deliveries_lost'),
    duplicated: metricCount(data, 'chat_deliveries_duplicated'),
    misdelivered: metricCount(data, 'chat_deliveries_misdelivered'),
  };
}

function formatValue(metric, key) {
  const value = metric.values[key];
  if (value === undefined) return '';
  const text = metric.contains === 'time' ? `${value.toFixed(1)}ms` : Number.isInteger(value) ? String(value) : value.toFixed(4);
  return `${key}=${text}`;
}

export function textVerdict(name, data, extra) {
  const lines = [`\n${name}: thresholds`];
  let failed = 0;
  for (const metricName of Object.keys(data.metrics).sort()) {
    const metric = data.metrics[metricName];
    if (!metric.thresholds) continue;
    for (const expression of Object.keys(metric.thresholds)) {
      const ok = metric.thresholds[expression].ok;
      if (!ok) failed += 1;
      const shown = Object.keys(metric.values).map((key) => formatValue(metric, key)).filter(Boolean).join(' ');
      lines.push(`  ${ok ? '✓' : '✗'} ${metricName} ${expression}   (${shown})`);
    }
  }
  if (extra) lines.push(`  ${JSON.stringify(extra)}`);
  lines.push(failed === 0 ? '  all thresholds passed' : `  ${failed} threshold(s) FAILED`);
  return `${lines.join('\n')}\n`;
}

/** Builds a scenario's handleSummary; `derive(data)` adds scenario-specific totals to the JSON. */
export function summaryHandler(name, derive) {
  return function handleSummary(data) {
    const extra = derive ? derive(data) : undefined;
    const dir = (__ENV.SUMMARY_DIR || 'results').replace(/\/+$/, '');
    return {
      stdout: textVerdict(name, data, extra),
      [`${dir}/${name}.json`]: JSON.stringify({ scenario: name, ...(extra ? { totals: extra } : {}), summary: data }, null, 2),
    };
  };
}
