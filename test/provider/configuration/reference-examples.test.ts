// Every acr-configuration example in /work/shared/reference (copied verbatim
// into fixtures/, mistakes and trailing spaces included) must keep loading.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  parseConfigurationData,
  parseConfigurationFile,
  type ParseResult,
} from '../../../provider/configuration/parse-configuration.js';
import type { AcrConfiguration, CredentialSource, RegistryEntry } from '../../../provider/configuration/model.js';
import type { Problem } from '../../../provider/common/problem.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

type Fields = Partial<Omit<RegistryEntry, 'edition' | 'index'>>;
const nodeCredentials: CredentialSource = { kind: 'node' };
const personal = (index: number, fields: Fields = {}): RegistryEntry => ({
  edition: 'personal',
  index,
  regionId: undefined,
  domains: undefined,
  credentials: nodeCredentials,
  assumeRole: undefined,
  ...fields,
});
const enterprise = (index: number, instanceId: string, fields: Fields = {}): RegistryEntry => ({
  ...personal(index, fields),
  edition: 'enterprise',
  instanceId,
});
const inlineKey: CredentialSource = {
  kind: 'access-key',
  accessKeyId: 'xxxxx',
  secret: { kind: 'inline' },
  inlineSecret: 'xxxxxx',
};
const placeholderRole = { roleArn: 'acs:ram::.*:role/kubernetesworkerrole-test', durationSeconds: 3600 };

/** [code, line, column] */
type Expected = [string, number, number];

interface Example {
  file: string;
  registries: RegistryEntry[];
  warnings: Expected[];
  /** Data keys as the file spells them. */
  settings?: Partial<
    Pick<
      AcrConfiguration,
      'watchNamespaces' | 'serviceAccounts' | 'expiringThresholdSeconds' | 'rrsaEnabled' | 'ignoredKeys'
    >
  >;
}

const legacy: NonNullable<Example['settings']> = {
  watchNamespaces: { all: true },
  serviceAccounts: { all: false, names: ['default'] },
  expiringThresholdSeconds: 900,
  ignoredKeys: ['notify-email'],
};
const notifyEmail: Expected = ['ignored-key', 5, 5];
const hantNotifyEmail: Expected[] = [['missing-space-after-colon', 5, 18], notifyEmail];
const slashComments: Expected[] = [
  ['slash-comment', 8, 34],
  ['slash-comment', 9, 41],
  ['plaintext-secret', 9, 32],
];

const examples: Example[] = [
  // en: whole manifests copied from the console, with U+00A0 indentation and ` name:` / `  namespace:` out of line.
  {
    file: 'en-line89.yaml',
    registries: [enterprise(0, 'cri-xxx', { regionId: 'cn-hangzhou' })],
    warnings: [
      ['non-breaking-space', 1, 12],
      ['indentation-repaired', 13, 3],
      ['ignored-key', 3, 3],
    ],
    settings: { ...legacy, ignoredKeys: ['acr-api-version'] },
  },
  {
    file: 'en-line104.yaml',
    registries: [personal(0, { regionId: 'cn-hangzhou' })],
    warnings: [
      ['non-breaking-space', 1, 12],
      ['ignored-key', 3, 3],
    ],
    settings: { ...legacy, ignoredKeys: ['acr-api-version'] },
  },
  {
    file: 'en-line123.yaml',
    registries: [enterprise(0, 'cri-xxx', { regionId: 'cn-hangzhou', domains: ['xxx.com', 'yyy.com'] })],
    warnings: [notifyEmail],
    settings: legacy,
  },
  {
    file: 'en-line133.yaml',
    registries: [personal(0, { regionId: 'cn-hangzhou', domains: ['xxx.com', 'yyy.com'] })],
    warnings: [notifyEmail],
    settings: legacy,
  },
  {
    file: 'en-line143.yaml',
    registries: [personal(0), enterprise(1, 'cri-xxxx')],
    warnings: [notifyEmail],
    settings: legacy,
  },
  {
    file: 'en-line183.yaml',
    registries: [personal(0, { regionId: 'cn-beijing' }), personal(1, { regionId: 'cn-hangzhou' })],
    warnings: [notifyEmail],
    settings: legacy,
  },
  {
    file: 'en-line240.yaml',
    registries: [
      personal(0, {
        regionId: 'cn-beijing',
        domains: ['registry.cn-beijing.aliyuncs.com'],
        assumeRole: placeholderRole,
      }),
    ],
    warnings: [notifyEmail, ['placeholder-arn', 10, 24]],
    settings: legacy,
  },
  {
    file: 'en-line260.yaml',
    registries: [personal(0, { credentials: inlineKey })],
    warnings: [notifyEmail, ...slashComments],
    settings: legacy,
  },
  // zh-2019: the page lost its line breaks; restored, the ConfigMap holds only a legacy key and comments.
  {
    file: 'zh-2019-line64-restored.yaml',
    registries: [personal(0)],
    warnings: [['ignored-key', 8, 5]],
    settings: { ignoredKeys: ['acr-api-version'], watchNamespaces: { all: false, names: ['default'] } },
  },
  // zh-2021: the Personal Edition manifest indents `regionId` deeper than `instanceId`.
  {
    file: 'zh-2021-line121.yaml',
    registries: [enterprise(0, 'cri-xxx', { regionId: 'cn-hangzhou' })],
    warnings: [
      ['non-breaking-space', 1, 12],
      ['indentation-repaired', 13, 3],
      ['ignored-key', 3, 3],
    ],
    settings: { ignoredKeys: ['acr-api-version'] },
  },
  {
    file: 'zh-2021-line140.yaml',
    registries: [personal(0, { regionId: 'cn-hangzhou' })],
    warnings: [
      ['non-breaking-space', 1, 12],
      ['indentation-repaired', 6, 9],
      ['ignored-key', 3, 3],
    ],
    settings: { ignoredKeys: ['acr-api-version'] },
  },
  {
    file: 'zh-2021-line164.yaml',
    registries: [enterprise(0, 'cri-xxx', { regionId: 'cn-hangzhou', domains: ['xxx.com', 'yyy.com'] })],
    warnings: [notifyEmail, ['quoted-list', 9, 18]],
    settings: legacy,
  },
  {
    file: 'zh-2021-line178.yaml',
    registries: [personal(0, { regionId: 'cn-hangzhou', domains: ['xxx.com', 'yyy.com'] })],
    warnings: [notifyEmail, ['quoted-list', 9, 18]],
    settings: legacy,
  },
  {
    file: 'zh-2021-line192.yaml',
    registries: [personal(0), enterprise(1, 'cri-xxxx')],
    warnings: [notifyEmail],
    settings: legacy,
  },
  {
    file: 'zh-2021-line247.yaml',
    registries: [personal(0, { regionId: 'cn-beijing' }), personal(1, { regionId: 'cn-hangzhou' })],
    warnings: [notifyEmail],
    settings: legacy,
  },
  {
    file: 'zh-2021-line334.yaml',
    registries: [
      personal(0, {
        regionId: 'cn-beijing',
        domains: ['registry.cn-beijing.aliyuncs.com'],
        assumeRole: placeholderRole,
      }),
    ],
    warnings: [notifyEmail, ['placeholder-arn', 10, 24]],
    settings: legacy,
  },
  {
    file: 'zh-2021-line360.yaml',
    registries: [personal(0, { credentials: inlineKey })],
    warnings: [notifyEmail, ...slashComments],
    settings: legacy,
  },
  // zh-hant (current): `key:"value"` and `acr-registry-info:|` without spaces, a placeholder instance ID, RRSA, the webhook.
  {
    file: 'zh-hant-current-line247.yaml',
    registries: [
      enterprise(0, 'cri-instanceId', {
        regionId: 'cn-hangzhou',
        domains: ['instance.default.domain.com', 'instance.custom.domain.com'],
      }),
    ],
    warnings: [...hantNotifyEmail, ['missing-space-after-colon', 6, 23], ['placeholder-instance-id', 7, 21]],
    settings: legacy,
  },
  {
    file: 'zh-hant-current-line267.yaml',
    registries: [
      enterprise(0, 'cri-instanceId', { regionId: 'cn-beijing' }),
      enterprise(1, 'cri-instanceId', { regionId: 'cn-hangzhou' }),
    ],
    warnings: [...hantNotifyEmail, ['placeholder-instance-id', 7, 21], ['placeholder-instance-id', 9, 21]],
    settings: legacy,
  },
  {
    file: 'zh-hant-current-line376.yaml',
    registries: [
      enterprise(0, 'cri-xxx', {
        regionId: 'cn-hangzhou',
        credentials: { kind: 'rrsa', roleArn: 'aUserRoleARN', oidcProviderArn: 'aUserClusterOIDCProviderRoleARN' },
        assumeRole: { roleArn: 'bUserRoleARN', durationSeconds: 3600 },
      }),
    ],
    warnings: [
      ['placeholder-arn', 7, 20],
      ['placeholder-arn', 8, 32],
      ['placeholder-arn', 9, 22],
    ],
    settings: { rrsaEnabled: true, ignoredKeys: [] },
  },
  {
    file: 'zh-hant-current-line483.yaml',
    registries: [
      personal(0, {
        regionId: 'cn-beijing',
        domains: ['registry.cn-beijing.aliyuncs.com'],
        assumeRole: placeholderRole,
      }),
    ],
    warnings: [...hantNotifyEmail, ['placeholder-arn', 10, 24]],
    settings: legacy,
  },
  {
    file: 'zh-hant-current-line507.yaml',
    registries: [personal(0, { credentials: inlineKey })],
    warnings: [...hantNotifyEmail, ...slashComments],
    settings: legacy,
  },
  {
    file: 'zh-hant-current-line527.yaml',
    registries: [personal(0, { regionId: 'cn-xxxx' })],
    warnings: hantNotifyEmail,
    settings: legacy,
  },
  { file: 'zh-hant-current-line546.yaml', registries: [personal(0)], warnings: [], settings: { ignoredKeys: [] } },
];

function okConfig(result: ParseResult): AcrConfiguration {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.problems, null, 1)}`);
  for (const problem of result.problems) expect(problem.severity).toBe('warning');
  return result.config;
}

const positions = (problems: Problem[]): Expected[] =>
  problems.map((p): Expected => [p.code, p.line ?? 0, p.column ?? 0]).sort();
const shifted = (expected: Expected[], lines: number): Expected[] =>
  expected.map(([code, line, column]): Expected => [code, line + lines, column]).sort();

const MANIFEST_HEADER =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: acr-configuration\n  namespace: kube-system\n';

describe('reference-doc examples', () => {
  it('covers every fixture file', () => {
    const files = readdirFixtures().filter((name) => !name.endsWith('-verbatim.yaml'));
    expect(examples.map((example) => example.file).sort()).toEqual(files.sort());
  });

  describe.each(examples)('$file', (example) => {
    const text = fixture(example.file);

    it('parses as written, with the expected entries and warnings', () => {
      const result = parseConfigurationFile(text);
      const config = okConfig(result);
      expect(config.registries).toEqual(example.registries);
      expect(config.registriesDefaulted).toBe(example.registries.length === 1 && !text.includes('acr-registry-info'));
      expect(config).toMatchObject(example.settings ?? {});
      expect(positions(result.problems)).toEqual([...example.warnings].sort());
    });

    it('parses as the node mirror writes it (yaml.stringify of the data)', () => {
      const data = okConfig(parseConfigurationFile(text)).data;
      const result = parseConfigurationFile(stringify(data));
      expect(okConfig(result).data).toEqual(data);
      expect(okConfig(result).registries).toEqual(example.registries);
    });

    it('parses as ConfigMap data read from the API, with the same registry warnings', () => {
      const fromFile = parseConfigurationFile(text);
      const data = okConfig(fromFile).data;
      const result = parseConfigurationData(data);
      expect(okConfig(result).registries).toEqual(example.registries);
      // Repairs of the file's own layout (no `key`) have nothing to repair in API data.
      const codes = (problems: Problem[]) => problems.map((p) => p.code).sort();
      expect(codes(result.problems)).toEqual(codes(fromFile.problems.filter((p) => p.key !== undefined)));
    });
  });

  // The examples that are just `data:` blocks: also as the node mirror's bare map and inside a manifest.
  describe.each(examples.filter((example) => fixture(example.file).startsWith('data:')))('$file', (example) => {
    const text = fixture(example.file);

    it('parses as the bare data map the node mirror writes', () => {
      const result = parseConfigurationFile(text.slice(text.indexOf('\n') + 1));
      expect(okConfig(result).registries).toEqual(example.registries);
      expect(positions(result.problems)).toEqual(shifted(example.warnings, -1));
    });

    it('parses inside a whole ConfigMap manifest', () => {
      const result = parseConfigurationFile(MANIFEST_HEADER + text);
      expect(okConfig(result).registries).toEqual(example.registries);
      expect(positions(result.problems)).toEqual(shifted(example.warnings, 5));
    });
  });

  it('refuses the zh-2019 manifest whose line breaks the page lost, pointing at the first bad key', () => {
    const result = parseConfigurationFile(fixture('zh-2019-line64-verbatim.yaml'));
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ severity: 'error', code: 'yaml-syntax', line: 1, column: 13 });
  });

  it('never puts the AccessKey secret into a problem', () => {
    for (const file of ['en-line260.yaml', 'zh-2021-line360.yaml', 'zh-hant-current-line507.yaml']) {
      const text = fixture(file).replace('"xxxxxx"', '"S3cr3tValue"');
      const result = parseConfigurationFile(text);
      expect(okConfig(result).registries[0]?.credentials).toMatchObject({ inlineSecret: 'S3cr3tValue' });
      expect(JSON.stringify(result.problems)).not.toContain('S3cr3tValue');
    }
  });
});

function readdirFixtures(): string[] {
  return readdirSync(new URL('fixtures/', import.meta.url));
}
