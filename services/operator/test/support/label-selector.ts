/**
 * Equality- and existence-based label selectors (`a=b`, `a==b`, `a!=b`, `a`, `!a`, and
 * `a in (x,y)` / `a notin (x,y)`), as the API server matches them. Part of the fake API server.
 */
export type LabelRequirement = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(selector: string | null | undefined): LabelRequirement {
  if (!selector) return () => true;
  const requirements: LabelRequirement[] = [];
  // Split on commas outside parentheses.
  const parts = selector.match(/(?:[^,(]|\([^)]*\))+/g) ?? [];
  for (const raw of parts.map((part) => part.trim()).filter(Boolean)) {
    let match: RegExpExecArray | null;
    if ((match = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(raw))) {
      const [, key = '', op, list = ''] = match;
      const values = new Set(list.split(',').map((value) => value.trim()));
      requirements.push(op === 'in' ? (labels) => values.has(labels[key] ?? '\0') : (labels) => !values.has(labels[key] ?? '\0'));
    } else if ((match = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(raw))) {
      const [, key = '', value = ''] = match;
      requirements.push((labels) => labels[key] !== value);
    } else if ((match = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(raw))) {
      const [, key = '', value = ''] = match;
      requirements.push((labels) => labels[key] === value);
    } else if ((match = /^!([^\s!=]+)$/.exec(raw))) {
      const key = match[1] ?? '';
      requirements.push((labels) => !(key in labels));
    } else if (/^[^\s!=]+$/.test(raw)) {
      requirements.push((labels) => raw in labels);
    } else {
      throw new Error(`unable to parse requirement: ${raw}`);
    }
  }
  return (labels) => requirements.every((requirement) => requirement(labels));
}
