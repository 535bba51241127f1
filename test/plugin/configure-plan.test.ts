import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseConfigurationData, parseConfigurationFile } from '../../provider/configuration/parse-configuration.js';
import type { AcrConfiguration, RegistryEntry } from '../../provider/configuration/model.js';
import { loadableReferenceExamples, referenceExamplesDir } from '../support/reference-examples.js';
import { planConfigure, planFromFile, type ConfigureRequest } from '../../plugin/configure/configure-plan.js';
import { accessKeySecretKey, type RegistryFieldEdits } from '../../plugin/configure/registry-edits.js';

const enterprise = (instanceId: string, regionId?: string) => ({
  edition: 'enterprise' as const,
  instanceId,
  regionId,
});
const personal = (regionId?: string) => ({ edition: 'personal' as const, regionId });
const upsert = (
  select: ReturnType<typeof enterprise> | ReturnType<typeof personal>,
  fields: RegistryFieldEdits = {},
): ConfigureRequest => ({ registry: { action: 'upsert', select, fields } });

const twoEntries = {
  'acr-registry-info':
    '- instanceId: "cri-one1"\n  regionId: "cn-hangzhou"\n- instanceId: ""\n  regionId: "cn-beijing"\n',
  'notify-email': 'ops@example.com',
  'custom-key': 'kept as is',
};

interface Case {
  name: string;
  current?: Record<string, string>;
  request: ConfigureRequest;
  /** Expected values of keys in the new data. */
  expect: Record<string, string | undefined>;
  secrets?: Record<string, string>;
}

const accepted: Case[] = [
  {
    name: 'adds an Enterprise instance with region and domains to an empty configuration',
    request: upsert(enterprise('cri-abc123', 'cn-hangzhou'), { domains: 'A.example.com, b.example.com:5000' }),
    expect: {
      'acr-registry-info':
        '- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n  domains: "a.example.com,b.example.com:5000"\n',
    },
  },
  {
    name: 'updates an existing instance in place, keeping the other entries and their order',
    current: twoEntries,
    request: upsert(enterprise('cri-one1'), { domains: 'reg.example.com' }),
    expect: {
      'acr-registry-info':
        '- instanceId: "cri-one1"\n  regionId: "cn-hangzhou"\n  domains: "reg.example.com"\n- instanceId: ""\n  regionId: "cn-beijing"\n',
    },
  },
  {
    name: 'moves an instance to another region',
    current: twoEntries,
    request: upsert(enterprise('cri-one1', 'cn-shanghai')),
    expect: {
      'acr-registry-info':
        '- instanceId: "cri-one1"\n  regionId: "cn-shanghai"\n- instanceId: ""\n  regionId: "cn-beijing"\n',
    },
  },
  {
    name: 'adds the Personal Edition of a region',
    current: twoEntries,
    request: upsert(personal('ap-southeast-1')),
    expect: {
      'acr-registry-info':
        '- instanceId: "cri-one1"\n  regionId: "cn-hangzhou"\n- instanceId: ""\n  regionId: "cn-beijing"\n- instanceId: ""\n  regionId: "ap-southeast-1"\n',
    },
  },
  {
    name: 'removes an instance',
    current: twoEntries,
    request: { registry: { action: 'remove', select: enterprise('cri-one1') } },
    expect: { 'acr-registry-info': '- instanceId: ""\n  regionId: "cn-beijing"\n' },
  },
  {
    name: 'clears domains with an empty value',
    current: { 'acr-registry-info': '- instanceId: "cri-one1"\n  domains: "a.example.com"\n' },
    request: upsert(enterprise('cri-one1'), { domains: '' }),
    expect: { 'acr-registry-info': '- instanceId: "cri-one1"\n' },
  },
  {
    name: 'sets an assumed role with its session length',
    request: upsert(enterprise('cri-abc123'), {
      assumeRoleArn: 'acs:ram::123456789012:role/puller',
      expireDuration: '7200',
    }),
    expect: {
      'acr-registry-info':
        '- instanceId: "cri-abc123"\n  assumeRoleARN: "acs:ram::123456789012:role/puller"\n  expireDuration: 7200\n',
    },
  },
  {
    name: 'changes only the session length of an existing role',
    current: {
      'acr-registry-info': '- instanceId: "cri-abc123"\n  assumeRoleARN: "acs:ram::123456789012:role/puller"\n',
    },
    request: upsert(enterprise('cri-abc123'), { expireDuration: '900' }),
    expect: {
      'acr-registry-info':
        '- instanceId: "cri-abc123"\n  assumeRoleARN: "acs:ram::123456789012:role/puller"\n  expireDuration: 900\n',
    },
  },
  {
    name: 'removes an assumed role with an empty ARN',
    current: {
      'acr-registry-info': '- instanceId: "cri-abc123"\n  assumeRoleARN: "acs:ram::123456789012:role/puller"\n',
    },
    request: upsert(enterprise('cri-abc123'), { assumeRoleArn: '' }),
    expect: { 'acr-registry-info': '- instanceId: "cri-abc123"\n' },
  },
  {
    name: 'sets RRSA roles and enables RRSA',
    request: upsert(enterprise('cri-abc123'), {
      rrsaRoleArn: 'acs:ram::123456789012:role/rrsa',
      rrsaOidcProviderArn: 'acs:ram::123456789012:oidc-provider/ack-rrsa-c1',
    }),
    expect: {
      'acr-registry-info':
        '- instanceId: "cri-abc123"\n  rrsaRoleARN: "acs:ram::123456789012:role/rrsa"\n  rrsaOIDCProviderRoleARN: "acs:ram::123456789012:oidc-provider/ack-rrsa-c1"\n',
      rrsa: 'enable: true\n',
    },
  },
  {
    name: 'stores an AccessKey secret in the Secret and only its reference in the ConfigMap',
    request: upsert(enterprise('cri-abc123'), {
      accessKeyId: 'LTAI5tExampleId',
      accessKeySecret: 'the-secret-value\n',
    }),
    expect: {
      'acr-registry-info':
        '- instanceId: "cri-abc123"\n  customAccessKey: "LTAI5tExampleId"\n  customAccessKeySecretRef: "access-key-cri-abc123"\n',
    },
    secrets: { 'access-key-cri-abc123': 'the-secret-value' },
  },
  {
    name: 'returns an entry to the node credentials with an empty AccessKey ID',
    current: {
      'acr-registry-info':
        '- instanceId: ""\n  customAccessKey: "LTAI5tExampleId"\n  customAccessKeySecretRef: "access-key-personal"\n',
    },
    request: upsert(personal(), { accessKeyId: '' }),
    expect: { 'acr-registry-info': '- instanceId: ""\n' },
  },
  {
    name: 'moves a plain-text secret into the Secret whenever the registry list is written',
    current: {
      'acr-registry-info':
        '- instanceId: ""\n  customAccessKey: "LTAIid"\n  customAccessKeySecret: "inline-secret" // from the docs\n',
    },
    request: upsert(enterprise('cri-abc123')),
    expect: {
      'acr-registry-info':
        '- instanceId: ""\n  customAccessKey: "LTAIid"\n  customAccessKeySecretRef: "access-key-personal"\n- instanceId: "cri-abc123"\n',
    },
    secrets: { 'access-key-personal': 'inline-secret' },
  },
  {
    name: 'moves plain-text secrets on request',
    current: {
      'acr-registry-info':
        '- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n  customAccessKey: "LTAIid"\n  customAccessKeySecret: "inline-secret"\n',
    },
    request: { moveInlineSecrets: true },
    expect: {
      'acr-registry-info':
        '- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n  customAccessKey: "LTAIid"\n  customAccessKeySecretRef: "access-key-cri-abc123"\n',
    },
    secrets: { 'access-key-cri-abc123': 'inline-secret' },
  },
  {
    name: 'sets the Secret sync keys and keeps keys it does not manage',
    current: twoEntries,
    request: { serviceAccount: 'default,builder', watchNamespace: 'default,apps', expiringThreshold: '30m' },
    expect: {
      'service-account': 'default,builder',
      'watch-namespace': 'default,apps',
      'expiring-threshold': '30m',
      'notify-email': 'ops@example.com',
      'custom-key': 'kept as is',
      'acr-registry-info': twoEntries['acr-registry-info'],
    },
  },
  {
    name: 'configures the webhook from its defaults',
    request: { webhook: { enabled: true, failurePolicy: 'fail', timeoutSeconds: '15' } },
    expect: { 'webhook-configuration': 'enable: true\nfailure-policy: Fail\ntimeout-seconds: 15\n' },
  },
  {
    name: 'changes one webhook setting and keeps the others',
    current: { 'webhook-configuration': 'enable: true\nfailure-policy: Ignore\ntimeout-seconds: 10\n' },
    request: { webhook: { timeoutSeconds: '5' } },
    expect: { 'webhook-configuration': 'enable: true\nfailure-policy: Ignore\ntimeout-seconds: 5\n' },
  },
  {
    name: 'disables RRSA',
    current: { rrsa: 'enable: true' },
    request: { rrsa: false },
    expect: { rrsa: 'enable: false\n' },
  },
];

describe('planConfigure accepts', () => {
  test.each(accepted)('$name', ({ current, request, expect: expected, secrets }) => {
    const result = planConfigure(current ?? {}, request);
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
    for (const [key, value] of Object.entries(expected)) expect(result.data[key], key).toBe(value);
    expect(result.secrets).toEqual(secrets ?? {});
    expect(parseConfigurationData(result.data).ok).toBe(true);
    for (const value of Object.values(secrets ?? {})) expect(JSON.stringify(result.data)).not.toContain(value);
  });
});

const rejected: { name: string; current?: Record<string, string>; request: ConfigureRequest; code: string }[] = [
  { name: 'a malformed instance id', request: upsert(enterprise('cri_ABC')), code: 'invalid-instance-id' },
  {
    name: "the documentation's placeholder instance id",
    request: upsert(enterprise('cri-instanceId')),
    code: 'placeholder-instance-id',
  },
  { name: 'a malformed region', request: upsert(enterprise('cri-abc123', 'Hangzhou')), code: 'invalid-region' },
  {
    name: 'a domain with a scheme and path',
    request: upsert(enterprise('cri-abc123'), { domains: 'https://reg.example.com/v2' }),
    code: 'invalid-domain',
  },
  {
    name: 'a malformed role ARN',
    request: upsert(enterprise('cri-abc123'), { assumeRoleArn: 'arn:aws:iam::1:role/x' }),
    code: 'invalid-arn',
  },
  {
    name: 'a placeholder role ARN',
    request: upsert(enterprise('cri-abc123'), { assumeRoleArn: 'acs:ram::.*:role/kubernetesworkerrole-test' }),
    code: 'placeholder-arn',
  },
  {
    name: 'expireDuration below 900',
    request: upsert(enterprise('cri-abc123'), { assumeRoleArn: 'acs:ram::123456789012:role/r', expireDuration: '899' }),
    code: 'invalid-expire-duration',
  },
  {
    name: 'expireDuration above 43200',
    request: upsert(enterprise('cri-abc123'), {
      assumeRoleArn: 'acs:ram::123456789012:role/r',
      expireDuration: '43201',
    }),
    code: 'invalid-expire-duration',
  },
  {
    name: 'expireDuration that is not a number',
    request: upsert(enterprise('cri-abc123'), { assumeRoleArn: 'acs:ram::123456789012:role/r', expireDuration: '1h' }),
    code: 'invalid-flag',
  },
  {
    name: 'expireDuration without a role',
    request: upsert(enterprise('cri-abc123'), { expireDuration: '3600' }),
    code: 'invalid-flag',
  },
  {
    name: 'only one RRSA ARN',
    request: upsert(enterprise('cri-abc123'), { rrsaRoleArn: 'acs:ram::123456789012:role/rrsa' }),
    code: 'invalid-flag',
  },
  {
    name: 'a malformed OIDC provider ARN',
    request: upsert(enterprise('cri-abc123'), {
      rrsaRoleArn: 'acs:ram::123456789012:role/rrsa',
      rrsaOidcProviderArn: 'acs:ram::123456789012:role/not-a-provider',
    }),
    code: 'invalid-arn',
  },
  {
    name: 'an AccessKey ID without its secret',
    request: upsert(enterprise('cri-abc123'), { accessKeyId: 'LTAIid' }),
    code: 'invalid-flag',
  },
  {
    name: 'an empty AccessKey secret',
    request: upsert(enterprise('cri-abc123'), { accessKeyId: 'LTAIid', accessKeySecret: '\n' }),
    code: 'invalid-flag',
  },
  {
    name: 'an AccessKey secret without its ID',
    request: upsert(enterprise('cri-abc123'), { accessKeySecret: 's' }),
    code: 'invalid-flag',
  },
  {
    name: 'AccessKey and RRSA together',
    request: upsert(enterprise('cri-abc123'), {
      accessKeyId: 'LTAIid',
      accessKeySecret: 's',
      rrsaRoleArn: 'acs:ram::1:role/r',
    }),
    code: 'invalid-flag',
  },
  {
    name: 'removing an entry that does not exist',
    request: { registry: { action: 'remove', select: enterprise('cri-missing') } },
    code: 'invalid-flag',
  },
  { name: 'a bad expiring-threshold', request: { expiringThreshold: '15 minutes' }, code: 'invalid-duration' },
  { name: 'a bad webhook failure policy', request: { webhook: { failurePolicy: 'Retry' } }, code: 'invalid-flag' },
  { name: 'a webhook timeout above 30', request: { webhook: { timeoutSeconds: '31' } }, code: 'invalid-flag' },
  {
    name: 'disabling RRSA while an entry uses RRSA roles',
    current: {
      rrsa: 'enable: true\n',
      'acr-registry-info':
        '- instanceId: "cri-abc123"\n  rrsaRoleARN: "acs:ram::123456789012:role/rrsa"\n  rrsaOIDCProviderRoleARN: "acs:ram::123456789012:oidc-provider/p"\n',
    },
    request: { rrsa: false },
    code: 'rrsa-not-enabled',
  },
  {
    name: 'any edit of a configuration that is already invalid',
    current: { 'acr-registry-info': '- instanceId: cri-abc123\n regionId: cn-hangzhou\n' },
    request: { watchNamespace: 'default' },
    code: 'current-configuration-invalid',
  },
];

describe('planConfigure rejects', () => {
  test.each(rejected)('$name', ({ current, request, code }) => {
    const result = planConfigure(current ?? {}, request);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.code)).toContain(code);
    for (const problem of result.problems) expect(problem.severity).toBe('error');
  });
});

test('AccessKey Secret keys name the entry they belong to', () => {
  expect(accessKeySecretKey(enterprise('cri-abc123'))).toBe('access-key-cri-abc123');
  expect(accessKeySecretKey(personal('cn-beijing'))).toBe('access-key-personal-cn-beijing');
  expect(accessKeySecretKey(personal())).toBe('access-key-personal');
});

/** What a configuration means, with the secret's location abstracted: moving it into a Secret loses nothing. */
function meaning(config: AcrConfiguration) {
  const entry = (e: RegistryEntry) => ({
    ...e,
    credentials:
      e.credentials.kind === 'access-key'
        ? { kind: 'access-key', accessKeyId: e.credentials.accessKeyId }
        : e.credentials,
  });
  const { data: _data, ...rest } = config;
  return { ...rest, registries: config.registries.map(entry) };
}

const referenceFiles = loadableReferenceExamples();

describe('planFromFile keeps every published configuration', () => {
  test('there is a fixture for each published example', () => {
    expect(referenceFiles.length).toBe(24);
  });
  test.each(referenceFiles)('%s', (file) => {
    const text = readFileSync(join(referenceExamplesDir, file), 'utf8');
    const original = parseConfigurationFile(text);
    if (!original.ok) throw new Error(`${file} no longer parses`);
    const result = planFromFile(text);
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
    const written = parseConfigurationData(result.data);
    if (!written.ok) throw new Error('configure wrote data the parser rejects');
    expect(meaning(written.config)).toEqual(meaning(original.config));
    expect(Object.keys(result.data).sort()).toEqual(Object.keys(original.config.data).sort());
    const inline = original.config.registries.flatMap((e) =>
      e.credentials.kind === 'access-key' && e.credentials.inlineSecret ? [e.credentials.inlineSecret] : [],
    );
    for (const secret of inline) {
      expect(Object.values(result.secrets)).toContain(secret);
      expect(result.data['acr-registry-info']).not.toContain(secret);
    }
  });
});

describe('planFromFile rejects', () => {
  test('a mis-indented key with the line and column in the file', () => {
    const result = planFromFile(
      'data:\n  acr-registry-info: |\n    - instanceId: "cri-abc123"\n   regionId: "cn-hangzhou"\n',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problem = result.problems.find((p) => p.severity === 'error');
    expect(problem?.line).toBeGreaterThan(0);
    expect(problem?.fix).not.toBe('');
  });
  test('a file that is not a ConfigMap', () => {
    const result = planFromFile('apiVersion: v1\nkind: Secret\ndata:\n  a: b\n');
    expect(result.ok).toBe(false);
  });
});
