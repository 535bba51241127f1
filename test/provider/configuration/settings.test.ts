// Defaults, the plain settings, the registry fields that are valid as written,
// and renderRegistryInfo round-trips.

import { describe, expect, it } from 'vitest';
import {
  parseConfigurationData,
  parseConfigurationFile,
  type ParseResult,
} from '../../../provider/configuration/parse-configuration.js';
import { renderRegistryInfo } from '../../../provider/configuration/registry-info.js';
import type { AcrConfiguration, RegistryEntry } from '../../../provider/configuration/model.js';

function config(result: ParseResult): AcrConfiguration {
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

const defaults: Omit<AcrConfiguration, 'data'> = {
  serviceAccounts: { all: false, names: ['default'] },
  watchNamespaces: { all: false, names: ['default'] },
  expiringThresholdSeconds: 900,
  registries: [
    {
      edition: 'personal',
      index: 0,
      regionId: undefined,
      domains: undefined,
      credentials: { kind: 'node' },
      assumeRole: undefined,
    },
  ],
  registriesDefaulted: true,
  rrsaEnabled: false,
  webhook: { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
  podIdentity: { enabled: false, oidcProviderArn: undefined, requireRole: false },
  ignoredKeys: [],
};

describe('defaults', () => {
  it.each([
    ['an empty file', ''],
    ['a file of comments', '# nothing yet\n'],
    ['an empty map', '{}\n'],
    [
      'a manifest without data',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: acr-configuration\n'.replace('metadata', 'data:\nmetadata'),
    ],
    [
      'empty values',
      'service-account: ""\nwatch-namespace: ""\nexpiring-threshold: ""\nacr-registry-info: ""\nrrsa: ""\nwebhook-configuration: ""\n',
    ],
    ['an acr-registry-info of blank lines', 'acr-registry-info: |\n\n\n'],
  ])('%s gives the defaults', (_name, text) => {
    const result = parseConfigurationFile(text);
    expect(result.problems).toEqual([]);
    expect(config(result)).toMatchObject(defaults);
  });

  it('empty API data gives the defaults', () => {
    expect(config(parseConfigurationData({}))).toEqual({ ...defaults, data: {} });
  });
});

describe('settings', () => {
  it.each<[string, Record<string, string>, Partial<AcrConfiguration>]>([
    ['service-account `*` is every ServiceAccount', { 'service-account': '*' }, { serviceAccounts: { all: true } }],
    [
      'service-account is a comma list',
      { 'service-account': ' builder, default ,builder' },
      { serviceAccounts: { all: false, names: ['builder', 'default'] } },
    ],
    ['watch-namespace `all` is every namespace', { 'watch-namespace': 'all' }, { watchNamespaces: { all: true } }],
    [
      'watch-namespace is a comma list',
      { 'watch-namespace': 'default,prod' },
      { watchNamespaces: { all: false, names: ['default', 'prod'] } },
    ],
    ['expiring-threshold is a Go duration', { 'expiring-threshold': '1h30m' }, { expiringThresholdSeconds: 5400 }],
    ['rrsa enable: true', { rrsa: 'enable: true' }, { rrsaEnabled: true }],
    ['rrsa enable: false', { rrsa: 'enable: false\n' }, { rrsaEnabled: false }],
    [
      'webhook-configuration in full',
      { 'webhook-configuration': 'enable: true\nfailure-policy: Fail\ntimeout-seconds: 30\n' },
      { webhook: { enabled: true, failurePolicy: 'Fail', timeoutSeconds: 30 } },
    ],
    [
      'webhook-configuration defaults',
      { 'webhook-configuration': 'enable: true\n' },
      { webhook: { enabled: true, failurePolicy: 'Ignore', timeoutSeconds: 10 } },
    ],
    [
      'legacy keys are ignored',
      { 'acr-api-version': '2018-12-01', 'notify-email': 'a@example.com', 'acr-registry': 'registry.*.aliyuncs.com' },
      { ignoredKeys: ['acr-api-version', 'notify-email', 'acr-registry'] },
    ],
  ])('%s', (_name, data, expected) => {
    const result = parseConfigurationData(data);
    expect(config(result)).toMatchObject(expected);
    expect(result.problems.filter((p) => p.code !== 'ignored-key')).toEqual([]);
  });
});

describe('registry fields valid as written', () => {
  const entry = (yaml: string) => {
    const result = parseConfigurationData({ 'acr-registry-info': yaml, rrsa: 'enable: true' });
    expect(result.problems).toEqual([]);
    return config(result).registries[0];
  };

  it.each(['cn-hangzhou', 'ap-southeast-1', 'cn-hongkong', 'us-west-1', 'eu-central-1', 'cn-shanghai-finance-1'])(
    'region %s',
    (region) => {
      expect(entry(`- instanceId: ""\n  regionId: ${region}`)?.regionId).toBe(region);
    },
  );

  it.each([
    ['Registry.CN-Beijing.aliyuncs.com', ['registry.cn-beijing.aliyuncs.com']],
    ['a.example.com, b.example.com:5000,,', ['a.example.com', 'b.example.com:5000']],
    [
      'ee-registry-vpc.distributed.cn-hangzhou.cr.aliyuncs.com:65001',
      ['ee-registry-vpc.distributed.cn-hangzhou.cr.aliyuncs.com:65001'],
    ],
  ])('domains %s', (domains, expected) => {
    expect(entry(`- instanceId: cri-abc\n  domains: "${domains}"`)?.domains).toEqual(expected);
  });

  it.each<[string, Partial<RegistryEntry>]>([
    ['- instanceId: cri-0a1b2c3d', { edition: 'enterprise', instanceId: 'cri-0a1b2c3d' }],
    ['- regionId: cn-beijing', { edition: 'personal', regionId: 'cn-beijing' }],
    ['- instanceId:\n  regionId: cn-beijing', { edition: 'personal', regionId: 'cn-beijing' }],
    [
      '- instanceId: ""\n  assumeRoleARN: acs:ram::1234567890123456:role/acr-puller\n  expireDuration: "7200"',
      { assumeRole: { roleArn: 'acs:ram::1234567890123456:role/acr-puller', durationSeconds: 7200 } },
    ],
    [
      '- instanceId: ""\n  assumeRoleARN: acs:ram::1234567890123456:role/acr-puller\n  expireDuration: 900',
      { assumeRole: { roleArn: 'acs:ram::1234567890123456:role/acr-puller', durationSeconds: 900 } },
    ],
    [
      '- instanceId: ""\n  assumeRoleARN: acs:ram::1234567890123456:role/acr-puller\n  expireDuration: 43200',
      { assumeRole: { roleArn: 'acs:ram::1234567890123456:role/acr-puller', durationSeconds: 43200 } },
    ],
    [
      '- instanceId: ""\n  customAccessKey: LTAIexample\n  customAccessKeySecretRef: acr-access-key',
      {
        credentials: {
          kind: 'access-key',
          accessKeyId: 'LTAIexample',
          secret: { kind: 'secret-ref', key: 'acr-access-key' },
        },
      },
    ],
    [
      '- instanceId: cri-abc\n  rrsaRoleARN: acs:ram::1234567890123456:role/a\n  rrsaOIDCProviderRoleARN: acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0ffee',
      {
        credentials: {
          kind: 'rrsa',
          roleArn: 'acs:ram::1234567890123456:role/a',
          oidcProviderArn: 'acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0ffee',
        },
      },
    ],
  ])('%j', (yaml, expected) => {
    expect(entry(yaml)).toMatchObject(expected);
  });
});

describe('renderRegistryInfo', () => {
  const entries: RegistryEntry[] = [
    {
      edition: 'personal',
      index: 0,
      regionId: undefined,
      domains: undefined,
      credentials: { kind: 'node' },
      assumeRole: undefined,
    },
    {
      edition: 'enterprise',
      index: 1,
      instanceId: 'cri-abc123',
      regionId: 'cn-hangzhou',
      domains: ['a.example.com', 'b.example.com:5000'],
      credentials: { kind: 'node' },
      assumeRole: { roleArn: 'acs:ram::1234567890123456:role/puller', durationSeconds: 7200 },
    },
    {
      edition: 'personal',
      index: 2,
      regionId: 'ap-southeast-1',
      domains: undefined,
      credentials: {
        kind: 'access-key',
        accessKeyId: 'LTAIexample',
        secret: { kind: 'secret-ref', key: 'acr-access-key' },
      },
      assumeRole: undefined,
    },
    {
      edition: 'personal',
      index: 3,
      regionId: 'cn-beijing',
      domains: undefined,
      credentials: {
        kind: 'access-key',
        accessKeyId: 'LTAIexample',
        secret: { kind: 'inline' },
        inlineSecret: 'we"ird: #secret',
      },
      assumeRole: undefined,
    },
    {
      edition: 'enterprise',
      index: 4,
      instanceId: 'cri-x',
      regionId: undefined,
      domains: undefined,
      credentials: { kind: 'rrsa', roleArn: 'acs:ram::1:role/a', oidcProviderArn: 'acs:ram::1:oidc-provider/p' },
      assumeRole: { roleArn: 'acs:ram::2:role/b', durationSeconds: 3600 },
    },
  ];

  it('round-trips through the parser as API data', () => {
    const result = parseConfigurationData({ 'acr-registry-info': renderRegistryInfo(entries), rrsa: 'enable: true' });
    expect(config(result).registries).toEqual(entries);
    expect(result.problems.map((p) => p.code)).toEqual(['plaintext-secret']);
  });

  it('round-trips through the parser inside a file, indented under the key', () => {
    const rendered = renderRegistryInfo(entries);
    const text = `rrsa: |\n  enable: true\nacr-registry-info: |\n${rendered.replace(/^(?=.)/gm, '  ')}`;
    expect(config(parseConfigurationFile(text)).registries).toEqual(entries);
  });

  it('writes one canonical form, indented two spaces under each `- `', () => {
    expect(renderRegistryInfo(entries.slice(1, 2))).toBe(
      [
        '- instanceId: "cri-abc123"',
        '  regionId: "cn-hangzhou"',
        '  domains: "a.example.com,b.example.com:5000"',
        '  assumeRoleARN: "acs:ram::1234567890123456:role/puller"',
        '  expireDuration: 7200',
        '',
      ].join('\n'),
    );
  });

  it('renders no entries as an empty value, which means the default entry', () => {
    expect(renderRegistryInfo([])).toBe('');
    expect(config(parseConfigurationData({ 'acr-registry-info': renderRegistryInfo([]) })).registriesDefaulted).toBe(
      true,
    );
  });
});
