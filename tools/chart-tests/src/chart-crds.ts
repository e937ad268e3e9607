import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './manifests.js';
import { CHART_DIR } from './repo-paths.js';

/**
 * The CustomResourceDefinitions in the chart's crds/ directory (Helm installs them before the
 * templates and never renders them), and validation of the chart's own custom objects against
 * them: their OpenAPI v3 schema (as the API server validates) and their structural fields (the
 * API server would silently prune anything the schema does not declare).
 */
export const CRDS_DIR = join(CHART_DIR, 'crds');

export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [keyword: string]: unknown;
}

export interface ChartCrd {
  file: string;
  object: K8sObject;
  /** `<group>/<version>` of each served version, with its kind and schema. */
  versions: { apiVersion: string; kind: string; schema: SchemaNode }[];
}

export function readChartCrds(): ChartCrd[] {
  const files = readdirSync(CRDS_DIR).filter((file) => file.endsWith('.yaml')).sort();
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(CRDS_DIR, file), 'utf8'))
      .map((document) => document.toJS() as K8sObject | null)
      .filter((object): object is K8sObject => object !== null)
      .map((object) => {
        const spec = object.spec as { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: SchemaNode } }[] };
        return {
          file,
          object,
          versions: spec.versions.map((version) => ({ apiVersion: `${spec.group}/${version.name}`, kind: spec.names.kind, schema: version.schema.openAPIV3Schema })),
        };
      }),
  );
}

const validators = new Map<string, ValidateFunction>();

function crdVersionOf(object: K8sObject) {
  return readChartCrds()
    .flatMap((crd) => crd.versions)
    .find((version) => version.apiVersion === object.apiVersion && version.kind === object.kind);
}

/** True when a chart CRD defines this object's apiVersion and kind. */
export const isChartCustomObject = (object: K8sObject) => crdVersionOf(object) !== undefined;

/** OpenAPI schema errors of a custom object whose CRD is in the chart. */
export function customObjectSchemaErrors(object: K8sObject): string[] {
  const version = crdVersionOf(object);
  if (!version) return [`no CRD in crds/ defines ${object.apiVersion} ${object.kind}`];
  const key = `${version.apiVersion}/${version.kind}`;
  let validate = validators.get(key);
  if (!validate) {
    // Kubernetes extensions (x-kubernetes-*) and formats are not JSON Schema keywords ajv knows.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    validate = ajv.compile(version.schema);
    validators.set(key, validate);
  }
  if (validate(object)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}

/** Paths of fields the CRD's structural schema does not declare (pruned by the API server). */
export function customObjectUnknownFields(object: K8sObject): string[] {
  const version = crdVersionOf(object);
  if (!version) return [`(no CRD for ${object.apiVersion} ${object.kind})`];
  const found: string[] = [];
  const walk = (value: unknown, schema: SchemaNode | undefined, path: string) => {
    if (!schema || value === null || typeof value !== 'object' || schema['x-kubernetes-preserve-unknown-fields']) return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, schema.items, `${path}[${index}]`));
      return;
    }
    if (path === 'metadata') return; // ObjectMeta, validated by the API server itself
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      const declared = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (!declared) found.push(childPath);
      else walk(child, declared, childPath);
    }
  };
  walk(object, version.schema, '');
  return found;
}
