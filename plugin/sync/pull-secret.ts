// The pull Secret the sync keeps in each namespace for one registry entry:
// its stable name, its labels, and its `.dockerconfigjson` with every host
// the entry's token answers.
import { createHash } from 'node:crypto';
import type { RegistryEntry } from '../../provider/configuration/model.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../configuration-store.js';
import { TOKEN_EXPIRY_ANNOTATION } from '../status/status-model.js';

/** Tells the sync's pull Secrets apart from the configuration's own Secret, which has the managed-by label too. */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const PULL_SECRET_COMPONENT = 'pull-secret';
export const PULL_SECRET_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY},${COMPONENT_LABEL}=${PULL_SECRET_COMPONENT}`;
/** Which `acr-registry-info` entry a pull Secret is for, in words, for people reading the Secret. */
export const ENTRY_ANNOTATION = 'kubectl-acr/registry-entry';

/** What an entry is, independent of its place in the list: moving an entry keeps its Secret. */
export function entryIdentity(entry: RegistryEntry): string {
  const instance = entry.edition === 'enterprise' ? entry.instanceId : '';
  return [entry.edition, instance, entry.regionId ?? '', ...(entry.domains ?? [])].join('|');
}

/** `acr-credential-<10 hex>`: the same entry gets the same name in every namespace and after every restart. */
export function pullSecretName(entry: RegistryEntry): string {
  return `acr-credential-${createHash('sha256').update(entryIdentity(entry)).digest('hex').slice(0, 10)}`;
}

export function describeEntry(entry: RegistryEntry): string {
  const what = entry.edition === 'enterprise' ? `instance ${entry.instanceId}` : 'Personal Edition';
  return `${what}${entry.regionId ? ` in ${entry.regionId}` : ''}${entry.domains ? ` for ${entry.domains.join(',')}` : ''}`;
}

export interface EntryToken {
  username: string;
  password: string;
  /** epoch ms */
  expiresAt: number;
  authHosts: readonly string[];
}

/** `.dockerconfigjson` as the kubelet reads it: `auths` per host with username, password and auth. */
export function dockerConfigJson(token: EntryToken): string {
  const auth = Buffer.from(`${token.username}:${token.password}`).toString('base64');
  const auths = Object.fromEntries(
    token.authHosts.map((host) => [host, { username: token.username, password: token.password, auth }]),
  );
  return JSON.stringify({ auths });
}

// A type, not an interface: assignable to the client's open-ended KubeObject.
export type PullSecretObject = {
  apiVersion: 'v1';
  kind: 'Secret';
  type: 'kubernetes.io/dockerconfigjson';
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  data: { '.dockerconfigjson': string };
};

/** The same Secret in another namespace: its encoded data reused, not made again. */
export function inNamespace(secret: PullSecretObject, namespace: string): PullSecretObject {
  return { ...secret, metadata: { ...secret.metadata, namespace } };
}

export function pullSecret(namespace: string, entry: RegistryEntry, token: EntryToken): PullSecretObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/dockerconfigjson',
    metadata: {
      name: pullSecretName(entry),
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [COMPONENT_LABEL]: PULL_SECRET_COMPONENT },
      annotations: {
        [TOKEN_EXPIRY_ANNOTATION]: new Date(token.expiresAt).toISOString(),
        [ENTRY_ANNOTATION]: describeEntry(entry),
      },
    },
    data: { '.dockerconfigjson': Buffer.from(dockerConfigJson(token)).toString('base64') },
  };
}
