// Workloads that pull from ACR through the Secret sync but will not get its
// Secret: pods listing their own imagePullSecrets, pods in namespaces out of
// scope, pods created before the Secret reference.
// `kubectl acr status` as a pure function: the cluster objects it read →
// what the configuration means, every problem with its fix, which nodes run
// the provider, the state of the Secret sync, and the verdict. No secret
// value ever enters the report.

import { type AcrConfiguration } from '../../provider/configuration/model.js';
import { parseImageReference } from '../../provider/registry/image-reference.js';
import type { Problem } from '../../provider/common/problem.js';
import { classifyHost } from '../../provider/registry/registry-host.js';
import { type ClusterSnapshot } from './status-model.js';
import { type PodSpec, name, namespaceOf, podSpecOf, spec } from './object-fields.js';
import { isManagedPullSecret, watchedNamespaces } from './secret-sync-state.js';

export function usesConfiguredRegistry(image: string, config: AcrConfiguration): boolean {
  const parsed = parseImageReference(image);
  if (!parsed.ok) return false;
  const host = parsed.ref.host;
  return classifyHost(host).kind !== 'other' || config.registries.some((entry) => entry.domains?.includes(host));
}

export interface Workload {
  kind: string;
  namespace: string;
  name: string;
  podSpec: PodSpec;
}

/** Owners status reads directly; pods of other controllers (StatefulSet, Job, …) stand for their owner. */
export const LISTED_OWNERS = new Set(['ReplicaSet', 'DaemonSet']);

export function workloads(snapshot: ClusterSnapshot): Workload[] {
  const controllers = [
    ...snapshot.deployments.map((object) => ({
      kind: 'Deployment',
      object,
      podSpec: podSpecOf({ ...object, kind: 'Deployment' }),
    })),
    ...snapshot.daemonSets.map((object) => ({
      kind: 'DaemonSet',
      object,
      podSpec: podSpecOf({ ...object, kind: 'DaemonSet' }),
    })),
  ].flatMap(({ kind, object, podSpec }) =>
    podSpec ? [{ kind, namespace: namespaceOf(object), name: name(object), podSpec }] : [],
  );
  const byOwner = new Map<string, Workload>();
  for (const pod of snapshot.pods) {
    const owner = pod.metadata.ownerReferences?.[0];
    if (owner && LISTED_OWNERS.has(owner.kind)) continue;
    const workload = owner
      ? { kind: owner.kind, namespace: namespaceOf(pod), name: owner.name, podSpec: spec(pod) }
      : { kind: 'Pod', namespace: namespaceOf(pod), name: name(pod), podSpec: spec(pod) };
    const key = `${workload.kind}/${workload.namespace}/${workload.name}`;
    if (!byOwner.has(key)) byOwner.set(key, workload);
  }
  return [...controllers, ...byOwner.values()];
}

export function imagesOf(podSpec: PodSpec): string[] {
  const containers = [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])];
  return containers.map((c) => c.image).filter((image): image is string => typeof image === 'string');
}

/** Pods that depend on the Secret sync but will not get its Secret. */
export function workloadProblems(config: AcrConfiguration, snapshot: ClusterSnapshot): Problem[] {
  const watched = new Set(watchedNamespaces(config, snapshot));
  const managed = new Set(snapshot.pullSecrets.filter(isManagedPullSecret).map((s) => `${namespaceOf(s)}/${name(s)}`));
  const problems: Problem[] = [];
  const uncovered = new Map<string, string[]>();
  for (const workload of workloads(snapshot)) {
    if (
      !watched.has(workload.namespace) ||
      !imagesOf(workload.podSpec).some((image) => usesConfiguredRegistry(image, config))
    )
      continue;
    const label = `${workload.kind} ${workload.namespace}/${workload.name}`;
    const own = (workload.podSpec.imagePullSecrets ?? [])
      .map((ref) => ref.name ?? '')
      .filter((ref) => !managed.has(`${workload.namespace}/${ref}`));
    if (own.length > 0) {
      problems.push({
        severity: 'warning',
        code: 'workload-own-pull-secrets',
        message: `${label} sets its own imagePullSecrets (${own.join(', ')}), so the ACR Secret the sync adds to its ServiceAccount is not used for its pods.`,
        fix: `Remove imagePullSecrets from ${label} (its ServiceAccount then supplies the ACR Secret), or install the provider on its nodes with \`kubectl acr install\`.`,
      });
      continue;
    }
    const account = workload.podSpec.serviceAccountName || workload.podSpec.serviceAccount || 'default';
    if (!config.serviceAccounts.all && !config.serviceAccounts.names.includes(account)) {
      uncovered.set(account, [...(uncovered.get(account) ?? []), label]);
    }
  }
  if (uncovered.size > 0 && !config.serviceAccounts.all) {
    const accounts = [...uncovered.keys()];
    const list = [...config.serviceAccounts.names, ...accounts].join(',');
    for (const [account, labels] of uncovered) {
      problems.push({
        severity: 'warning',
        code: 'service-account-not-covered',
        key: 'service-account',
        message: `ServiceAccount \`${account}\` is used by ${labels.join(', ')} but is not in service-account, so the sync gives it no ACR Secret.`,
        fix: `Run \`kubectl acr configure --service-account ${list}\`.`,
      });
    }
  }
  return problems;
}
