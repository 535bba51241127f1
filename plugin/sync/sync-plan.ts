// One pass of the Secret sync as a pure function: the configuration's scope,
// each entry's token and what the cluster holds → the writes that make the
// cluster match, each the smallest change. Nothing here knows HTTP.
import type { NameSelection, RegistryEntry } from '../../provider/configuration/model.js';
import { inNamespace, pullSecret, pullSecretName, type EntryToken, type PullSecretObject } from './pull-secret.js';

export interface ServiceAccountView {
  namespace: string;
  name: string;
  resourceVersion: string;
  /** As stored: the user's entries are kept exactly, whatever they hold. */
  imagePullSecrets: readonly { name?: string }[];
}

export interface PullSecretView {
  namespace: string;
  name: string;
  resourceVersion: string;
  data: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

export interface ClusterView {
  namespaces: readonly string[];
  serviceAccounts: readonly ServiceAccountView[];
  /** The sync's own pull Secrets (by label), every namespace. */
  pullSecrets: readonly PullSecretView[];
}

export interface SyncScope {
  namespaces: NameSelection;
  serviceAccounts: NameSelection;
}

/** An entry and its token; no token when fetching it failed: its Secrets are then left as they are. */
export interface EntryState {
  entry: RegistryEntry;
  token: EntryToken | undefined;
}

export type SyncWrite =
  | { kind: 'create-secret'; secret: PullSecretObject }
  | { kind: 'update-secret'; secret: PullSecretObject & { metadata: { resourceVersion: string } } }
  | { kind: 'delete-secret'; namespace: string; name: string; resourceVersion: string }
  | {
      kind: 'update-service-account';
      namespace: string;
      name: string;
      resourceVersion: string;
      imagePullSecrets: { name?: string }[];
      /** What the project wants referenced, and every name it may have added: to redo the change on a newer version. */
      wanted: string[];
      project: string[];
    };

/**
 * The ServiceAccount's `imagePullSecrets` with the project's names made
 * `wanted`: every entry the project did not add kept, in order; the project's
 * names no longer wanted removed; missing ones appended. Undefined when
 * nothing changes.
 */
export function nextPullSecrets(
  current: readonly { name?: string }[],
  wanted: readonly string[],
  project: ReadonlySet<string>,
): { name?: string }[] | undefined {
  const kept = current.filter((ref) => ref.name === undefined || !project.has(ref.name) || wanted.includes(ref.name));
  const present = new Set(kept.map((ref) => ref.name));
  const added = wanted.filter((name) => !present.has(name)).map((name) => ({ name }));
  const next = [...kept, ...added];
  return next.length === current.length && added.length === 0 ? undefined : next;
}

// A watch-namespace list may name thousands: looked up as a set, made once per configuration.
const nameSets = new WeakMap<readonly string[], ReadonlySet<string>>();

export function inScope(selection: NameSelection, name: string): boolean {
  if (selection.all) return true;
  let names = nameSets.get(selection.names);
  if (!names) nameSets.set(selection.names, (names = new Set(selection.names)));
  return names.has(name);
}

function secretChanged(existing: PullSecretView, desired: PullSecretObject): boolean {
  const annotations = desired.metadata.annotations;
  return (
    existing.data['.dockerconfigjson'] !== desired.data['.dockerconfigjson'] ||
    Object.entries(annotations).some(([key, value]) => existing.annotations[key] !== value)
  );
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** The writes of one pass: Secrets first, so a reference never points at a Secret not yet written; deletions last. */
export function planSync(scope: SyncScope, entries: readonly EntryState[], view: ClusterView): SyncWrite[] {
  const secretWrites: SyncWrite[] = [];
  const accountWrites: SyncWrite[] = [];
  const deletions: SyncWrite[] = [];
  // Two entries naming the same registry share one Secret: the first one's.
  const named = entries.map((state) => ({ ...state, name: pullSecretName(state.entry) }));
  const unique = named.filter((state, i) => named.findIndex((other) => other.name === state.name) === i);
  const entryNames = unique.map((state) => state.name);
  // The same data in every namespace: encoded once per pass, not once per namespace.
  const templates = unique.map(({ entry, token }) => (token ? pullSecret('', entry, token) : undefined));
  const existingNamespaces = new Set(view.namespaces);
  const secretsIn = groupBy(view.pullSecrets, (secret) => secret.namespace);
  const accountsIn = groupBy(view.serviceAccounts, (account) => account.namespace);
  const namespaces = new Set([...view.namespaces, ...secretsIn.keys()]);
  for (const namespace of [...namespaces].sort()) {
    const served = existingNamespaces.has(namespace) && inScope(scope.namespaces, namespace);
    const existing = new Map((secretsIn.get(namespace) ?? []).map((s) => [s.name, s]));
    const present: string[] = [];
    if (served) {
      for (const [i, name] of entryNames.entries()) {
        const template = templates[i];
        const found = existing.get(name);
        if (template) {
          const desired = inNamespace(template, namespace);
          if (!found) secretWrites.push({ kind: 'create-secret', secret: desired });
          else if (secretChanged(found, desired))
            secretWrites.push({
              kind: 'update-secret',
              secret: { ...desired, metadata: { ...desired.metadata, resourceVersion: found.resourceVersion } },
            });
        }
        if (template || found) present.push(name);
      }
    }
    const project = new Set([...entryNames, ...existing.keys()]);
    for (const account of accountsIn.get(namespace) ?? []) {
      const wanted = served && inScope(scope.serviceAccounts, account.name) ? present : [];
      const next = nextPullSecrets(account.imagePullSecrets, wanted, project);
      if (next)
        accountWrites.push({
          kind: 'update-service-account',
          namespace,
          name: account.name,
          resourceVersion: account.resourceVersion,
          imagePullSecrets: next,
          wanted,
          project: [...project],
        });
    }
    for (const secret of existing.values()) {
      if (!served || !entryNames.includes(secret.name))
        deletions.push({
          kind: 'delete-secret',
          namespace,
          name: secret.name,
          resourceVersion: secret.resourceVersion,
        });
    }
  }
  return [...secretWrites, ...accountWrites, ...deletions];
}
