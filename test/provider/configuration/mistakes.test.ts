// The mistakes users copy from the published examples, and the ones they make
// on their own: accepted with a warning when unambiguous, refused otherwise,
// always with the line and column of the file and a fix.

import { describe, expect, it } from 'vitest';
import {
  parseConfigurationData,
  parseConfigurationFile,
  type ParseResult,
} from '../../../provider/configuration/parse-configuration.js';
import type { Problem } from '../../../provider/common/problem.js';

/** [code, line, column, a fragment of the fix] */
type Expected = [string, number, number, string?];

function matches(problem: Problem, [code, line, column, fix]: Expected): boolean {
  return (
    problem.code === code &&
    problem.line === line &&
    problem.column === column &&
    (fix === undefined || problem.fix.includes(fix))
  );
}

function describeProblems(result: ParseResult): string {
  return JSON.stringify(result.problems.map((p) => [p.severity, p.code, p.line, p.column, p.fix]));
}

const lines = (...text: string[]) => text.join('\n') + '\n';

describe('accepted with a warning', () => {
  it.each<[string, string, Expected, (result: Extract<ParseResult, { ok: true }>) => unknown, unknown]>([
    [
      'domains written as several quoted strings',
      lines('acr-registry-info: |', '  - instanceId: ""', '    domains: "xxx.com","yyy.com"'),
      ['quoted-list', 3, 14, 'domains: "xxx.com,yyy.com"'],
      (r) => r.config.registries[0]?.domains,
      ['xxx.com', 'yyy.com'],
    ],
    [
      'a // comment after a value, in Chinese',
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    customAccessKey: "LTAIexample" // 此處填寫已創建的RAM用戶的AccessKey ID。',
        '    customAccessKeySecretRef: acr-key',
      ),
      ['slash-comment', 3, 36, '#'],
      (r) => r.config.registries[0]?.credentials,
      { kind: 'access-key', accessKeyId: 'LTAIexample', secret: { kind: 'secret-ref', key: 'acr-key' } },
    ],
    [
      'a // comment after an unquoted value (YAML would have kept it in the value)',
      lines('acr-registry-info: |', '  - instanceId: cri-abc123 // my instance'),
      ['slash-comment', 2, 28],
      (r) => r.config.registries[0],
      { edition: 'enterprise', instanceId: 'cri-abc123' },
    ],
    [
      'a // comment on a line of its own',
      lines('acr-registry-info: |', '  // the Enterprise instance', '  - instanceId: cri-abc123'),
      ['slash-comment', 2, 3],
      (r) => r.config.registries[0],
      { edition: 'enterprise', instanceId: 'cri-abc123' },
    ],
    [
      'metadata that cannot be read at all, in a manifest',
      lines(
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: acr-configuration',
        ' namespace: kube-system',
        'data:',
        '  watch-namespace: all',
      ),
      ['metadata-ignored', 5, 1, 'Line up the keys under `metadata`'],
      (r) => r.config.watchNamespaces,
      { all: true },
    ],
    [
      "a list item's later key indented deeper than its first key",
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '      regionId: "cn-hangzhou"',
        '      domains: "a.example.com"',
      ),
      ['indentation-repaired', 3, 7, 'line up with `instanceId`'],
      (r) => r.config.registries[0],
      { regionId: 'cn-hangzhou', domains: ['a.example.com'] },
    ],
    [
      'service-account: * unquoted, as the docs describe it',
      lines('service-account: *', 'watch-namespace: all'),
      ['unquoted-asterisk', 1, 18, 'service-account: "*"'],
      (r) => r.config.serviceAccounts,
      { all: true },
    ],
    [
      'no space after the colon of a data key',
      lines('notify-email:"cs@aliyuncs.com"', 'watch-namespace:"all"'),
      ['missing-space-after-colon', 2, 17, 'watch-namespace: <value>'],
      (r) => r.config.watchNamespaces,
      { all: true },
    ],
    [
      'mis-indented metadata in a whole manifest',
      lines(
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        ' name: acr-configuration',
        '  namespace: kube-system',
        'data:',
        '  service-account: "a,b"',
      ),
      ['indentation-repaired', 5, 3, 'line up with `name`'],
      (r) => r.config.serviceAccounts,
      { all: false, names: ['a', 'b'] },
    ],
    [
      'non-breaking spaces copied from a web page',
      lines('data:', '\u00a0\u00a0watch-namespace:\u00a0all'),
      ['non-breaking-space', 2, 1, 'ordinary spaces'],
      (r) => r.config.watchNamespaces,
      { all: true },
    ],
    [
      'a registry field with the wrong capitals',
      lines(
        'acr-registry-info: |',
        '  - instanceID: "cri-abc"',
        '    regionID: "cn-beijing"',
        '    assumeRoleArn: "acs:ram::1234567890123456:role/puller"',
      ),
      ['field-name-case', 2, 5, '`instanceId`'],
      (r) => r.config.registries[0],
      {
        edition: 'enterprise',
        instanceId: 'cri-abc',
        regionId: 'cn-beijing',
        assumeRole: { roleArn: 'acs:ram::1234567890123456:role/puller', durationSeconds: 3600 },
      },
    ],
    [
      'an unknown data key close to a known one',
      lines('service-acount: "*"'),
      ['unknown-key', 1, 1, '`service-account`'],
      (r) => r.config.serviceAccounts,
      { all: false, names: ['default'] },
    ],
    [
      'an unknown registry field close to a known one',
      lines('acr-registry-info: |', '  - instanceId: ""', '    domain: "a.example.com"'),
      ['unknown-field', 3, 5, '`domains`'],
      (r) => r.config.registries[0]?.domains,
      undefined,
    ],
    [
      'RRSA roles while `rrsa` is not enabled',
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    rrsaRoleARN: acs:ram::1234567890123456:role/a',
        '    rrsaOIDCProviderRoleARN: acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1',
      ),
      ['rrsa-not-enabled', 3, 18, '`rrsa`'],
      (r) => r.config.registries[0]?.credentials,
      {
        kind: 'rrsa',
        roleArn: 'acs:ram::1234567890123456:role/a',
        oidcProviderArn: 'acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1',
      },
    ],
    [
      'a plain-text AccessKey secret',
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    customAccessKey: LTAIexample',
        '    customAccessKeySecret: hunter2',
      ),
      ['plaintext-secret', 4, 28, 'kubectl acr configure --access-key-id <id> --access-key-secret-stdin'],
      (r) => r.config.registries[0]?.credentials,
      { kind: 'access-key', accessKeyId: 'LTAIexample', secret: { kind: 'inline' }, inlineSecret: 'hunter2' },
    ],
    [
      'failure-policy in the wrong case',
      lines('webhook-configuration: |', '  enable: true', '  failure-policy: fail'),
      ['value-case', 3, 19, 'Fail'],
      (r) => r.config.webhook,
      { enabled: true, failurePolicy: 'Fail', timeoutSeconds: 10 },
    ],
    [
      'a field of no ConfigMap in a manifest',
      lines('apiVersion: v1', 'kind: ConfigMap', 'spec:', '  x: 1', 'data:', '  watch-namespace: all'),
      ['unknown-manifest-field', 3, 1],
      (r) => r.config.watchNamespaces,
      { all: true },
    ],
    [
      'an unquoted number as a data value',
      lines('acr-api-version: 2018'),
      ['value-not-a-string', 1, 18],
      (r) => r.config.data['acr-api-version'],
      '2018',
    ],
  ])('%s', (_name, text, expected, pick, value) => {
    const result = parseConfigurationFile(text);
    expect(result.ok, describeProblems(result)).toBe(true);
    if (!result.ok) return;
    expect(
      result.problems.some((problem) => problem.severity === 'warning' && matches(problem, expected)),
      describeProblems(result),
    ).toBe(true);
    expect(pick(result)).toMatchObject(value as object);
  });
});

describe('refused with an error', () => {
  it.each<[string, string, Expected]>([
    [
      'a key that falls out of its list item',
      lines('acr-registry-info: |', '  - instanceId: ""', '  regionId: "cn-hangzhou"'),
      ['key-outside-list-item', 3, 3, 'Indent `regionId` to line up with `instanceId`'],
    ],
    [
      'a key at column 1 after `- instanceId:`',
      lines('data:', '  acr-registry-info: |', '    - instanceId: ""', '    regionId: "cn-hangzhou"'),
      ['key-outside-list-item', 4, 5, 'line up with `instanceId`'],
    ],
    [
      'acr-registry-info lines not indented under `|`',
      lines('acr-registry-info: |', '- instanceId: ""', '  regionId: cn-beijing'),
      ['block-not-indented', 2, 1, 'Indent every line of the `acr-registry-info` value'],
    ],
    [
      'acr-registry-info lines level with the key in a manifest',
      lines('data:', '  acr-registry-info: |', '  - instanceId: ""'),
      ['block-not-indented', 3, 3, 'two spaces more'],
    ],
    [
      'a data key beside `data:` in a manifest',
      lines('data:', '  service-account: a', 'watch-namespace: all'),
      ['key-outside-data', 3, 1, 'under `data`'],
    ],
    ['a tab in the indentation', lines('data:', '\tservice-account: default'), ['tab-indentation', 2, 1, 'spaces']],
    [
      'a tab inside acr-registry-info',
      lines('acr-registry-info: |', '  - instanceId: ""', '  \tregionId: cn-beijing'),
      ['tab-indentation', 3, 3, 'spaces'],
    ],
    [
      'acr-registry-info that is a map, not a list',
      lines('acr-registry-info: |', '  instanceId: ""', '  regionId: cn-beijing'),
      ['registry-info-not-a-list', 2, 3, '`- `'],
    ],
    [
      'acr-registry-info written as YAML instead of a string',
      lines('acr-registry-info:', '  - instanceId: ""'),
      ['value-not-a-string', 2, 3, '`acr-registry-info: |`'],
    ],
    ['a list item that is not a map', lines('acr-registry-info: |', '  - cri-abc'), ['registry-entry-not-a-map', 2, 5]],
    ['a bad duration', lines('expiring-threshold: 15 minutes'), ['invalid-duration', 1, 21, '`15m`']],
    ['a negative duration', lines('expiring-threshold: "-5m"'), ['invalid-duration', 1, 22]],
    [
      'an instance ID in capitals',
      lines('acr-registry-info: |', '  - instanceId: "CRI-ABC123"'),
      ['invalid-instance-id', 2, 17, '`cri-`'],
    ],
    [
      'an instance ID that is a name',
      lines('acr-registry-info: |', '  - instanceId: my-registry'),
      ['invalid-instance-id', 2, 17],
    ],
    [
      'a region that is not a region ID',
      lines('acr-registry-info: |', '  - instanceId: ""', '    regionId: hangzhou'),
      ['invalid-region', 3, 15, '`cn-hangzhou`'],
    ],
    [
      'expireDuration below 900',
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    assumeRoleARN: acs:ram::1234567890123456:role/r',
        '    expireDuration: 600',
      ),
      ['invalid-expire-duration', 4, 21],
    ],
    [
      'expireDuration above 43200',
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    assumeRoleARN: acs:ram::1234567890123456:role/r',
        '    expireDuration: "50000"',
      ),
      ['invalid-expire-duration', 4, 21],
    ],
    [
      'expireDuration as a Go duration',
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    assumeRoleARN: acs:ram::1234567890123456:role/r',
        '    expireDuration: 1h',
      ),
      ['invalid-expire-duration', 4, 21, 'seconds'],
    ],
    [
      'customAccessKey without its secret',
      lines('acr-registry-info: |', '  - instanceId: ""', '    customAccessKey: LTAIexample'),
      ['incomplete-pair', 3, 22, '--access-key-secret-stdin'],
    ],
    [
      'customAccessKeySecret without its key',
      lines('acr-registry-info: |', '  - instanceId: ""', '    customAccessKeySecret: hunter2'),
      ['incomplete-pair', 3, 28, 'customAccessKey'],
    ],
    [
      'rrsaRoleARN without the provider ARN',
      lines(
        'rrsa: |',
        '  enable: true',
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    rrsaRoleARN: acs:ram::1234567890123456:role/a',
      ),
      ['incomplete-pair', 5, 18, 'rrsaOIDCProviderRoleARN'],
    ],
    [
      'an AccessKey and RRSA in one entry',
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    customAccessKey: k',
        '    customAccessKeySecretRef: s',
        '    rrsaRoleARN: acs:ram::1:role/a',
        '    rrsaOIDCProviderRoleARN: acs:ram::1:oidc-provider/p',
      ),
      ['conflicting-credentials', 5, 18],
    ],
    [
      'a customAccessKeySecretRef that is no Secret key',
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    customAccessKey: LTAIexample',
        '    customAccessKeySecretRef: my/secret',
      ),
      ['invalid-secret-key', 4, 31, 'letters, digits'],
    ],
    [
      'both an inline secret and a Secret reference',
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    customAccessKey: LTAIexample',
        '    customAccessKeySecret: hunter2',
        '    customAccessKeySecretRef: acr-key',
      ),
      ['conflicting-credentials', 5, 31, 'Remove `customAccessKeySecret`'],
    ],
    [
      'a malformed ARN',
      lines('acr-registry-info: |', '  - instanceId: ""', '    assumeRoleARN: arn:aws:iam::123:role/x'),
      ['invalid-arn', 3, 20, 'acs:ram::<account-id>:role/<role-name>'],
    ],
    [
      'a domain with a scheme',
      lines('acr-registry-info: |', '  - instanceId: ""', '    domains: https://a.example.com'),
      ['invalid-domain', 3, 14, 'Remove `https://`'],
    ],
    [
      'a domain with a path',
      lines('acr-registry-info: |', '  - instanceId: ""', '    domains: a.example.com/ns'),
      ['invalid-domain', 3, 14, 'Remove the path'],
    ],
    [
      'domains separated by spaces',
      lines('acr-registry-info: |', '  - instanceId: ""', '    domains: a.example.com b.example.com'),
      ['invalid-domain', 3, 14, 'commas'],
    ],
    [
      'a webhook failure-policy that does not exist',
      lines('webhook-configuration: |', '  enable: true', '  failure-policy: Never'),
      ['invalid-failure-policy', 3, 19, 'Ignore'],
    ],
    [
      'a webhook timeout above 30',
      lines('webhook-configuration: |', '  timeout-seconds: 31'),
      ['invalid-timeout', 2, 20],
    ],
    ['rrsa enable that is not a boolean', lines('rrsa: |', '  enable: yes'), ['invalid-boolean', 2, 11]],
    ['a duplicate data key', lines('service-account: a', 'service-account: b'), ['yaml-syntax', 2, 1]],
    ['a file that is a list', lines('- service-account: a'), ['not-a-map', 1, 1]],
    [
      'a manifest of another kind',
      lines('apiVersion: v1', 'kind: Secret', 'data:', '  service-account: a'),
      ['not-a-configmap', 2, 7],
    ],
  ])('%s', (_name, text, expected) => {
    const result = parseConfigurationFile(text);
    expect(result.ok, describeProblems(result)).toBe(false);
    expect(
      result.problems.some((problem) => problem.severity === 'error' && matches(problem, expected)),
      describeProblems(result),
    ).toBe(true);
  });

  it('never quotes the AccessKey secret, even in YAML syntax errors', () => {
    const secret = 'Zr7Yq2SecretValue';
    for (const text of [
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    customAccessKey: LTAIexample',
        `    customAccessKeySecret: "${secret}"x`,
      ),
      lines('acr-registry-info: |', '  - instanceId: ""', `    customAccessKeySecret: ${secret}`),
      lines(
        'acr-registry-info: |',
        '  - instanceId: bad',
        '    customAccessKey: LTAIexample',
        `    customAccessKeySecret: ${secret} // the secret`,
      ),
      lines(
        'acr-registry-info: |',
        '  - instanceId: bad',
        '    customAccessKey: LTAIexample',
        `    customAccessKeySecret: "${secret}","${secret}"`,
      ),
      // The yaml library quotes the source in some messages.
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    customAccessKey: LTAIexample',
        `    customAccessKeySecret: |"${secret}"`,
      ),
      lines(
        'watch-namespace: "all"{',
        'acr-registry-info: |',
        '  - |instanceId: ""',
        '    customAccessKey: LTAIexample',
        `    customAccessKeySecret: "${secret}"`,
      ),
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    customAccessKey: LTAIexample',
        `    customAccessKeySecret: "${secret}\\q"`,
      ),
      lines(
        'acr-registry-info: |',
        '  - instanceId: ""',
        '    customAccessKey: LTAIexample',
        `    customAccessKeySecret${secret}: x`,
      ),
    ]) {
      const result = parseConfigurationFile(text);
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result.problems)).not.toContain(secret);
      expect(
        JSON.stringify(parseConfigurationData({ 'acr-registry-info': text.split('\n').slice(1).join('\n') }).problems),
      ).not.toContain(secret);
    }
  });
});

describe('positions inside values that are not block scalars', () => {
  it.each<[string, string, Expected]>([
    [
      'a one-line quoted value: the column inside the quotes',
      lines('acr-registry-info: "- instanceId: Bad"'),
      ['invalid-instance-id', 1, 35],
    ],
    ['a one-line plain value', lines('expiring-threshold: 15 min'), ['invalid-duration', 1, 21]],
    [
      'later lines of an escaped value: the start of the value',
      lines('acr-registry-info: "- instanceId: \\"\\"\\n  regionId: bad"'),
      ['invalid-region', 1, 20],
    ],
  ])('%s', (_name, text, expected) => {
    const result = parseConfigurationFile(text);
    expect(
      result.problems.some((problem) => matches(problem, expected)),
      describeProblems(result),
    ).toBe(true);
  });
});

describe('ConfigMap data from the API', () => {
  it('positions problems within the key value', () => {
    const result = parseConfigurationData({
      'acr-registry-info': '- instanceId: ""\n  domains: "a.com","b.com"\n- instanceId: Bad',
    });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.severity, p.code, p.key, p.line, p.column])).toEqual([
      ['warning', 'quoted-list', 'acr-registry-info', 2, 12],
      ['error', 'invalid-instance-id', 'acr-registry-info', 3, 15],
    ]);
  });

  it('refuses a key at column 1 after `- instanceId:`', () => {
    const result = parseConfigurationData({ 'acr-registry-info': '- instanceId: ""\nregionId: "cn-hangzhou"' });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'key-outside-list-item',
        key: 'acr-registry-info',
        line: 2,
        column: 1,
        fix: 'Indent `regionId` to line up with `instanceId`.',
      }),
    ]);
  });

  it('reports unknown keys without a position', () => {
    const result = parseConfigurationData({ 'watch-namespaces': 'all' });
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'unknown-key', key: 'watch-namespaces', fix: 'Did you mean `watch-namespace`?' }),
    ]);
    expect(result.problems[0]?.line).toBeUndefined();
  });

  it('keeps every key it was given, known or not, in `data`', () => {
    const data = { 'service-account': 'a', 'x-custom': 'kept', 'notify-email': 'ops@example.com' };
    const result = parseConfigurationData(data);
    expect(result.ok && result.config.data).toEqual(data);
    expect(result.ok && result.config.ignoredKeys).toEqual(['notify-email']);
  });
});
