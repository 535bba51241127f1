// The Secret sync as the cluster shows it: which controller runs, and per
// namespace in scope the managed Secret, its token's expiry and the
// ServiceAccounts that reference it.
// `kubectl acr status` as a pure function: the cluster objects it read →
// what the configuration means, every problem with its fix, which nodes run
// the provider, the state of the Secret sync, and the verdict. No secret
// value ever enters the report.

import { type AcrConfiguration } from '../../provider/configuration/model.js';
import type { KubeObject } from '../kube-client.js';
import { MANAGED_BY, MANAGED_BY_LABEL, type SecretObject } from '../configuration-store.js';
import {
  type ClusterSnapshot,
  type NamespaceSyncState,
  TOKEN_EXPIRY_ANNOTATION,
  type WorkloadState,
} from './status-model.js';
import { name, namespaceOf } from './object-fields.js';

export const OLD_HELPER_SECRET_PREFIX = 'acr-credential-';

export function deploymentState(deployments: KubeObject[], deploymentName: string): WorkloadState {
  const deployment = deployments.find((d) => namespaceOf(d) === 'kube-system' && name(d) === deploymentName);
  if (!deployment) return 'absent';
  const ready = Number((deployment.status as Record<string, unknown> | undefined)?.readyReplicas ?? 0);
  return ready > 0 ? 'running' : 'not-ready';
}

export function isManagedPullSecret(secret: SecretObject): boolean {
  return secret.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY || name(secret).startsWith(OLD_HELPER_SECRET_PREFIX);
}

/** When the token in a synced Secret expires: our annotation, else the `exp` of a JWT password. */
export function tokenExpiry(secret: SecretObject): Date | undefined {
  const annotated = secret.metadata.annotations?.[TOKEN_EXPIRY_ANNOTATION];
  if (annotated && !Number.isNaN(Date.parse(annotated))) return new Date(annotated);
  try {
    const config = JSON.parse(Buffer.from(secret.data?.['.dockerconfigjson'] ?? '', 'base64').toString('utf8')) as {
      auths?: Record<string, { password?: string }>;
    };
    const expiries = Object.values(config.auths ?? {})
      .map((auth) => auth.password?.split('.')[1])
      .filter((payload): payload is string => payload !== undefined)
      .map((payload) => (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp)
      .filter((exp): exp is number => typeof exp === 'number');
    return expiries.length > 0 ? new Date(Math.min(...expiries) * 1000) : undefined;
  } catch {
    return undefined;
  }
}

export function watchedNamespaces(config: AcrConfiguration, snapshot: ClusterSnapshot): string[] {
  return config.watchNamespaces.all ? snapshot.namespaces.map(name) : config.watchNamespaces.names;
}

export function syncStates(config: AcrConfiguration, snapshot: ClusterSnapshot): NamespaceSyncState[] {
  const existing = new Set(snapshot.namespaces.map(name));
  return watchedNamespaces(config, snapshot).map((namespace) => {
    const secret = snapshot.pullSecrets.find((s) => namespaceOf(s) === namespace && isManagedPullSecret(s));
    const expiry = secret ? tokenExpiry(secret) : undefined;
    const accounts = snapshot.serviceAccounts.filter(
      (sa) =>
        namespaceOf(sa) === namespace &&
        (config.serviceAccounts.all || config.serviceAccounts.names.includes(name(sa))),
    );
    const managedNames = new Set(
      snapshot.pullSecrets.filter((s) => namespaceOf(s) === namespace && isManagedPullSecret(s)).map(name),
    );
    return {
      namespace,
      exists: existing.has(namespace),
      ...(secret ? { secret: name(secret) } : {}),
      ...(expiry
        ? { tokenExpiresAt: expiry.toISOString(), tokenExpired: expiry.getTime() <= snapshot.now.getTime() }
        : {}),
      serviceAccounts: accounts.map((sa) => ({
        name: name(sa),
        patched: ((sa.imagePullSecrets as { name?: string }[] | undefined) ?? []).some(
          (ref) => ref.name !== undefined && managedNames.has(ref.name),
        ),
      })),
    };
  });
}
