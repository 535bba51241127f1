import { describe, expect, it } from 'vitest';
import {
  ACR_MATCH_IMAGES,
  kubeletImageMatches,
  matchImagesFor,
  domainsUnlisted,
  isCustomDomain,
  listedCustomDomains,
} from '../../../provider/registry/image-match.js';
import { parseConfigurationData } from '../../../provider/configuration/parse-configuration.js';
import { classifyHost, sameRegistryHosts, type AcrRegistryHost } from '../../../provider/registry/registry-host.js';
import { ACR_HOSTS, LOOK_ALIKE_HOSTS } from './acr-host-table.js';

function matchedByAcr(image: string): boolean {
  return ACR_MATCH_IMAGES.some((pattern) => kubeletImageMatches(pattern, image));
}

describe('kubeletImageMatches', () => {
  // k8s.io/kubernetes pkg/credentialprovider keyring_test.go TestURLsMatch, verbatim.
  it.each([
    ['*.kubernetes.io', 'prefix.kubernetes.io', true],
    ['prefix.*.io', 'prefix.kubernetes.io', true],
    ['prefix.kubernetes.*', 'prefix.kubernetes.io', true],
    ['*-good.kubernetes.io', 'prefix-good.kubernetes.io', true],
    ['*.kubernetes.io/blah', 'prefix.kubernetes.io/blah', true],
    ['prefix.*.io/foo', 'prefix.kubernetes.io/foo/bar', true],
    ['*.kubernetes.io:1111/blah', 'prefix.kubernetes.io:1111/blah', true],
    ['prefix.*.io:1111/foo', 'prefix.kubernetes.io:1111/foo/bar', true],
    ['*.kubernetes.io', 'kubernetes.io', false],
    ['*.*.kubernetes.io', 'prefix.kubernetes.io', false],
    ['*.*.kubernetes.io', 'kubernetes.io', false],
    ['kubernetes.io', 'kubernetes.com', false],
    ['k*.io', 'quay.io', false],
    ['*.kubernetes.io:1234/blah', 'prefix.kubernetes.io:1111/blah', false],
    ['prefix.*.io/foo', 'prefix.kubernetes.io:1111/foo/bar', false],
  ])('kubelet table: %s vs %s → %s', (pattern, image, expected) => {
    expect(kubeletImageMatches(pattern, image)).toBe(expected);
  });

  it.each([
    // Hosts without a path match every image of the registry.
    ['registry.cn-hangzhou.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com/ns/app', true],
    ['registry.*.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com/ns/app', true],
    // `*` is one label, never several, never none.
    ['*.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com/ns/app', false],
    ['*.*.aliyuncs.com', 'aliyuncs.com/ns/app', false],
    ['*.*.cr.aliyuncs.com', 'acme-registry.cn-hangzhou.cr.aliyuncs.com/ns/app', true],
    ['*.*.cr.aliyuncs.com', 'acme-registry-vpc.distributed.cn-hangzhou.cr.aliyuncs.com:65001/ns/app', false],
    // Partial-label globs, `?` and classes as filepath.Match has them.
    ['*-registry.*.cr.aliyuncs.com', '-registry.cn-hangzhou.cr.aliyuncs.com/ns/app', true],
    // `?` starts a URL query for Go's url.Parse, so it truncates the host instead of globbing.
    ['?*-registry.*.cr.aliyuncs.com', 'a-registry.cn-hangzhou.cr.aliyuncs.com/ns/app', false],
    ['registry.c?-hangzhou.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com/x', false],
    ['registry.c?-hangzhou.aliyuncs.com', 'registry.c/x', true],
    ['registry.[a-c]n-hangzhou.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com/x', true],
    ['registry.[^c]n-hangzhou.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com/x', false],
    ['registry.[c-a]n-hangzhou.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com/x', false],
    ['*registry*.*.aliyuncs.com', 'xregistryx.cn-hangzhou.aliyuncs.com/x', true],
    // Malformed globs match nothing, as the kubelet ignores the error.
    ['registry.[cn-hangzhou.aliyuncs.com', 'registry.[cn-hangzhou.aliyuncs.com/x', false],
    ['registry.[]cn.aliyuncs.com', 'registry.]cn.aliyuncs.com/x', false],
    ['registry.cn-hangzhou.aliyuncs.com\\', 'registry.cn-hangzhou.aliyuncs.com/x', false],
    // Go's url.Parse refuses a backslash in the host, so escapes never reach filepath.Match.
    ['registry.cn\\-hangzhou.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com/x', false],
    // Case-sensitive, like the kubelet.
    ['registry.cn-hangzhou.aliyuncs.com', 'REGISTRY.cn-hangzhou.aliyuncs.com/x', false],
    // Ports: equal or both absent; `host:` is the same as no port for Go.
    ['registry.cn-hangzhou.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com:443/x', false],
    ['registry.cn-hangzhou.aliyuncs.com:443', 'registry.cn-hangzhou.aliyuncs.com/x', false],
    ['registry.cn-hangzhou.aliyuncs.com:443', 'registry.cn-hangzhou.aliyuncs.com:443/x', true],
    ['registry.cn-hangzhou.aliyuncs.com:', 'registry.cn-hangzhou.aliyuncs.com/x', true],
    ['registry.cn-hangzhou.aliyuncs.com:*', 'registry.cn-hangzhou.aliyuncs.com:443/x', false],
    ['localhost:5000', 'localhost:5000/app', true],
    ['[::1]:5000', '[::1]:5000/app', true],
    // Path: a plain string prefix, so `/ns` also covers `/ns2` (the kubelet's rule, not ours to fix).
    ['registry.cn-hangzhou.aliyuncs.com/ns', 'registry.cn-hangzhou.aliyuncs.com/ns/app', true],
    ['registry.cn-hangzhou.aliyuncs.com/ns', 'registry.cn-hangzhou.aliyuncs.com/ns2/app', true],
    ['registry.cn-hangzhou.aliyuncs.com/ns/', 'registry.cn-hangzhou.aliyuncs.com/ns2/app', false],
    ['registry.cn-hangzhou.aliyuncs.com/other', 'registry.cn-hangzhou.aliyuncs.com/ns/app', false],
    ['registry.cn-hangzhou.aliyuncs.com/ns/app', 'registry.cn-hangzhou.aliyuncs.com/ns', false],
    ['registry.*.aliyuncs.com/ns/*', 'registry.cn-hangzhou.aliyuncs.com/ns/app', false],
    // Userinfo is dropped by url.Parse on both sides: the host after `@` is what counts.
    ['registry.cn-hangzhou.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com@evil.com/x', false],
    ['evil.com', 'registry.cn-hangzhou.aliyuncs.com@evil.com/x', true],
    ['registry.cn-hangzhou.aliyuncs.com', 'user:pw@registry.cn-hangzhou.aliyuncs.com/x', true],
    // Look-alikes by label count.
    ['registry.*.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com.evil.com/x', false],
    ['registry.*.aliyuncs.com', 'evil.com/registry.cn-hangzhou.aliyuncs.com/x', false],
    // Unparseable on either side: no match.
    ['registry.cn-hangzhou.aliyuncs.com:http', 'registry.cn-hangzhou.aliyuncs.com/x', false],
    ['registry.cn-hangzhou.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com:http/x', false],
    ['registry.cn-hangzhou.aliyuncs.com', 'registry.cn-hangzhou.aliyuncs.com /x', false],
  ])('%s vs %s → %s', (pattern, image, expected) => {
    expect(kubeletImageMatches(pattern, image)).toBe(expected);
  });
});

// Look-alikes a `*` region label cannot tell apart from a region id: the
// provider's classifyHost still refuses them, so they get no credentials.
const GLOB_WIDE_LOOK_ALIKES = new Set([
  'registry.hangzhou.aliyuncs.com',
  '-registry.cn-hangzhou.cr.aliyuncs.com',
  'crpi-.cn-hangzhou.personal.cr.aliyuncs.com',
]);

describe('ACR_MATCH_IMAGES', () => {
  it.each(ACR_HOSTS.map((h) => [h.host] as const))('covers %s', (host) => {
    expect(matchedByAcr(`${host}/ns/app`)).toBe(true);
  });

  it.each(ACR_HOSTS.flatMap((h) => sameRegistryHosts(h as AcrRegistryHost)).map((host) => [host] as const))(
    'covers the sibling %s',
    (host) => {
      expect(matchedByAcr(`${host}/ns/app`)).toBe(true);
    },
  );

  it.each(LOOK_ALIKE_HOSTS.filter(([host]) => !GLOB_WIDE_LOOK_ALIKES.has(host)))('does not cover %s (%s)', (host) => {
    expect(matchedByAcr(`${host}/ns/app`)).toBe(false);
  });

  it.each([...GLOB_WIDE_LOOK_ALIKES].map((host) => [host] as const))(
    '%s is wider than the globs can express but still not ACR',
    (host) => {
      expect(matchedByAcr(`${host}/ns/app`)).toBe(true);
      expect(classifyHost(host).kind).toBe('other');
    },
  );

  it.each([
    'evil.com/registry.cn-hangzhou.aliyuncs.com/x',
    'registry.cn-hangzhou.aliyuncs.com@evil.com/x',
    'docker.io/library/nginx',
    'oss-cn-hangzhou.aliyuncs.com/bucket/x',
    'cr.cn-hangzhou.aliyuncs.com/x',
    'ecs.cn-hangzhou.aliyuncs.com/x',
    'sts.aliyuncs.com/x',
  ])('does not cover the image %s', (image) => {
    expect(matchedByAcr(image)).toBe(false);
  });

  it.each(ACR_MATCH_IMAGES.map((p) => [p] as const))(
    '%s uses only characters every Go url.Parse accepts in a host, and no path',
    (pattern) => {
      expect(pattern).toMatch(/^[a-z0-9*.-]+(:[0-9]+)?$/);
    },
  );
});

describe('matchImagesFor', () => {
  it('is ACR_MATCH_IMAGES when there are no custom domains', () => {
    expect(matchImagesFor([])).toEqual([...ACR_MATCH_IMAGES]);
  });

  it('adds custom domains after the ACR patterns, lower-cased, without duplicates', () => {
    expect(
      matchImagesFor([
        'Images.Example.com',
        'images.example.com',
        'harbor.example.com:8443',
        ' ',
        'registry.*.aliyuncs.com',
      ]),
    ).toEqual([...ACR_MATCH_IMAGES, 'images.example.com', 'harbor.example.com:8443']);
  });

  it('makes the kubelet call the provider for a custom domain image', () => {
    const patterns = matchImagesFor(['images.example.com', 'harbor.example.com:8443']);
    expect(patterns.some((p) => kubeletImageMatches(p, 'images.example.com/team/app'))).toBe(true);
    expect(patterns.some((p) => kubeletImageMatches(p, 'harbor.example.com:8443/team/app'))).toBe(true);
    expect(patterns.some((p) => kubeletImageMatches(p, 'harbor.example.com/team/app'))).toBe(false);
  });
});

describe('custom domains of a configuration', () => {
  const config = parseConfigurationData({
    'acr-registry-info': [
      '- instanceId: cri-listed',
      '  regionId: cn-hangzhou',
      '  domains: "listed-registry.cn-hangzhou.cr.aliyuncs.com,images.example.com,harbor.example.org:8443"',
      '- instanceId: cri-unlisted',
      '  regionId: cn-hangzhou',
      '- instanceId: ""',
      '  regionId: cn-beijing',
    ].join('\n'),
  });
  if (!config.ok) throw new Error('fixture');

  it('lists only the domains no ACR pattern covers, ports kept', () => {
    expect(listedCustomDomains(config.config)).toEqual(['images.example.com', 'harbor.example.org:8443']);
    expect(isCustomDomain('acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com')).toBe(false);
    expect(isCustomDomain('registry.example.com')).toBe(true);
  });

  it('only an Enterprise entry without domains needs its domains looked up', () => {
    expect(config.config.registries.map(domainsUnlisted)).toEqual([false, true, false]);
  });
});
