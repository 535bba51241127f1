// Reading and writing kube-system/acr-configuration and the Secret holding
// AccessKey secrets. Every update carries the resourceVersion it was based
// on: a concurrent edit is reported, never overwritten.

import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KubeApiError, resourcePath, type KubeClient, type KubeObject } from './kube-client.js';
import { writeFileAtomic } from '../provider/cache/atomic-file.js';
import { CONFIGURATION_SECRETS_NAME, type AcrConfiguration } from '../provider/configuration/model.js';

export const CONFIGMAP_NAMESPACE = 'kube-system';
export const CONFIGMAP_NAME = 'acr-configuration';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kubectl-acr';

export interface ConfigMapObject extends KubeObject {
  data?: Record<string, string>;
}

export interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

const configMaps = { plural: 'configmaps' };
const secretsResource = { plural: 'secrets' };

/** Someone else changed the object between our read and our write. */
export class ConflictError extends Error {
  constructor(readonly objectName: string) {
    super(
      `${objectName} was changed by someone else since it was read; re-run the command to apply your change to the new version.`,
    );
    this.name = 'ConflictError';
  }
}

export function readConfigMap(client: KubeClient): Promise<ConfigMapObject | undefined> {
  return client.get<ConfigMapObject>(resourcePath(configMaps, CONFIGMAP_NAMESPACE, CONFIGMAP_NAME));
}

async function conditional<T>(objectName: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    // 409 on update: resourceVersion moved on; on create: someone created it first.
    if (error instanceof KubeApiError && error.status === 409) throw new ConflictError(objectName);
    throw error;
  }
}

/** Creates the ConfigMap when `current` is absent, else replaces its data at `current`'s resourceVersion. */
export function writeConfigMap(
  client: KubeClient,
  current: ConfigMapObject | undefined,
  data: Record<string, string>,
  dryRun: boolean,
): Promise<ConfigMapObject> {
  const object = configMapWithData(current, data);
  return conditional(CONFIGMAP_NAME, () =>
    current
      ? client.update(resourcePath(configMaps, CONFIGMAP_NAMESPACE, CONFIGMAP_NAME), object, { dryRun })
      : client.create(resourcePath(configMaps, CONFIGMAP_NAMESPACE), object, { dryRun }),
  );
}

/** The object that would be written: the current one (labels, annotations, resourceVersion) with new data. */
export function configMapWithData(current: ConfigMapObject | undefined, data: Record<string, string>): ConfigMapObject {
  if (current) return { ...current, data };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CONFIGMAP_NAME, namespace: CONFIGMAP_NAMESPACE },
    data,
  };
}

/** Adds or replaces keys of the AccessKey Secret; other keys stay. */
export async function storeSecrets(client: KubeClient, values: Record<string, string>, dryRun: boolean): Promise<void> {
  const encoded = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')]),
  );
  const path = resourcePath(secretsResource, CONFIGMAP_NAMESPACE, CONFIGURATION_SECRETS_NAME);
  const current = await client.get<SecretObject>(path);
  await conditional(CONFIGURATION_SECRETS_NAME, () => {
    if (current) return client.update(path, { ...current, data: { ...(current.data ?? {}), ...encoded } }, { dryRun });
    const secret: SecretObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: CONFIGURATION_SECRETS_NAME,
        namespace: CONFIGMAP_NAMESPACE,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      },
      data: encoded,
    };
    return client.create(resourcePath(secretsResource, CONFIGMAP_NAMESPACE), secret, { dryRun });
  });
}

/** Whether an entry's AccessKey secret lives in the Secret (`customAccessKeySecretRef`). */
export function usesSecretRef(config: AcrConfiguration): boolean {
  return config.registries.some(
    (e) => e.credentials.kind === 'access-key' && e.credentials.secret.kind === 'secret-ref',
  );
}

export function readConfigurationSecret(client: KubeClient): Promise<SecretObject | undefined> {
  return client.get<SecretObject>(resourcePath(secretsResource, CONFIGMAP_NAMESPACE, CONFIGURATION_SECRETS_NAME));
}

/** The Secret's keys as files in `dir` (0600), as node-setup mirrors them on nodes; keys gone from the Secret removed. */
export function mirrorSecretKeys(dir: string, secret: SecretObject | undefined): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const values: string[] = [];
  const keys = new Set<string>();
  for (const [key, encoded] of Object.entries(secret?.data ?? {})) {
    const value = Buffer.from(encoded, 'base64').toString('utf8');
    values.push(value.trim());
    keys.add(key);
    writeFileAtomic(join(dir, key), value, 0o600);
  }
  for (const name of readdirSync(dir)) if (!keys.has(name)) rmSync(join(dir, name), { force: true });
  return values;
}
