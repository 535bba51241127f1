// The writes of a Secret-sync pass against the apiserver, each conditional on
// the resourceVersion it was planned from. On a conflict the object is read
// again and the same change redone on what is there now, so a concurrent edit
// by someone else is kept, never overwritten.
import { KubeApiError, resourcePath, type KubeClient, type KubeObject } from '../kube-client.js';
import { COMPONENT_LABEL, PULL_SECRET_COMPONENT, type PullSecretObject } from './pull-secret.js';
import { nextPullSecrets, type SyncWrite } from './sync-plan.js';
import { TOKEN_EXPIRY_ANNOTATION } from '../status/status-model.js';

const secrets = { plural: 'secrets' };
const serviceAccounts = { plural: 'serviceaccounts' };
/** A write redone this many times against newer versions gives up until the next pass. */
const MAX_ATTEMPTS = 5;

export type WriteResult = 'written' | 'unchanged' | 'gone' | 'conflict' | 'not-ours';

export interface WriteReport {
  result: WriteResult;
  /** What happened, for the operator: one line, no secret. */
  line: string;
  /** How many write requests were sent (for the API write budget). */
  requests: number;
}

export interface ServiceAccountObject extends KubeObject {
  imagePullSecrets?: { name?: string }[];
}

const isConflict = (error: unknown) => error instanceof KubeApiError && error.status === 409;
const isNotFound = (error: unknown) => error instanceof KubeApiError && error.status === 404;
const isOurs = (object: KubeObject | undefined) => object?.metadata.labels?.[COMPONENT_LABEL] === PULL_SECRET_COMPONENT;

function expiry(secret: PullSecretObject): string {
  return secret.metadata.annotations[TOKEN_EXPIRY_ANNOTATION] ?? '?';
}

async function putSecret(client: KubeClient, secret: PullSecretObject, created: boolean): Promise<WriteReport> {
  const { namespace, name } = secret.metadata;
  const path = resourcePath(secrets, namespace, name);
  let requests = 0;
  let body: PullSecretObject = secret;
  let create = created;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      requests++;
      if (create) await client.create(resourcePath(secrets, namespace), body);
      else await client.update(path, body);
      const verb = create ? 'created' : 'refreshed';
      return {
        result: 'written',
        requests,
        line: `${verb} Secret ${namespace}/${name} (token expires ${expiry(secret)})`,
      };
    } catch (error) {
      // A namespace deleted while the pass runs: nothing to write there any more.
      if (create && isNotFound(error)) return { result: 'gone', requests, line: `namespace ${namespace} is gone` };
      if (!isConflict(error) && !isNotFound(error)) throw error;
    }
    const current = await client.get<PullSecretObject>(path);
    if (current && !isOurs(current))
      return {
        result: 'not-ours',
        requests,
        line: `left Secret ${namespace}/${name} alone: it exists without the label ${COMPONENT_LABEL}=${PULL_SECRET_COMPONENT}, so it is not ours; rename or delete it`,
      };
    if (current && current.data?.['.dockerconfigjson'] === secret.data['.dockerconfigjson'])
      return { result: 'unchanged', requests, line: `Secret ${namespace}/${name} already up to date` };
    create = current === undefined;
    body = current
      ? { ...secret, metadata: { ...secret.metadata, resourceVersion: current.metadata.resourceVersion ?? '' } }
      : { ...secret, metadata: { ...secret.metadata, resourceVersion: undefined } };
  }
  return { result: 'conflict', requests, line: `Secret ${namespace}/${name} kept changing; retrying next pass` };
}

async function putServiceAccount(
  client: KubeClient,
  write: Extract<SyncWrite, { kind: 'update-service-account' }>,
  read: (namespace: string, name: string) => ServiceAccountObject | undefined,
): Promise<WriteReport> {
  const { namespace, name } = write;
  const path = resourcePath(serviceAccounts, namespace, name);
  const project = new Set(write.project);
  let current = read(namespace, name);
  let requests = 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (!current) return { result: 'gone', requests, line: `ServiceAccount ${namespace}/${name} is gone` };
    const before = (current.imagePullSecrets ?? []).map((ref) => ref.name);
    const next = nextPullSecrets(current.imagePullSecrets ?? [], write.wanted, project);
    if (!next) return { result: 'unchanged', requests, line: `ServiceAccount ${namespace}/${name} already up to date` };
    try {
      requests++;
      // PUT with the resourceVersion read: the apiserver refuses it if anyone wrote in between.
      await client.update(path, { ...current, imagePullSecrets: next });
      const after = next.map((ref) => ref.name);
      const added = after.filter((n) => !before.includes(n));
      const removed = before.filter((n) => !after.includes(n));
      const change = [
        ...(added.length ? [`added ${added.join(', ')}`] : []),
        ...(removed.length ? [`removed ${removed.join(', ')}`] : []),
      ].join('; ');
      return { result: 'written', requests, line: `ServiceAccount ${namespace}/${name}: ${change}` };
    } catch (error) {
      if (!isConflict(error) && !isNotFound(error)) throw error;
    }
    current = await client.get<ServiceAccountObject>(path);
  }
  return {
    result: 'conflict',
    requests,
    line: `ServiceAccount ${namespace}/${name} kept changing; retrying next pass`,
  };
}

async function deleteSecret(
  client: KubeClient,
  write: Extract<SyncWrite, { kind: 'delete-secret' }>,
): Promise<WriteReport> {
  const { namespace, name } = write;
  const path = resourcePath(secrets, namespace, name);
  let resourceVersion = write.resourceVersion;
  let requests = 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      requests++;
      const deleted = await client.remove(path, resourceVersion);
      return deleted
        ? { result: 'written', requests, line: `deleted Secret ${namespace}/${name}: no longer in scope` }
        : { result: 'gone', requests, line: `Secret ${namespace}/${name} was gone already` };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const current = await client.get<PullSecretObject>(path);
    if (!current) return { result: 'gone', requests, line: `Secret ${namespace}/${name} was gone already` };
    if (!isOurs(current))
      return { result: 'not-ours', requests, line: `left Secret ${namespace}/${name} alone: no longer ours` };
    resourceVersion = current.metadata.resourceVersion ?? '';
  }
  return { result: 'conflict', requests, line: `Secret ${namespace}/${name} kept changing; retrying next pass` };
}

/** Carries out one planned write; API failures other than conflicts are thrown. */
export function applyWrite(
  client: KubeClient,
  write: SyncWrite,
  read: (namespace: string, name: string) => ServiceAccountObject | undefined,
): Promise<WriteReport> {
  switch (write.kind) {
    case 'create-secret':
      return putSecret(client, write.secret, true);
    case 'update-secret':
      return putSecret(client, write.secret, false);
    case 'update-service-account':
      return putServiceAccount(client, write, read);
    case 'delete-secret':
      return deleteSecret(client, write);
  }
}
