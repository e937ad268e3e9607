/**
 * Structural-schema defaulting, as the API server applies a CRD's `default`s to custom objects:
 * a missing property with a default gets it, then defaulting continues inside it. Part of the
 * fake API server (which loads the chart's real CRD).
 */
export interface StructuralSchema {
  type?: string;
  default?: unknown;
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
}

export function applySchemaDefaults(value: unknown, schema: StructuralSchema): unknown {
  if (Array.isArray(value)) {
    return schema.items ? value.map((item) => applySchemaDefaults(item, schema.items as StructuralSchema)) : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const result: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (result[key] === undefined && property.default !== undefined) result[key] = structuredClone(property.default);
    if (result[key] !== undefined) result[key] = applySchemaDefaults(result[key], property);
  }
  if (typeof schema.additionalProperties === 'object') {
    for (const key of Object.keys(result)) {
      if (!(key in (schema.properties ?? {}))) result[key] = applySchemaDefaults(result[key], schema.additionalProperties);
    }
  }
  return result;
}
