// Who calls ACR for a registry entry, in one wording for every program: as a
// stable key (it names a cache entry and a lock before any network call) and
// as words for people (the provider's failure line, `kubectl acr credentials`,
// `kubectl acr status`). Never a secret.
import { environmentCredentialVariables } from '../cloud/node-identity.js';
import { CONFIGURATION_SECRETS_NAME, type RegistryEntry } from '../configuration/model.js';
import type { TokenTarget } from '../registry/resolution.js';
import { describeWorkload, workloadKey, type WorkloadIdentity } from './workload-identity.js';

type Env = Record<string, string | undefined>;

/** `workload` takes the node's place: a pod pulling as its ServiceAccount's role. */
export function identityKey(entry: RegistryEntry | undefined, env: Env, workload?: WorkloadIdentity): string {
  const source = entry?.credentials ?? { kind: 'node' as const };
  const base =
    source.kind === 'access-key'
      ? `accessKey ${source.accessKeyId}`
      : source.kind === 'rrsa'
        ? `rrsa ${source.roleArn} ${source.oidcProviderArn}`
        : workload
          ? workloadKey(workload)
          : `node ${env[environmentCredentialVariables.accessKeyId] ?? 'metadata'}`;
  return entry?.assumeRole ? `${base} -> ${entry.assumeRole.roleArn} ${entry.assumeRole.durationSeconds}` : base;
}

/**
 * The credentials an entry starts from, before `assumeRoleARN`. Without `env`
 * (the cluster's view, not one node's) the node's identity is named by both
 * of its forms.
 */
export function describeCredentialSource(
  entry: RegistryEntry | undefined,
  env?: Env,
  workload?: WorkloadIdentity,
): string {
  const source = entry?.credentials ?? { kind: 'node' as const };
  switch (source.kind) {
    case 'node': {
      if (workload) return describeWorkload(workload);
      if (env === undefined) return "node's identity (ALIBABA_CLOUD_ACCESS_KEY_* or the ECS RAM role)";
      const accessKeyId = env[environmentCredentialVariables.accessKeyId];
      return accessKeyId ? `node AccessKey ${accessKeyId}` : "node's RAM role";
    }
    case 'access-key':
      return source.secret.kind === 'secret-ref'
        ? `AccessKey ${source.accessKeyId} (Secret kube-system/${CONFIGURATION_SECRETS_NAME}, key ${source.secret.key})`
        : `AccessKey ${source.accessKeyId} (secret in plain text in the ConfigMap)`;
    case 'rrsa':
      return `RRSA role ${source.roleArn} (OIDC provider ${source.oidcProviderArn})`;
  }
}

/** The identity ACR sees: the credential source, and the role it assumes. */
export function describeIdentity(entry: RegistryEntry | undefined, env?: Env, workload?: WorkloadIdentity): string {
  const base = describeCredentialSource(entry, env, workload);
  return entry?.assumeRole ? `${base} assuming ${entry.assumeRole.roleArn}` : base;
}

/** `cri-xxx (cn-hangzhou)` or `Personal Edition (cn-hangzhou)`: what a token is for. */
export function describeTarget(target: TokenTarget): string {
  return target.edition === 'enterprise'
    ? `${target.instanceId} (${target.region})`
    : `Personal Edition (${target.region})`;
}
