import { describe, expect, it } from 'vitest';
import type { RegistryEntry } from '../../../provider/configuration/model.js';
import { classifyHost } from '../../../provider/registry/registry-host.js';
import {
  instanceKey,
  resolveEntry,
  resolveRegistry,
  type Facts,
  type Resolution,
} from '../../../provider/registry/resolution.js';

function personal(overrides: Partial<RegistryEntry> = {}): RegistryEntry {
  return {
    edition: 'personal',
    index: 0,
    regionId: undefined,
    domains: undefined,
    credentials: { kind: 'node' },
    assumeRole: undefined,
    ...overrides,
  } as RegistryEntry;
}

function enterprise(instanceId: string, overrides: Partial<RegistryEntry> = {}): RegistryEntry {
  return {
    edition: 'enterprise',
    instanceId,
    index: 0,
    regionId: undefined,
    domains: undefined,
    credentials: { kind: 'node' },
    assumeRole: undefined,
    ...overrides,
  };
}

const accessKey = {
  kind: 'access-key' as const,
  accessKeyId: 'LTAI-x',
  secret: { kind: 'inline' as const },
  inlineSecret: 's',
};

function facts(overrides: Partial<Facts> = {}): Facts {
  return { nodeRegion: undefined, instanceDomains: new Map(), instanceIds: new Map(), ...overrides };
}

const ACME_DOMAINS = [
  'acme-registry.cn-hangzhou.cr.aliyuncs.com',
  'acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com',
  'images.acme.example',
];
const known = facts({
  nodeRegion: 'cn-hangzhou',
  instanceDomains: new Map([[instanceKey('cn-hangzhou', 'cri-acme'), ACME_DOMAINS]]),
});

/** A compact view of a resolution for table rows. */
function summary(r: Resolution): string {
  switch (r.kind) {
    case 'not-served':
      return 'not-served';
    case 'unknown-instance':
      return `unknown ${r.region}/${r.instanceName}`;
    case 'lookup':
      return r.lookup.kind === 'node-region'
        ? 'lookup node-region'
        : r.lookup.kind === 'instance-domains'
          ? `lookup domains ${r.lookup.region}/${r.lookup.instanceId}`
          : `lookup name ${r.lookup.region}/${r.lookup.instanceName}`;
    case 'registry': {
      const target =
        r.target.edition === 'enterprise' ? `${r.target.instanceId}@${r.target.region}` : `personal@${r.target.region}`;
      return `${target} entry=${r.entry ? r.entry.index : 'node'}`;
    }
  }
}

describe('resolveRegistry', () => {
  const table: Array<[string, string, RegistryEntry[], Facts, string]> = [
    [
      'default entry, node region unknown: no look-up needed',
      'registry.cn-beijing.aliyuncs.com',
      [personal()],
      facts(),
      'personal@cn-beijing entry=node',
    ],
    [
      'Personal entry for the host region',
      'registry-vpc.cn-beijing.aliyuncs.com',
      [personal({ regionId: 'cn-beijing', credentials: accessKey })],
      facts(),
      'personal@cn-beijing entry=0',
    ],
    [
      'Personal entry of another region: node identity',
      'registry.cn-shanghai.aliyuncs.com',
      [personal({ regionId: 'cn-beijing', credentials: accessKey })],
      facts(),
      'personal@cn-shanghai entry=node',
    ],
    [
      'non-trivial Personal entry without region needs the node region',
      'registry.cn-hangzhou.aliyuncs.com',
      [personal({ credentials: accessKey })],
      facts(),
      'lookup node-region',
    ],
    [
      '…and matches once it is known',
      'registry.cn-hangzhou.aliyuncs.com',
      [personal({ credentials: accessKey })],
      facts({ nodeRegion: 'cn-hangzhou' }),
      'personal@cn-hangzhou entry=0',
    ],
    [
      'default entry before a claiming entry needs the node region',
      'registry.cn-beijing.aliyuncs.com',
      [personal(), personal({ index: 1, regionId: 'cn-beijing', credentials: accessKey })],
      facts(),
      'lookup node-region',
    ],
    [
      'crpi host in the entry region',
      'crpi-abc123.cn-hangzhou.personal.cr.aliyuncs.com',
      [personal({ regionId: 'cn-hangzhou', credentials: accessKey })],
      facts(),
      'personal@cn-hangzhou entry=0',
    ],
    [
      'explicit domain wins whatever the shape',
      'images.acme.example',
      [enterprise('cri-acme', { regionId: 'cn-hangzhou', domains: ['images.acme.example'] })],
      facts(),
      'cri-acme@cn-hangzhou entry=0',
    ],
    [
      'custom domain with a port must be listed with that port',
      'images.acme.example:5000',
      [enterprise('cri-acme', { regionId: 'cn-hangzhou', domains: ['images.acme.example:5000'] })],
      facts(),
      'cri-acme@cn-hangzhou entry=0',
    ],
    [
      '…a listing without the port does not claim it',
      'images.acme.example:5000',
      [enterprise('cri-acme', { regionId: 'cn-hangzhou', domains: ['images.acme.example'] })],
      facts(),
      'not-served',
    ],
    [
      'explicit domain on a Personal entry (documented cross-account example)',
      'registry.cn-beijing.aliyuncs.com',
      [
        personal({
          regionId: 'cn-beijing',
          domains: ['registry.cn-beijing.aliyuncs.com'],
          assumeRole: { roleArn: 'acs:ram::1:role/r', durationSeconds: 3600 },
        }),
      ],
      facts(),
      'personal@cn-beijing entry=0',
    ],
    [
      'explicit domain without region: region from the host',
      'acme-registry.cn-shanghai.cr.aliyuncs.com',
      [enterprise('cri-acme', { domains: ['acme-registry.cn-shanghai.cr.aliyuncs.com'] })],
      facts(),
      'cri-acme@cn-shanghai entry=0',
    ],
    [
      'custom domain without region: needs the node region',
      'images.acme.example',
      [enterprise('cri-acme', { domains: ['images.acme.example'] })],
      facts(),
      'lookup node-region',
    ],
    [
      'Enterprise entry without domains: look its domains up',
      'acme-registry.cn-hangzhou.cr.aliyuncs.com',
      [enterprise('cri-acme', { regionId: 'cn-hangzhou' })],
      facts(),
      'lookup domains cn-hangzhou/cri-acme',
    ],
    [
      '…and serve a custom domain found there',
      'images.acme.example',
      [enterprise('cri-acme', { regionId: 'cn-hangzhou' })],
      known,
      'cri-acme@cn-hangzhou entry=0',
    ],
    [
      'Enterprise entry of another region is not looked up for a regional host',
      'beta-registry.cn-beijing.cr.aliyuncs.com',
      [enterprise('cri-acme', { regionId: 'cn-hangzhou' })],
      facts(),
      'lookup name cn-beijing/beta',
    ],
    [
      'Enterprise entry without region needs the node region first',
      'acme-registry.cn-hangzhou.cr.aliyuncs.com',
      [enterprise('cri-acme')],
      facts(),
      'lookup node-region',
    ],
    [
      'unconfigured Enterprise host: find the instance by name',
      'beta-registry.cn-hangzhou.cr.aliyuncs.com',
      [],
      facts(),
      'lookup name cn-hangzhou/beta',
    ],
    [
      '…then its domains',
      'beta-registry.cn-hangzhou.cr.aliyuncs.com',
      [],
      facts({ instanceIds: new Map([[instanceKey('cn-hangzhou', 'beta'), 'cri-beta']]) }),
      'lookup domains cn-hangzhou/cri-beta',
    ],
    [
      '…or report it missing',
      'beta-registry.cn-hangzhou.cr.aliyuncs.com',
      [],
      facts({ instanceIds: new Map([[instanceKey('cn-hangzhou', 'beta'), null]]) }),
      'unknown cn-hangzhou/beta',
    ],
    [
      'P2P host of an unconfigured instance',
      'beta-registry-vpc.distributed.cn-hangzhou.cr.aliyuncs.com:65001',
      [],
      facts(),
      'lookup name cn-hangzhou/beta',
    ],
    ['unconfigured custom domain', 'images.elsewhere.example', [personal()], facts(), 'not-served'],
    ['Docker Hub', 'docker.io', [personal()], facts(), 'not-served'],
    [
      'custom domain not among the looked-up domains',
      'images.other.example',
      [enterprise('cri-acme', { regionId: 'cn-hangzhou' })],
      known,
      'not-served',
    ],
    [
      'first claiming entry wins',
      'images.acme.example',
      [
        enterprise('cri-one', { regionId: 'cn-hangzhou', domains: ['images.acme.example'] }),
        enterprise('cri-acme', { index: 1, regionId: 'cn-hangzhou' }),
      ],
      known,
      'cri-one@cn-hangzhou entry=0',
    ],
  ];

  it.each(table)('%s: %s', (_name, host, entries, given, expected) => {
    expect(summary(resolveRegistry(classifyHost(host), entries, given))).toBe(expected);
  });

  it('auth hosts: the image host first, then the rest of the same registry', () => {
    const enterpriseHit = resolveRegistry(
      classifyHost('images.acme.example'),
      [enterprise('cri-acme', { regionId: 'cn-hangzhou' })],
      known,
    );
    expect(enterpriseHit.kind === 'registry' && enterpriseHit.authHosts).toEqual([
      'images.acme.example',
      ...ACME_DOMAINS.filter((d) => d !== 'images.acme.example'),
    ]);

    const explicit = resolveRegistry(
      classifyHost('b.example'),
      [enterprise('cri-acme', { regionId: 'cn-hangzhou', domains: ['a.example', 'b.example'] })],
      facts(),
    );
    expect(explicit.kind === 'registry' && explicit.authHosts).toEqual(['b.example', 'a.example']);

    const classic = resolveRegistry(classifyHost('registry-vpc.cn-beijing.aliyuncs.com'), [personal()], facts());
    expect(classic.kind === 'registry' && classic.authHosts[0]).toBe('registry-vpc.cn-beijing.aliyuncs.com');
    expect(classic.kind === 'registry' && classic.authHosts).toContain('registry-intl.cn-beijing.aliyuncs.com');
  });
});

describe('who claims a Personal Edition host while the node region is unknown', () => {
  const role = { roleArn: 'acs:ram::123456789012:role/pull', durationSeconds: 3600 };
  it.each<[string, string, RegistryEntry[], string]>([
    [
      'an entry assuming a role with the node identity is not the default entry',
      'registry.cn-hangzhou.aliyuncs.com',
      [personal({ assumeRole: role })],
      'lookup node-region',
    ],
    [
      'a later entry of another region cannot claim the host',
      'registry.cn-hangzhou.aliyuncs.com',
      [personal(), personal({ index: 1, regionId: 'cn-beijing', credentials: accessKey })],
      'personal@cn-hangzhou entry=node',
    ],
    [
      'a later entry with the node identity needs no node region: either gives the same answer',
      'registry.cn-hangzhou.aliyuncs.com',
      [personal(), personal({ index: 1, regionId: 'cn-hangzhou' })],
      'personal@cn-hangzhou entry=1',
    ],
    [
      'a later node-identity entry of another region changes nothing',
      'registry.cn-hangzhou.aliyuncs.com',
      [personal(), personal({ index: 1, regionId: 'cn-beijing' })],
      'personal@cn-hangzhou entry=node',
    ],
    [
      'a claiming entry after the default and before another',
      'registry.cn-hangzhou.aliyuncs.com',
      [
        personal(),
        personal({ index: 1, regionId: 'cn-hangzhou', credentials: accessKey }),
        personal({ index: 2, regionId: 'cn-beijing', credentials: accessKey }),
      ],
      'lookup node-region',
    ],
    [
      'a Personal entry with domains is not a regional candidate',
      'registry.cn-hangzhou.aliyuncs.com',
      [personal({ regionId: 'cn-hangzhou', domains: ['images.example'], credentials: accessKey })],
      'personal@cn-hangzhou entry=node',
    ],
    [
      'an Enterprise entry of the region does not serve Personal hosts',
      'registry.cn-hangzhou.aliyuncs.com',
      [enterprise('cri-acme', { regionId: 'cn-hangzhou', credentials: accessKey })],
      'personal@cn-hangzhou entry=node',
    ],
    [
      'a Personal entry of the region does not serve an Enterprise host',
      'beta-registry.cn-hangzhou.cr.aliyuncs.com',
      [personal({ regionId: 'cn-hangzhou', credentials: accessKey })],
      'lookup name cn-hangzhou/beta',
    ],
  ])('%s', (_name, host, entries, expected) => {
    expect(summary(resolveRegistry(classifyHost(host), entries, facts()))).toBe(expected);
  });
});

describe('the hosts one answer covers, by step', () => {
  const beta = facts({
    instanceIds: new Map([[instanceKey('cn-hangzhou', 'beta'), 'cri-beta']]),
    instanceDomains: new Map([
      [instanceKey('cn-hangzhou', 'cri-beta'), ['beta-registry.cn-hangzhou.cr.aliyuncs.com', 'beta.example']],
    ]),
  });
  it.each<[string, string, RegistryEntry[], Facts, string[]]>([
    [
      'explicit domains: the host first, then the listed ones',
      'b.example',
      [personal({ regionId: 'cn-hangzhou', domains: ['a.example', 'b.example'] })],
      facts(),
      ['b.example', 'a.example'],
    ],
    [
      'a Personal entry of the region: every host of the region',
      'registry-intl-vpc.cn-hangzhou.aliyuncs.com',
      [personal({ regionId: 'cn-hangzhou', credentials: accessKey })],
      facts(),
      [
        'registry-intl-vpc.cn-hangzhou.aliyuncs.com',
        'registry.cn-hangzhou.aliyuncs.com',
        'registry-vpc.cn-hangzhou.aliyuncs.com',
        'registry-internal.cn-hangzhou.aliyuncs.com',
        'registry-intl.cn-hangzhou.aliyuncs.com',
        'registry-intl-internal.cn-hangzhou.aliyuncs.com',
      ],
    ],
    [
      'a crpi host: both of its networks',
      'crpi-abc123-vpc.cn-hangzhou.personal.cr.aliyuncs.com',
      [personal({ regionId: 'cn-hangzhou', credentials: accessKey })],
      facts(),
      ['crpi-abc123-vpc.cn-hangzhou.personal.cr.aliyuncs.com', 'crpi-abc123.cn-hangzhou.personal.cr.aliyuncs.com'],
    ],
    [
      'an unconfigured Enterprise instance: its domains and its usual hosts',
      'beta-registry.cn-hangzhou.cr.aliyuncs.com',
      [personal()],
      beta,
      [
        'beta-registry.cn-hangzhou.cr.aliyuncs.com',
        'beta.example',
        'beta-registry-vpc.cn-hangzhou.cr.aliyuncs.com',
        'beta-registry-vpc.distributed.cn-hangzhou.cr.aliyuncs.com:65001',
      ],
    ],
  ])('%s', (_name, host, entries, known, authHosts) => {
    const resolution = resolveRegistry(classifyHost(host), entries, known);
    expect(resolution.kind === 'registry' ? resolution.authHosts : resolution.kind).toEqual(authHosts);
  });
});

describe('resolveEntry: what one entry serves, for the Secret sync', () => {
  const summaryWithHosts = (r: Resolution) => (r.kind === 'registry' ? [summary(r), r.authHosts] : summary(r));
  it.each<[string, RegistryEntry, Facts, unknown]>([
    ['an entry without region before the node region is known', personal(), facts(), 'lookup node-region'],
    [
      'a Personal entry: every classic host of its region',
      personal({ regionId: 'cn-beijing' }),
      facts(),
      [
        'personal@cn-beijing entry=0',
        [
          'registry.cn-beijing.aliyuncs.com',
          'registry-vpc.cn-beijing.aliyuncs.com',
          'registry-internal.cn-beijing.aliyuncs.com',
          'registry-intl.cn-beijing.aliyuncs.com',
          'registry-intl-vpc.cn-beijing.aliyuncs.com',
          'registry-intl-internal.cn-beijing.aliyuncs.com',
        ],
      ],
    ],
    [
      'a Personal entry in the node region',
      personal(),
      facts({ nodeRegion: 'cn-shanghai' }),
      ['personal@cn-shanghai entry=0', expect.arrayContaining(['registry.cn-shanghai.aliyuncs.com'])],
    ],
    [
      'listed domains, repeated ones once',
      enterprise('cri-acme', { regionId: 'cn-hangzhou', domains: ['a.example', 'b.example:5000', 'a.example'] }),
      facts(),
      ['cri-acme@cn-hangzhou entry=0', ['a.example', 'b.example:5000']],
    ],
    [
      'an Enterprise entry: look its domains up',
      enterprise('cri-acme', { regionId: 'cn-hangzhou' }),
      facts(),
      'lookup domains cn-hangzhou/cri-acme',
    ],
    ['…and serve every one of them', enterprise('cri-acme'), known, ['cri-acme@cn-hangzhou entry=0', ACME_DOMAINS]],
  ])('%s', (_name, entry, given, expected) => {
    expect(summaryWithHosts(resolveEntry(entry, given))).toEqual(expected);
  });
});
