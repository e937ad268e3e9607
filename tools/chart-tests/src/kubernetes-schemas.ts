import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { customObjectSchemaErrors, customObjectUnknownFields, isChartCustomObject } from './chart-crds.js';
import type { K8sObject } from './manifests.js';
import { REPO_ROOT } from './repo-paths.js';

/**
 * Schema validation of rendered objects with the published OpenAPI-generated models:
 * `kubernetes-models` (core API), `@kubernetes-models/prometheus-operator` (ServiceMonitor,
 * PrometheusRule) and `@kubernetes-models/keda` (ScaledObject, TriggerAuthentication). Their
 * validate() checks types, required fields and enums; since the Kubernetes OpenAPI schemas do
 * not forbid unknown fields (the API server drops them), a second check walks every field
 * against the same packages' TypeScript declarations and reports fields no schema defines.
 */
interface ModelEntry {
  /** Module specifier of the model class. */
  module: string;
  /** Exported class name (also the interface name with an `I` prefix). */
  className: string;
}

const MODELS: Record<string, ModelEntry> = {};
const register = (apiVersion: string, kind: string, module: string) => {
  MODELS[`${apiVersion}/${kind}`] = { module, className: kind };
};
register('v1', 'ConfigMap', 'kubernetes-models/v1/ConfigMap');
register('v1', 'Secret', 'kubernetes-models/v1/Secret');
register('v1', 'Service', 'kubernetes-models/v1/Service');
register('v1', 'ServiceAccount', 'kubernetes-models/v1/ServiceAccount');
register('v1', 'Pod', 'kubernetes-models/v1/Pod');
register('apps/v1', 'Deployment', 'kubernetes-models/apps/v1/Deployment');
register('apps/v1', 'StatefulSet', 'kubernetes-models/apps/v1/StatefulSet');
register('batch/v1', 'Job', 'kubernetes-models/batch/v1/Job');
register('autoscaling/v2', 'HorizontalPodAutoscaler', 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler');
register('policy/v1', 'PodDisruptionBudget', 'kubernetes-models/policy/v1/PodDisruptionBudget');
register('networking.k8s.io/v1', 'Ingress', 'kubernetes-models/networking.k8s.io/v1/Ingress');
register('networking.k8s.io/v1', 'NetworkPolicy', 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy');
register('rbac.authorization.k8s.io/v1', 'Role', 'kubernetes-models/rbac.authorization.k8s.io/v1/Role');
register('rbac.authorization.k8s.io/v1', 'RoleBinding', 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding');
register('rbac.authorization.k8s.io/v1', 'ClusterRole', 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole');
register('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding');
register('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition');
register('monitoring.coreos.com/v1', 'ServiceMonitor', '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor');
register('monitoring.coreos.com/v1', 'PrometheusRule', '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule');
register('keda.sh/v1alpha1', 'ScaledObject', '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject');
register('keda.sh/v1alpha1', 'TriggerAuthentication', '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication');

export const KNOWN_KINDS = Object.keys(MODELS);

interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: unknown) => ValidatingModel;

const classCache = new Map<string, ModelClass>();

async function modelClass(entry: ModelEntry): Promise<ModelClass> {
  const cached = classCache.get(entry.module);
  if (cached) return cached;
  const module = (await import(entry.module)) as Record<string, unknown>;
  const model = module[entry.className];
  if (typeof model !== 'function') throw new Error(`${entry.module} exports no ${entry.className}`);
  classCache.set(entry.module, model as ModelClass);
  return model as ModelClass;
}

/**
 * Schema errors of one object (empty when valid); an unregistered apiVersion/kind is an error.
 * Objects of the chart's own CRDs (crds/) are validated against those CRDs' schemas.
 */
export async function schemaErrors(object: K8sObject): Promise<string[]> {
  if (isChartCustomObject(object)) return customObjectSchemaErrors(object);
  const entry = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!entry) return [`no schema registered for ${object.apiVersion} ${object.kind}`];
  const Model = await modelClass(entry);
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

// ---- unknown fields, from the models' TypeScript declarations ----

const VIRTUAL_FILE = join(REPO_ROOT, 'tools', 'chart-tests', '__kubernetes_models_index__.ts');

export interface FieldChecker {
  /** Paths of fields the object's schema does not define, e.g. `spec.template.spec.containers[0].imagee`. */
  unknownFields(object: K8sObject): string[];
}

let checker: FieldChecker | undefined;

/** Builds (once) a field checker over the declarations of every registered model. */
export function fieldChecker(): FieldChecker {
  checker ??= buildFieldChecker();
  return checker;
}

function buildFieldChecker(): FieldChecker {
  const aliases = Object.entries(MODELS).map(([key, entry], index) => ({ key, alias: `T${index}`, entry }));
  const source =
    aliases.map(({ alias, entry }) => `import type { I${entry.className} as ${alias}I } from '${entry.module}';`).join('\n') +
    '\n' +
    aliases.map(({ alias }) => `export type ${alias} = ${alias}I;`).join('\n') +
    '\n';
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => (file === VIRTUAL_FILE ? source : readFile(file));
  host.fileExists = (file) => file === VIRTUAL_FILE || fileExists(file);
  host.getSourceFile = (file, language, onError, create) =>
    file === VIRTUAL_FILE ? ts.createSourceFile(file, source, language, true) : getSourceFile(file, language, onError, create);
  // The models are ESM packages: resolve them from the chart-tests package (type: module).
  const program = ts.createProgram({ rootNames: [VIRTUAL_FILE], options, host });
  const typeChecker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(VIRTUAL_FILE);
  if (!sourceFile) throw new Error('the model index did not load');
  const problems = ts.getPreEmitDiagnostics(program, sourceFile);
  if (problems.length > 0) {
    throw new Error(`cannot load the model declarations: ${ts.flattenDiagnosticMessageText(problems[0]?.messageText ?? '', '\n')}`);
  }

  const rootTypes = new Map<string, ts.Type>();
  for (const statement of sourceFile.statements) {
    if (!ts.isTypeAliasDeclaration(statement)) continue;
    const alias = aliases.find((candidate) => candidate.alias === statement.name.text);
    if (alias) rootTypes.set(alias.key, typeChecker.getTypeAtLocation(statement.name));
  }

  const withoutNullish = (type: ts.Type): ts.Type[] =>
    (type.isUnion() ? type.types : [type]).filter(
      (member) => !(member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)),
    );

  const isOpen = (type: ts.Type) => (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;

  const walk = (value: unknown, type: ts.Type, path: string, found: string[]): void => {
    if (value === null || typeof value !== 'object') return; // scalars: validate() checks types
    const candidates = withoutNullish(type);
    if (candidates.length === 0 || candidates.some(isOpen)) return;
    if (Array.isArray(value)) {
      const arrayType = candidates.find((candidate) => typeChecker.isArrayType(candidate));
      if (!arrayType) return;
      const element = typeChecker.getTypeArguments(arrayType as ts.TypeReference)[0];
      if (!element) return;
      value.forEach((item, index) => walk(item, element, `${path}[${index}]`, found));
      return;
    }
    const objectTypes = candidates.filter((candidate) => (candidate.flags & ts.TypeFlags.Object) !== 0 && !typeChecker.isArrayType(candidate));
    if (objectTypes.length === 0) return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      let matched = false;
      for (const objectType of objectTypes) {
        const property = objectType.getProperty(key);
        if (property) {
          matched = true;
          walk(child, typeChecker.getTypeOfSymbol(property), childPath, found);
          break;
        }
        const index = typeChecker.getIndexInfoOfType(objectType, ts.IndexKind.String);
        if (index) {
          matched = true;
          walk(child, index.type, childPath, found);
          break;
        }
      }
      if (!matched) found.push(childPath);
    }
  };

  return {
    unknownFields(object) {
      if (isChartCustomObject(object)) return customObjectUnknownFields(object);
      const type = rootTypes.get(`${object.apiVersion}/${object.kind}`);
      if (!type) return [`(no declarations for ${object.apiVersion} ${object.kind})`];
      const found: string[] = [];
      walk(object, type, '', found);
      return found;
    },
  };
}

/** Resolves a model module from this workspace (used to assert the packages are installed). */
export function resolveModel(specifier: string): string {
  return createRequire(join(REPO_ROOT, 'tools', 'chart-tests', 'package.json')).resolve(specifier);
}
