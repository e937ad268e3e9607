import type { KubeObject } from '../kube-objects.js';

/** What a request asks to do, in RBAC's terms. */
export interface RequestAttributes {
  user: string;
  groups: string[];
  verb: string;
  apiGroup: string;
  /** `secrets`, or `chatplatforms/status` for a subresource. */
  resource: string;
  namespace?: string;
  name?: string;
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

const includes = (list: string[] | undefined, value: string) => (list ?? []).includes('*') || (list ?? []).includes(value);

function ruleAllows(rule: PolicyRule, request: RequestAttributes): boolean {
  if (!includes(rule.verbs, request.verb) || !includes(rule.apiGroups, request.apiGroup) || !includes(rule.resources, request.resource)) return false;
  if (!rule.resourceNames || rule.resourceNames.length === 0) return true;
  // A rule limited to names never covers create, list or watch of a whole collection.
  return request.name !== undefined && rule.resourceNames.includes(request.name);
}

function subjectMatches(subject: Subject, request: RequestAttributes, bindingNamespace: string | undefined): boolean {
  if (subject.kind === 'ServiceAccount') return request.user === `system:serviceaccount:${subject.namespace ?? bindingNamespace}:${subject.name}`;
  if (subject.kind === 'User') return request.user === subject.name;
  if (subject.kind === 'Group') return request.groups.includes(subject.name);
  return false;
}

/**
 * Kubernetes RBAC over the release's Roles, ClusterRoles and their bindings: a request is
 * allowed only when a binding that names its user (or group) grants a matching rule. A
 * RoleBinding grants only in its own namespace, even when it refers to a ClusterRole.
 */
export class Rbac {
  constructor(private readonly objects: () => KubeObject[]) {}

  allows(request: RequestAttributes): boolean {
    if (request.groups.includes('system:masters')) return true;
    const objects = this.objects();
    const role = (kind: string, name: string, namespace?: string) =>
      objects.find((object) => object.kind === kind && object.metadata.name === name && (kind === 'ClusterRole' || object.metadata.namespace === namespace));
    for (const binding of objects) {
      if (binding.kind !== 'RoleBinding' && binding.kind !== 'ClusterRoleBinding') continue;
      const namespace = binding.metadata.namespace;
      if (binding.kind === 'RoleBinding' && request.namespace !== namespace) continue;
      const subjects = (binding.subjects as Subject[] | undefined) ?? [];
      if (!subjects.some((subject) => subjectMatches(subject, request, namespace))) continue;
      const ref = binding.roleRef as { kind: string; name: string };
      const granted = role(ref.kind, ref.name, namespace);
      const rules = (granted?.rules as PolicyRule[] | undefined) ?? [];
      if (rules.some((rule) => ruleAllows(rule, request))) return true;
    }
    return false;
  }
}
