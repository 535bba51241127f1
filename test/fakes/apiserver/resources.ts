/** The API resources the fake serves, as discovery describes them. */
export interface ResourceType {
  group: string; // '' for core
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** `kubectl get all` lists the resources in the `all` category. */
  categories?: string[];
  /** A review (SelfSubjectAccessReview): create only, answered from the deny rules, never stored. */
  review?: true;
}

const storedVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

export function verbsOf(type: ResourceType): readonly string[] {
  return type.review ? ['create'] : storedVerbs;
}

export const resourceTypes: readonly ResourceType[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
  },
  {
    group: '',
    version: 'v1',
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
  },
  { group: '', version: 'v1', plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, shortNames: [] },
  {
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
  },
  { group: '', version: 'v1', plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'] },
  {
    group: '',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
  },
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    shortNames: [],
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'mutatingwebhookconfigurations',
    singular: 'mutatingwebhookconfiguration',
    kind: 'MutatingWebhookConfiguration',
    namespaced: false,
    shortNames: [],
  },
  ...(
    [
      ['clusterroles', 'ClusterRole', false],
      ['clusterrolebindings', 'ClusterRoleBinding', false],
      ['roles', 'Role', true],
      ['rolebindings', 'RoleBinding', true],
    ] as const
  ).map(([plural, kind, namespaced]) => ({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural,
    singular: plural.slice(0, -1),
    kind,
    namespaced,
    shortNames: [],
  })),
  {
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    plural: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    shortNames: [],
    review: true,
  },
];

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.version === version && t.plural === plural);
}

/** For `seed`, which receives manifests rather than URLs. */
export function resourceForObject(apiVersion: unknown, kind: unknown): ResourceType | undefined {
  return resourceTypes.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

/** For the assertion helpers, which name resources the way kubectl users do. */
export function resourceByName(name: string): ResourceType | undefined {
  return resourceTypes.find(
    (t) => t.plural === name || t.singular === name || t.shortNames.includes(name) || t.kind === name,
  );
}
