import { describe, expect, it } from 'vitest';
import type { RegistryEntry } from '../../../provider/configuration/model.js';
import {
  describeCredentialSource,
  describeIdentity,
  describeTarget,
  identityKey,
} from '../../../provider/credentials/identity.js';

const base = { edition: 'personal', index: 0, regionId: undefined, domains: undefined, assumeRole: undefined } as const;
const node: RegistryEntry = { ...base, credentials: { kind: 'node' } };
const inline: RegistryEntry = {
  ...base,
  credentials: {
    kind: 'access-key',
    accessKeyId: 'LTAIa',
    secret: { kind: 'inline' },
    inlineSecret: 'Inline-Secret-1',
  },
};
const fromSecret: RegistryEntry = {
  ...base,
  credentials: { kind: 'access-key', accessKeyId: 'LTAIb', secret: { kind: 'secret-ref', key: 'access-key-b' } },
};
const rrsa: RegistryEntry = {
  ...base,
  credentials: { kind: 'rrsa', roleArn: 'acs:ram::1:role/r', oidcProviderArn: 'acs:ram::1:oidc-provider/p' },
};
const assuming = (entry: RegistryEntry, durationSeconds = 3600): RegistryEntry => ({
  ...entry,
  assumeRole: { roleArn: 'acs:ram::1:role/puller', durationSeconds },
});
const offCloud = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenv' };

describe('identityKey', () => {
  it.each([
    ['no entry, ECS RAM role', undefined, {}, 'node metadata'],
    ['no entry, off cloud', undefined, offCloud, 'node LTAIenv'],
    ['node entry', node, {}, 'node metadata'],
    ['inline AccessKey', inline, {}, 'accessKey LTAIa'],
    ['AccessKey from the Secret', fromSecret, {}, 'accessKey LTAIb'],
    ['RRSA', rrsa, {}, 'rrsa acs:ram::1:role/r acs:ram::1:oidc-provider/p'],
    ['assumed role', assuming(inline), {}, 'accessKey LTAIa -> acs:ram::1:role/puller 3600'],
    ['assumed role, other duration', assuming(inline, 900), {}, 'accessKey LTAIa -> acs:ram::1:role/puller 900'],
  ])('%s', (_name, entry, env, key) => {
    expect(identityKey(entry, env)).toBe(key);
  });

  it('never holds a secret', () => {
    expect(identityKey(inline, { ...offCloud, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'Env-Secret-2' })).not.toMatch(
      /Secret-/,
    );
  });
});

describe('describeCredentialSource and describeIdentity', () => {
  it.each([
    [
      'the cluster view of the node',
      node,
      undefined,
      "node's identity (ALIBABA_CLOUD_ACCESS_KEY_* or the ECS RAM role)",
    ],
    ['a node on Alibaba Cloud', undefined, {}, "node's RAM role"],
    ['a node off cloud', undefined, offCloud, 'node AccessKey LTAIenv'],
    ['inline AccessKey', inline, {}, 'AccessKey LTAIa (secret in plain text in the ConfigMap)'],
    [
      'AccessKey from the Secret',
      fromSecret,
      {},
      'AccessKey LTAIb (Secret kube-system/acr-configuration-secrets, key access-key-b)',
    ],
    ['RRSA', rrsa, {}, 'RRSA role acs:ram::1:role/r (OIDC provider acs:ram::1:oidc-provider/p)'],
  ])('%s', (_name, entry, env, words) => {
    expect(describeCredentialSource(entry, env)).toBe(words);
    expect(describeIdentity(entry, env)).toBe(words);
  });

  it('names the assumed role after the source', () => {
    expect(describeIdentity(assuming(inline), {})).toBe(
      'AccessKey LTAIa (secret in plain text in the ConfigMap) assuming acs:ram::1:role/puller',
    );
    expect(describeCredentialSource(assuming(inline), {})).toBe(
      'AccessKey LTAIa (secret in plain text in the ConfigMap)',
    );
  });
});

describe('describeTarget', () => {
  it.each([
    [{ edition: 'enterprise', instanceId: 'cri-a', region: 'cn-hangzhou' } as const, 'cri-a (cn-hangzhou)'],
    [{ edition: 'personal', region: 'cn-beijing' } as const, 'Personal Edition (cn-beijing)'],
  ])('%j', (target, words) => {
    expect(describeTarget(target)).toBe(words);
  });
});
