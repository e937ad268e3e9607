import { describe, expect, it } from 'vitest';
import { fieldChecker, KNOWN_KINDS, schemaErrors } from '../src/kubernetes-schemas.js';
import { findObject, type K8sObject } from '../src/manifests.js';
import { name, render, ciFile } from './support/chart-render.js';

/**
 * The schema check the chart tests rely on must be able to fail: each mutation below of a
 * rendered object is something the API server (or KEDA's admission) would reject, and the
 * validators must say so. kubernetes-models' validate() runs compiled JSON-schema validators of
 * the OpenAPI definitions (types, required fields, enums); unknown fields come from the models'
 * declarations, since the OpenAPI schemas leave objects open.
 */
const clone = <T>(value: T): T => structuredClone(value);
type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test mutations reach into nested fields

describe('the Kubernetes schema validation of rendered objects', () => {
  const objects = render({ valuesFiles: [ciFile('platform-features-values.yaml')], set: { 'chatSocket.autoscaling.sockets.provider': 'keda' } });
  const deployment = findObject(objects, 'Deployment', name('auth'));
  const policy = findObject(objects, 'NetworkPolicy', name('auth'));
  const scaledObject = findObject(objects, 'ScaledObject', name('chat-socket'));

  it('accepts the objects as rendered', async () => {
    for (const object of [deployment, policy, scaledObject]) expect(await schemaErrors(object)).toEqual([]);
  });

  it.each<[string, K8sObject, (object: Mutable) => void, RegExp]>([
    ['a string where an integer belongs', deployment, (object) => (object.spec.revisionHistoryLimit = 'five'), /revisionHistoryLimit/],
    ['a container without a name', deployment, (object) => delete object.spec.template.spec.containers[0].name, /name/],
    ['a Deployment without a selector', deployment, (object) => delete object.spec.selector, /selector/],
    ['a NetworkPolicy rule port that is an object', policy, (object) => (object.spec.egress[0].ports[0].port = { number: 53 }), /port/],
    ['a KEDA trigger without a type', scaledObject, (object) => delete object.spec.triggers[0].type, /type/],
  ])('rejects %s', async (_label, original, mutate, expected) => {
    const object = clone(original) as Mutable;
    mutate(object);
    const errors = await schemaErrors(object as K8sObject);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(expected);
  });

  it('reports fields no schema defines (a typo the API server would silently drop)', () => {
    const object = clone(deployment) as Mutable;
    object.spec.template.spec.containers[0].imagee = 'parley/auth:0.1.0';
    object.spec.strategy.rollingUpdat = {};
    const policyTypo = clone(policy) as Mutable;
    policyTypo.spec.egress[0].too = [];
    expect(fieldChecker().unknownFields(object as K8sObject).sort()).toEqual(['spec.strategy.rollingUpdat', 'spec.template.spec.containers[0].imagee']);
    expect(fieldChecker().unknownFields(policyTypo as K8sObject)).toEqual(['spec.egress[0].too']);
  });

  it('refuses a kind it has no schema for, rather than passing it', async () => {
    expect(KNOWN_KINDS).toContain('networking.k8s.io/v1/NetworkPolicy');
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } } as K8sObject;
    expect(await schemaErrors(unknown)).toEqual(['no schema registered for example.com/v1 Widget']);
  });
});
