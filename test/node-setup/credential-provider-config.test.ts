import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  acrProviderEntry,
  findProvider,
  mergeProvider,
  providerNames,
  removeProvider,
  renderOwnConfig,
} from '../../node-setup/credential-provider-config.js';
import { ACR_MATCH_IMAGES, kubeletImageMatches, matchImagesFor } from '../../provider/registry/image-match.js';

const entry = acrProviderEntry(matchImagesFor(['registry.example.com', 'harbor.example.org:8443']));

const ECR_YAML = `apiVersion: kubelet.config.k8s.io/v1
kind: CredentialProviderConfig
# ECR first
providers:
  - name: ecr-credential-provider
    matchImages: ["*.dkr.ecr.*.amazonaws.com"]
    defaultCacheDuration: 12h
    apiVersion: credentialprovider.kubelet.k8s.io/v1
`;

const ECR_JSON = JSON.stringify(
  {
    apiVersion: 'kubelet.config.k8s.io/v1',
    kind: 'CredentialProviderConfig',
    providers: [
      {
        name: 'ecr-credential-provider',
        matchImages: ['*.dkr.ecr.*.amazonaws.com'],
        defaultCacheDuration: '12h',
        apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
      },
    ],
  },
  null,
  2,
);

describe('mergeProvider / removeProvider', () => {
  it.each([
    ['YAML', ECR_YAML],
    ['JSON', ECR_JSON],
  ])('%s: adds ours after theirs, replaces ours on a second merge, removal gives back theirs', (_, text) => {
    const merged = mergeProvider(text, entry);
    if (!merged.ok) throw new Error(merged.message);
    const providers = parse(merged.text).providers;
    expect(providers).toEqual([parse(text).providers[0], entry]);
    const again = mergeProvider(merged.text, { ...entry, defaultCacheDuration: '1h' });
    if (!again.ok) throw new Error(again.message);
    expect(parse(again.text).providers.map((p: { defaultCacheDuration: string }) => p.defaultCacheDuration)).toEqual([
      '12h',
      '1h',
    ]);
    const removed = removeProvider(merged.text);
    if (!removed.ok) throw new Error(removed.message);
    expect(parse(removed.text)).toEqual(parse(text));
  });

  it('keeps comments of a YAML file', () => {
    const merged = mergeProvider(ECR_YAML, entry);
    expect(merged.ok && merged.text.includes('# ECR first')).toBe(true);
  });

  it.each([
    ['not YAML', 'providers: [\n', /not valid YAML/],
    ['not JSON', '{"kind": ', /not valid JSON/],
    ['another kind', 'apiVersion: v1\nkind: ConfigMap\n', /not CredentialProviderConfig/],
    [
      'providers not a list',
      'apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders: {}\n',
      /not a list/,
    ],
  ])('refuses %s', (_, text, message) => {
    const result = mergeProvider(text, entry);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('providerNames and findProvider read either format', () => {
    expect(providerNames(ECR_JSON)).toEqual(['ecr-credential-provider']);
    expect(providerNames('garbage: [')).toEqual([]);
    expect(findProvider(renderOwnConfig(entry))).toEqual(entry);
  });
});

describe('the written matchImages, matched with the kubelet rules', () => {
  const patterns = parse(renderOwnConfig(entry)).providers[0].matchImages as string[];
  const covered = (image: string) => patterns.some((p) => kubeletImageMatches(p, image));

  it('holds every ACR pattern', () => {
    expect(patterns).toEqual(expect.arrayContaining([...ACR_MATCH_IMAGES]));
  });

  it.each([
    ['registry.cn-hangzhou.aliyuncs.com/acs/pause', true],
    ['registry-vpc.cn-shanghai.aliyuncs.com/team/app', true],
    ['registry-intl.ap-southeast-1.aliyuncs.com/team/app', true],
    ['myinstance-registry.cn-hangzhou.cr.aliyuncs.com/ns/app', true],
    ['myinstance-registry-vpc.cn-beijing.cr.aliyuncs.com/ns/app', true],
    ['myinstance-registry-vpc.distributed.cn-beijing.cr.aliyuncs.com:65001/ns/app', true],
    ['crpi-abc123.cn-hangzhou.personal.cr.aliyuncs.com/ns/app', true],
    ['crpi-abc123-vpc.cn-hangzhou.personal.cr.aliyuncs.com/ns/app', true],
    ['registry.example.com/team/app', true],
    ['harbor.example.org:8443/lib/app', true],
    // one label per `*`, ports equal:
    ['a.b-registry.cn-hangzhou.cr.aliyuncs.com/ns/app', false],
    ['registry.example.com:5000/team/app', false],
    ['harbor.example.org/lib/app', false],
    ['sub.registry.example.com/team/app', false],
    ['docker.io/library/nginx', false],
    ['oss-cn-hangzhou.aliyuncs.com/bucket', false],
    ['cr.cn-hangzhou.aliyuncs.com/x', false],
  ])('%s → %s', (image, expected) => {
    expect(covered(image)).toBe(expected);
  });

  it('a custom domain with a path is a prefix match', () => {
    const withPath = acrProviderEntry(matchImagesFor(['registry.example.com/team'])).matchImages;
    const hit = (image: string) => withPath.some((p) => kubeletImageMatches(p, image));
    expect(hit('registry.example.com/team/app')).toBe(true);
    expect(hit('registry.example.com/other/app')).toBe(false);
  });
});
