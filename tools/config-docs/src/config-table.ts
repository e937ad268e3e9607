import { z } from 'zod';

export interface ConfigSource {
  /** Who reads these variables: a service or the launcher. */
  component: string;
  schema: z.ZodObject;
}

interface VariableRow {
  name: string;
  components: string[];
  required: boolean;
  defaultValue: string;
  description: string;
}

/** One row per variable, merging components that share it (the first description wins). */
export function configRows(sources: ConfigSource[]): VariableRow[] {
  const rows = new Map<string, VariableRow>();
  for (const source of sources) {
    const json = z.toJSONSchema(source.schema, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, { default?: unknown; description?: string }>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const existing = rows.get(name);
      if (existing) {
        existing.components.push(source.component);
        continue;
      }
      rows.set(name, {
        name,
        components: [source.component],
        required: (json.required ?? []).includes(name) && property.default === undefined,
        defaultValue: property.default === undefined ? '' : formatDefault(property.default),
        description: property.description ?? '',
      });
    }
  }
  return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function renderConfigTable(sources: ConfigSource[]): string {
  const lines = [
    '| Variable | Used by | Default | Description |',
    '| --- | --- | --- | --- |',
    ...configRows(sources).map(
      (row) =>
        `| \`${row.name}\` | ${row.components.join(', ')} | ${row.required ? '**required**' : row.defaultValue ? `\`${row.defaultValue}\`` : '—'} | ${escapeCell(row.description)} |`,
    ),
  ];
  return lines.join('\n');
}

function formatDefault(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
