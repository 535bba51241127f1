import { describe, expect, it } from 'vitest';
import { classifyHost, sameRegistryHosts, type AcrRegistryHost } from '../../../provider/registry/registry-host.js';
import { ACR_HOSTS, LOOK_ALIKE_HOSTS } from './acr-host-table.js';

describe('classifyHost', () => {
  it.each(ACR_HOSTS.map((expected) => [expected.host, expected] as const))('%s', (host, expected) => {
    expect(classifyHost(host)).toEqual(expected);
  });

  it.each(ACR_HOSTS.map((expected) => [expected.host.toUpperCase(), expected] as const))(
    'upper-case %s',
    (host, expected) => {
      expect(classifyHost(host)).toEqual(expected);
    },
  );

  it.each(LOOK_ALIKE_HOSTS)('%s is not ACR (%s)', (host) => {
    expect(classifyHost(host)).toEqual({ kind: 'other', host });
  });

  it('lower-cases the host it reports for other hosts too', () => {
    expect(classifyHost('Harbor.Example.COM:8443')).toEqual({ kind: 'other', host: 'harbor.example.com:8443' });
  });
});

describe('sameRegistryHosts', () => {
  it.each([
    [
      'registry-vpc.cn-hangzhou.aliyuncs.com',
      [
        'registry.cn-hangzhou.aliyuncs.com',
        'registry-vpc.cn-hangzhou.aliyuncs.com',
        'registry-internal.cn-hangzhou.aliyuncs.com',
        'registry-intl.cn-hangzhou.aliyuncs.com',
        'registry-intl-vpc.cn-hangzhou.aliyuncs.com',
        'registry-intl-internal.cn-hangzhou.aliyuncs.com',
      ],
    ],
    [
      'registry-intl.ap-southeast-1.aliyuncs.com',
      [
        'registry.ap-southeast-1.aliyuncs.com',
        'registry-vpc.ap-southeast-1.aliyuncs.com',
        'registry-internal.ap-southeast-1.aliyuncs.com',
        'registry-intl.ap-southeast-1.aliyuncs.com',
        'registry-intl-vpc.ap-southeast-1.aliyuncs.com',
        'registry-intl-internal.ap-southeast-1.aliyuncs.com',
      ],
    ],
    [
      'crpi-abc123-vpc.cn-shanghai.personal.cr.aliyuncs.com',
      ['crpi-abc123.cn-shanghai.personal.cr.aliyuncs.com', 'crpi-abc123-vpc.cn-shanghai.personal.cr.aliyuncs.com'],
    ],
    [
      'acme-prod-registry.cn-shanghai-finance-1.cr.aliyuncs.com',
      [
        'acme-prod-registry.cn-shanghai-finance-1.cr.aliyuncs.com',
        'acme-prod-registry-vpc.cn-shanghai-finance-1.cr.aliyuncs.com',
        'acme-prod-registry-vpc.distributed.cn-shanghai-finance-1.cr.aliyuncs.com:65001',
      ],
    ],
    [
      'acme-prod-registry-vpc.distributed.me-east-1.cr.aliyuncs.com:65001',
      [
        'acme-prod-registry.me-east-1.cr.aliyuncs.com',
        'acme-prod-registry-vpc.me-east-1.cr.aliyuncs.com',
        'acme-prod-registry-vpc.distributed.me-east-1.cr.aliyuncs.com:65001',
      ],
    ],
  ])('%s', (host, expected) => {
    expect(sameRegistryHosts(classifyHost(host) as AcrRegistryHost)).toEqual(expected);
  });

  // The registry a host belongs to, leaving out which endpoint (network, intl) reaches it.
  function registryOf(h: AcrRegistryHost): string {
    switch (h.kind) {
      case 'personal-classic':
        return `personal ${h.region}`;
      case 'personal-crpi':
        return `crpi ${h.id} ${h.region}`;
      case 'enterprise':
        return `enterprise ${h.instanceName} ${h.region}`;
    }
  }

  it.each(ACR_HOSTS.map((h) => [h.host, h as AcrRegistryHost] as const))(
    'every sibling of %s is the same registry and includes it',
    (host, h) => {
      const siblings = sameRegistryHosts(h);
      expect(siblings).toContain(host);
      expect(new Set(siblings).size).toBe(siblings.length);
      for (const sibling of siblings) {
        const classified = classifyHost(sibling);
        expect(classified.kind).toBe(h.kind);
        expect(registryOf(classified as AcrRegistryHost)).toBe(registryOf(h));
      }
    },
  );
});
