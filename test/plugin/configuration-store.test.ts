// Writes of acr-configuration and its Secret carry the resourceVersion they
// were based on: an edit that lands between our read and our write is
// reported as a conflict and survives.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  ConflictError,
  readConfigMap,
  storeSecrets,
  writeConfigMap,
  type SecretObject,
} from '../../plugin/configuration-store.js';
import { createKubeClient, type KubeClient, type KubeObject } from '../../plugin/kube-client.js';
import { startFakeApiserver, type FakeApiserver } from '../fakes/apiserver/index.js';

let api: FakeApiserver;
let client: KubeClient;

beforeEach(async () => {
  api = await startFakeApiserver();
  client = createKubeClient(api.kubeConfig(), 10_000);
});

afterEach(async () => {
  await api.close();
});

const secretValue = (key: string): string | undefined => {
  const secret = api.get('secrets', 'kube-system', 'acr-configuration-secrets') as SecretObject | undefined;
  const encoded = secret?.data?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
};

/** The same client, with someone else's write landing right after each read. */
function racing(write: () => Promise<void>): KubeClient {
  return {
    ...client,
    server: client.server,
    async get<T extends KubeObject>(path: string) {
      const read = await client.get<T>(path);
      await write();
      return read;
    },
  };
}

describe('the AccessKey Secret', () => {
  test('adds keys and keeps the others', async () => {
    await storeSecrets(client, { 'access-key-a': 'Secret-A-Value' }, false);
    await storeSecrets(client, { 'access-key-b': 'Secret-B-Value' }, false);
    expect([secretValue('access-key-a'), secretValue('access-key-b')]).toEqual(['Secret-A-Value', 'Secret-B-Value']);
  });

  test('an edit between our read and our write is a conflict, and the edit survives', async () => {
    await storeSecrets(client, { 'access-key-a': 'Secret-A-Value' }, false);
    const theirs = racing(async () => {
      const current = (await client.get<SecretObject>(
        '/api/v1/namespaces/kube-system/secrets/acr-configuration-secrets',
      ))!;
      const data = { ...current.data, 'access-key-theirs': Buffer.from('Their-Value').toString('base64') };
      await client.update('/api/v1/namespaces/kube-system/secrets/acr-configuration-secrets', { ...current, data });
    });
    await expect(storeSecrets(theirs, { 'access-key-a': 'Secret-A-Rotated' }, false)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(secretValue('access-key-theirs')).toBe('Their-Value');
    expect(secretValue('access-key-a')).toBe('Secret-A-Value');
  });

  test('a Secret someone created between our read and our create is a conflict, and theirs stays', async () => {
    const theirs = racing(async () => {
      api.seed({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'acr-configuration-secrets', namespace: 'kube-system' },
        data: { 'access-key-theirs': Buffer.from('Their-Value').toString('base64') },
      });
    });
    await expect(storeSecrets(theirs, { 'access-key-a': 'Secret-A-Value' }, false)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(secretValue('access-key-theirs')).toBe('Their-Value');
    expect(secretValue('access-key-a')).toBeUndefined();
  });
});

describe('the ConfigMap', () => {
  test('a write based on a stale read is a conflict, and the newer data survives', async () => {
    await writeConfigMap(client, undefined, { 'service-account': 'default' }, false);
    const stale = (await readConfigMap(client))!;
    await writeConfigMap(client, stale, { 'service-account': 'theirs' }, false);
    await expect(writeConfigMap(client, stale, { 'service-account': 'mine' }, false)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await readConfigMap(client))?.data).toEqual({ 'service-account': 'theirs' });
  });
});
