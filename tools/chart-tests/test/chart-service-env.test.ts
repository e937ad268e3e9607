import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { findObject, type K8sObject, podSpecOf } from '../src/manifests.js';
import { REPO_ROOT } from '../src/repo-paths.js';
import { containerEnvSources, resolveEnv } from '../src/workload-env.js';
import { name, render } from './support/chart-render.js';

const SERVICES = [
  { dir: 'auth', deployment: name('auth'), config: 'dist/config.js' },
  { dir: 'user', deployment: name('user'), config: 'dist/config.js' },
  { dir: 'chat-socket', deployment: name('chat-socket'), config: 'dist/config.js' },
  { dir: 'persistence-worker', deployment: name('persistence-worker'), config: 'dist/config.js' },
  // Its server compiles to dist-server/ (the Vite bundle is dist/).
  { dir: 'web', deployment: name('web'), config: 'dist-server/config.js' },
  { dir: 'operator', deployment: name('operator'), config: 'dist/config.js' },
];

interface ServiceSchema {
  schema: z.ZodObject;
  required: string[];
  known: Set<string>;
}

/** The service's exported configSchema (from its build), with what it requires at start. */
async function loadServiceSchema(dir: string, config: string): Promise<ServiceSchema | undefined> {
  const serviceDir = join(REPO_ROOT, 'services', dir);
  if (!existsSync(serviceDir)) return undefined;
  const configFile = join(serviceDir, config);
  if (!existsSync(configFile)) throw new Error(`${configFile} is missing: run \`npm run build\` first`);
  const module = (await import(pathToFileURL(configFile).href)) as { configSchema?: z.ZodObject };
  if (!module.configSchema) throw new Error(`services/${dir}/${config} exports no configSchema`);
  const json = z.toJSONSchema(module.configSchema, { io: 'input', unrepresentable: 'any' }) as {
    required?: string[];
    properties?: Record<string, unknown>;
  };
  return { schema: module.configSchema, required: json.required ?? [], known: new Set(Object.keys(json.properties ?? {})) };
}

describe.each(SERVICES)('the environment of $dir', ({ dir, deployment, config }) => {
  let service: ServiceSchema | undefined;
  let objects: K8sObject[];

  beforeAll(async () => {
    service = await loadServiceSchema(dir, config);
    objects = render();
  });

  it('sets every variable the service requires at start (no default, not optional)', () => {
    if (!service) return;
    const sources = containerEnvSources(objects, findObject(objects, 'Deployment', deployment));
    expect(service.required.filter((variable) => !sources.has(variable))).toEqual([]);
  });

  it('sets no variable the service does not read', () => {
    if (!service) return;
    const sources = containerEnvSources(objects, findObject(objects, 'Deployment', deployment));
    const known = service.known;
    expect([...sources.keys()].filter((variable) => !known.has(variable))).toEqual([]);
  });

  it('gives values the service accepts', () => {
    if (!service) return;
    const env = resolveEnv(objects, containerEnvSources(objects, findObject(objects, 'Deployment', deployment)));
    const result = service.schema.safeParse(env);
    expect(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([]);
  });

  it('runs its migration Job, if it owns a schema, with an environment its config accepts', () => {
    if (!service) return;
    const job = objects.find((object) => object.kind === 'Job' && object.metadata.name === `${deployment}-migrate`);
    if (dir === 'persistence-worker' || dir === 'web' || dir === 'operator') {
      expect(job).toBeUndefined(); // no schema of its own (chat-socket migrates the shared chat schema; the operator has no database)
      return;
    }
    expect(job).toBeDefined();
    const container = podSpecOf(job as K8sObject)?.containers[0];
    expect(container?.command).toEqual(['node', `services/${dir}/dist/migrate.js`]);
    expect(existsSync(join(REPO_ROOT, 'services', dir, 'src', 'migrate.ts'))).toBe(true);
    const env = resolveEnv(objects, containerEnvSources(objects, job as K8sObject));
    expect(service.schema.safeParse(env).success).toBe(true);
  });
});
