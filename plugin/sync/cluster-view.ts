// What a pass needs to know of the cluster, from informer caches (the
// controller) or one list each (`--once`): namespaces, ServiceAccounts and the
// sync's own pull Secrets.
import type { KubeClient, KubeObject } from '../kube-client.js';
import type { ServiceAccountObject } from './cluster-writes.js';
import { PULL_SECRET_SELECTOR } from './pull-secret.js';
import type { ClusterView } from './sync-plan.js';

export const WATCHED = {
  namespaces: '/api/v1/namespaces',
  serviceAccounts: '/api/v1/serviceaccounts',
  pullSecrets: '/api/v1/secrets',
  configMaps: '/api/v1/namespaces/kube-system/configmaps',
} as const;

export interface ClusterObjects {
  namespaces: readonly KubeObject[];
  serviceAccounts: readonly ServiceAccountObject[];
  pullSecrets: readonly (KubeObject & { data?: Record<string, string> })[];
}

const phase = (namespace: KubeObject) => (namespace.status as { phase?: string } | undefined)?.phase;

export function clusterView(objects: ClusterObjects): ClusterView {
  return {
    // A terminating namespace refuses new objects: nothing is written there.
    namespaces: objects.namespaces.filter((n) => phase(n) !== 'Terminating').map((n) => n.metadata.name ?? ''),
    serviceAccounts: objects.serviceAccounts.map((sa) => ({
      namespace: sa.metadata.namespace ?? '',
      name: sa.metadata.name ?? '',
      resourceVersion: sa.metadata.resourceVersion ?? '',
      imagePullSecrets: sa.imagePullSecrets ?? [],
    })),
    pullSecrets: objects.pullSecrets.map((secret) => ({
      namespace: secret.metadata.namespace ?? '',
      name: secret.metadata.name ?? '',
      resourceVersion: secret.metadata.resourceVersion ?? '',
      data: secret.data ?? {},
      annotations: secret.metadata.annotations ?? {},
    })),
  };
}

export async function listClusterObjects(client: KubeClient): Promise<ClusterObjects> {
  const [namespaces, serviceAccounts, pullSecrets] = await Promise.all([
    client.list(WATCHED.namespaces),
    client.list<ServiceAccountObject>(WATCHED.serviceAccounts),
    client.list(WATCHED.pullSecrets, { labelSelector: PULL_SECRET_SELECTOR }),
  ]);
  return { namespaces, serviceAccounts, pullSecrets };
}
