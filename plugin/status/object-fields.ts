// The few fields of Kubernetes objects the status report reads, typed; every
// one is optional, as the apiserver may leave any of them out.
// `kubectl acr status` as a pure function: the cluster objects it read →
// what the configuration means, every problem with its fix, which nodes run
// the provider, the state of the Secret sync, and the verdict. No secret
// value ever enters the report.

import type { KubeObject } from '../kube-client.js';

export function name(object: KubeObject): string {
  return object.metadata.name ?? '';
}

export function namespaceOf(object: KubeObject): string {
  return object.metadata.namespace ?? '';
}

/** The fields of a pod spec status reads; everything from the apiserver is optional. */
export interface PodSpec {
  nodeName?: string;
  containers?: { image?: string }[];
  initContainers?: { image?: string }[];
  imagePullSecrets?: { name?: string }[];
  serviceAccountName?: string;
  serviceAccount?: string;
}

export function spec(object: KubeObject): PodSpec & { template?: { spec?: PodSpec } } {
  return (object.spec as (PodSpec & { template?: { spec?: PodSpec } }) | undefined) ?? {};
}

export function podSpecOf(object: KubeObject): PodSpec | undefined {
  if (object.kind === 'Pod') return spec(object);
  return spec(object).template?.spec;
}

export function isConditionTrue(object: KubeObject, type: string): boolean {
  const conditions = (object.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
  return (conditions ?? []).some((condition) => condition.type === type && condition.status === 'True');
}
