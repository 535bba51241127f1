import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  acrProviderEntry,
  findProvider,
  mergeProviders,
  podIdentityProviderEntry,
  providerEntries,
  providerNames,
  removeProviders,
  renderOwnConfig,
} from '../../node-setup/credential-provider-config.js';
import { tokenModeSupport } from '../../node-setup/host-checks.js';
import { kubeletConfigErrors } from './kubelet-config-rules.js';
import { ACR_MATCH_IMAGES, kubeletImageMatches, matchImagesFor } from '../../provider/registry/image-match.js';

const isJsonText = (text: string) => text.trimStart().startsWith('{');
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

describe('mergeProviders / removeProviders', () => {
  it.each([
    ['YAML', ECR_YAML],
    ['JSON', ECR_JSON],
  ])('%s: adds ours after theirs, replaces ours on a second merge, removal gives back theirs', (_, text) => {
    const merged = mergeProviders(text, [entry]);
    if (!merged.ok) throw new Error(merged.message);
    const providers = parse(merged.text).providers;
    expect(providers).toEqual([parse(text).providers[0], entry]);
    const again = mergeProviders(merged.text, [{ ...entry, defaultCacheDuration: '1h' }]);
    if (!again.ok) throw new Error(again.message);
    expect(parse(again.text).providers.map((p: { defaultCacheDuration: string }) => p.defaultCacheDuration)).toEqual([
      '12h',
      '1h',
    ]);
    const removed = removeProviders(merged.text);
    if (!removed.ok) throw new Error(removed.message);
    expect(parse(removed.text)).toEqual(parse(text));
  });

  it.each([
    ['YAML', ECR_YAML],
    ['JSON', ECR_JSON],
  ])('%s: pod identity goes in front of our entry, where ours was, and comes out again alone', (_, text) => {
    const pod = podIdentityProviderEntry(entry.matchImages);
    const withOurs = mergeProviders(text, [entry]);
    if (!withOurs.ok) throw new Error(withOurs.message);
    // Someone appends another provider after ours: it keeps its place after ours.
    const later = mergeProviders(withOurs.text, [entry]);
    if (!later.ok) throw new Error(later.message);
    const third = { name: 'gcr-provider', matchImages: ['gcr.io'], defaultCacheDuration: '1h', apiVersion: 'x' };
    const config = parse(later.text) as { providers: unknown[] };
    const withThird = isJsonText(text)
      ? JSON.stringify({ ...config, providers: [...config.providers, third] })
      : `${later.text}  - ${JSON.stringify(third)}\n`;
    const both = mergeProviders(withThird, [pod, entry]);
    if (!both.ok) throw new Error(both.message);
    expect(parse(both.text).providers.map((p: { name: string }) => p.name)).toEqual([
      'ecr-credential-provider',
      'acr-credential-provider-pod-identity',
      'acr-credential-provider',
      'gcr-provider',
    ]);
    const off = mergeProviders(both.text, [entry]);
    if (!off.ok) throw new Error(off.message);
    expect(parse(off.text).providers.map((p: { name: string }) => p.name)).toEqual([
      'ecr-credential-provider',
      'acr-credential-provider',
      'gcr-provider',
    ]);
  });

  it('keeps comments of a YAML file', () => {
    const merged = mergeProviders(ECR_YAML, [entry]);
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
    const result = mergeProviders(text, [entry]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('providerNames and findProvider read either format', () => {
    expect(providerNames(ECR_JSON)).toEqual(['ecr-credential-provider']);
    expect(providerNames('garbage: [')).toEqual([]);
    expect(findProvider(renderOwnConfig([entry]))).toEqual(entry);
  });
});

describe('the written matchImages, matched with the kubelet rules', () => {
  const patterns = parse(renderOwnConfig([entry])).providers[0].matchImages as string[];
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

describe('pod identity in the kubelet config', () => {
  const versions = ['1.32', '1.33', '1.34', '1.35'];
  const gateSettings = [undefined, true, false];
  // What the kubelet does with its gate (alpha 1.33, beta and on 1.34+), decided here independently of node-setup.
  const gateOn = (minor: number, gate: boolean | undefined) =>
    minor >= 34 ? gate !== false : minor === 33 && gate === true;

  it.each(
    versions.flatMap((v) =>
      gateSettings.flatMap((gate) => [false, true].map((requireRole) => [v, gate, requireRole] as const)),
    ),
  )('kubelet %s, gate %s, require-role %s: the kubelet accepts what is written', (v, gate, requireRole) => {
    const minor = Number(v.split('.')[1]);
    const gates = new Map(gate === undefined ? [] : [['KubeletServiceAccountTokenForCredentialProviders', gate]]);
    const plan = providerEntries(
      entry.matchImages,
      { enabled: true, requireRole },
      tokenModeSupport({ major: 1, minor }, gates),
    );
    const config = parse(renderOwnConfig(plan.entries)) as { providers: { name: string }[] };
    expect(kubeletConfigErrors(config, gateOn(minor, gate))).toEqual([]);
    const names = config.providers.map((p) => p.name);
    if (gateOn(minor, gate)) {
      expect(names).toEqual(
        requireRole
          ? ['acr-credential-provider-pod-identity']
          : ['acr-credential-provider-pod-identity', 'acr-credential-provider'],
      );
      expect(plan.podIdentityUnavailable).toBeUndefined();
    } else {
      expect(names).toEqual(['acr-credential-provider']);
      expect(plan.podIdentityUnavailable).toMatch(/ServiceAccount-token mode|alpha and off|=false/);
    }
  });

  it('the kubelet would refuse the token entry with its gate off: never written then', () => {
    const config = parse(renderOwnConfig([podIdentityProviderEntry(entry.matchImages)]));
    expect(kubeletConfigErrors(config, false)).toEqual([
      'providers.tokenAttributes: tokenAttributes is not supported when KubeletServiceAccountTokenForCredentialProviders feature gate is disabled',
    ]);
  });

  it('the token entry asks for RRSA’s audience, per-ServiceAccount caching and only the role annotations', () => {
    expect(podIdentityProviderEntry(['*.aliyuncs.com']).tokenAttributes).toEqual({
      serviceAccountTokenAudience: 'sts.aliyuncs.com',
      cacheType: 'ServiceAccount',
      requireServiceAccount: false,
      optionalServiceAccountAnnotationKeys: [
        'acr-credential-provider.io/role-arn',
        'acr-credential-provider.io/oidc-provider-arn',
        'pod-identity.alibabacloud.com/role-name',
      ],
    });
  });

  it('pod identity off writes the node entry alone, whatever the kubelet', () => {
    const plan = providerEntries(entry.matchImages, { enabled: false, requireRole: true }, { ok: true });
    expect(plan).toEqual({ entries: [entry] });
  });
});
