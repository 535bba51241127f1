import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { parseConfigurationData, parseConfigurationFile } from '../../provider/configuration/parse-configuration.js';
import { loadableReferenceExamples, referenceExamplesDir } from '../support/reference-examples.js';
import { configMap, startHarness, storedConfigMap, type PluginHarness } from './plugin-harness.js';

let h: PluginHarness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const stored = () => storedConfigMap(h.api)?.data ?? {};
const secretObject = () =>
  h.api.get('secrets', 'kube-system', 'acr-configuration-secrets') as { data?: Record<string, string> } | undefined;

describe('configure through the binary', () => {
  test('creates the ConfigMap when absent, as canonical YAML', async () => {
    const result = await h.run([
      'configure',
      '--instance-id',
      'cri-abc123',
      '--region',
      'cn-hangzhou',
      '--domains',
      'reg.example.com',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('configmap/acr-configuration created\n');
    expect(stored()).toEqual({
      'acr-registry-info': '- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n  domains: "reg.example.com"\n',
    });
  });

  test('each flag lands in its key, and keys and labels it does not manage stay', async () => {
    h.api.seed(
      configMap(
        { 'notify-email': 'ops@example.com', 'acr-api-version': '2018-12-01' },
        { labels: { team: 'platform' } },
      ),
    );
    const steps: [string[], (data: Record<string, string>) => void][] = [
      [
        ['--instance-id', 'cri-abc123', '--region', 'cn-hangzhou'],
        (d) => expect(d['acr-registry-info']).toBe('- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n'),
      ],
      [
        ['--instance-id', 'cri-abc123', '--domains', 'a.example.com,b.example.com'],
        (d) => expect(d['acr-registry-info']).toContain('  domains: "a.example.com,b.example.com"\n'),
      ],
      [
        [
          '--instance-id',
          'cri-abc123',
          '--assume-role-arn',
          'acs:ram::123456789012:role/puller',
          '--expire-duration',
          '1800',
        ],
        (d) =>
          expect(d['acr-registry-info']).toContain(
            '  assumeRoleARN: "acs:ram::123456789012:role/puller"\n  expireDuration: 1800\n',
          ),
      ],
      [
        [
          '--personal',
          '--region',
          'cn-beijing',
          '--rrsa-role-arn',
          'acs:ram::123456789012:role/rrsa',
          '--rrsa-oidc-provider-arn',
          'acs:ram::123456789012:oidc-provider/ack-rrsa-x',
        ],
        (d) => {
          expect(d['acr-registry-info']).toContain(
            '- instanceId: ""\n  regionId: "cn-beijing"\n  rrsaRoleARN: "acs:ram::123456789012:role/rrsa"\n  rrsaOIDCProviderRoleARN: "acs:ram::123456789012:oidc-provider/ack-rrsa-x"\n',
          );
          expect(d.rrsa).toBe('enable: true\n');
        },
      ],
      [['--service-account', 'default,builder'], (d) => expect(d['service-account']).toBe('default,builder')],
      [['--watch-namespace', 'default,apps'], (d) => expect(d['watch-namespace']).toBe('default,apps')],
      [['--expiring-threshold', '20m'], (d) => expect(d['expiring-threshold']).toBe('20m')],
      [
        ['--webhook', '--webhook-failure-policy', 'Fail', '--webhook-timeout-seconds', '12'],
        (d) => expect(d['webhook-configuration']).toBe('enable: true\nfailure-policy: Fail\ntimeout-seconds: 12\n'),
      ],
      [
        ['--no-webhook'],
        (d) => expect(d['webhook-configuration']).toBe('enable: false\nfailure-policy: Fail\ntimeout-seconds: 12\n'),
      ],
      [
        ['--personal', '--region', 'cn-beijing', '--remove-instance'],
        (d) => expect(d['acr-registry-info']).not.toContain('cn-beijing'),
      ],
      [['--no-rrsa'], (d) => expect(d.rrsa).toBe('enable: false\n')],
    ];
    for (const [flags, check] of steps) {
      const result = await h.run(['configure', ...flags]);
      expect(result.code, `${flags.join(' ')}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toBe('configmap/acr-configuration configured\n');
      check(stored());
    }
    expect(stored()['notify-email']).toBe('ops@example.com');
    expect(stored()['acr-api-version']).toBe('2018-12-01');
    expect(storedConfigMap(h.api)?.metadata.labels).toEqual({ team: 'platform' });
    expect(parseConfigurationData(stored()).ok).toBe(true);
  });

  test('re-applying the same settings changes nothing', async () => {
    await h.run(['configure', '--watch-namespace', 'default']);
    const before = storedConfigMap(h.api)?.metadata.resourceVersion;
    const result = await h.run(['configure', '--watch-namespace', 'default']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('configmap/acr-configuration unchanged\n');
    expect(storedConfigMap(h.api)?.metadata.resourceVersion).toBe(before);
  });

  const invalid: [string, string[], RegExp][] = [
    ['a bad duration', ['--expiring-threshold', '15 minutes'], /expiring-threshold `15 minutes` is not a duration/],
    ['a malformed instance id', ['--instance-id', 'CRI-abc'], /is not an Enterprise Edition instance ID/],
    ['a malformed ARN', ['--instance-id', 'cri-abc123', '--assume-role-arn', 'role/puller'], /is not an ARN/],
    [
      'expireDuration below 900',
      ['--instance-id', 'cri-abc123', '--assume-role-arn', 'acs:ram::123456789012:role/p', '--expire-duration', '600'],
      /from 900 to 43200/,
    ],
    [
      'expireDuration above 43200',
      [
        '--instance-id',
        'cri-abc123',
        '--assume-role-arn',
        'acs:ram::123456789012:role/p',
        '--expire-duration',
        '50000',
      ],
      /from 900 to 43200/,
    ],
    ['a webhook timeout out of range', ['--webhook-timeout-seconds', '0'], /not a whole number from 1 to 30/],
    ['registry fields without an entry', ['--domains', 'a.example.com'], /add --instance-id ID or --personal/],
    ['no setting at all', [], /Nothing to configure/],
    ['an unknown flag', ['--instance', 'cri-abc123'], /Unknown argument/],
    ['--from-file together with flags', ['--from-file', '/dev/null', '--watch-namespace', 'x'], /cannot be combined/],
  ];
  test.each(invalid)('%s exits 2 and changes nothing', async (_name, flags, message) => {
    h.api.seed(configMap({ 'watch-namespace': 'default' }));
    const before = storedConfigMap(h.api)?.metadata.resourceVersion;
    const result = await h.run(['configure', ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(storedConfigMap(h.api)?.metadata.resourceVersion).toBe(before);
    expect(stored()).toEqual({ 'watch-namespace': 'default' });
  });

  test('an AccessKey secret from stdin goes into the Secret only, never printed', async () => {
    const secret = 'Very-Secret-Value-From-Stdin-123';
    const result = await h.run(
      [
        'configure',
        '--instance-id',
        'cri-abc123',
        '--access-key-id',
        'LTAI5tKeyId',
        '--access-key-secret-stdin',
        '-o',
        'yaml',
      ],
      { stdin: `${secret}\n` },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(JSON.stringify(storedConfigMap(h.api))).not.toContain(secret);
    expect(stored()['acr-registry-info']).toBe(
      '- instanceId: "cri-abc123"\n  customAccessKey: "LTAI5tKeyId"\n  customAccessKeySecretRef: "access-key-cri-abc123"\n',
    );
    expect(parse(result.stdout).data).toEqual(stored());
    const stored64 = secretObject()?.data?.['access-key-cri-abc123'];
    expect(Buffer.from(stored64 ?? '', 'base64').toString('utf8')).toBe(secret);
    const object = h.api.get('secrets', 'kube-system', 'acr-configuration-secrets');
    expect(object.metadata.labels['app.kubernetes.io/managed-by']).toBe('kubectl-acr');
  });

  test('an AccessKey secret from a file is added next to the keys already in the Secret', async () => {
    await h.run(['configure', '--personal', '--access-key-id', 'LTAIfirst', '--access-key-secret-stdin'], {
      stdin: 'first-secret-value',
    });
    const file = join(h.dir, 'secret');
    writeFileSync(file, 'second-secret-value\n', { mode: 0o600 });
    const result = await h.run([
      'configure',
      '--instance-id',
      'cri-abc123',
      '--access-key-id',
      'LTAIsecond',
      '--access-key-secret-file',
      file,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('secret/acr-configuration-secrets configured\nconfigmap/acr-configuration configured\n');
    const data = secretObject()?.data ?? {};
    expect(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]))).toEqual({
      'access-key-personal': 'first-secret-value',
      'access-key-cri-abc123': 'second-secret-value',
    });
  });

  test('--access-key-id without a secret source is bad usage', async () => {
    const result = await h.run(['configure', '--instance-id', 'cri-abc123', '--access-key-id', 'LTAIx']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--access-key-secret-stdin/);
    expect(storedConfigMap(h.api)).toBeUndefined();
    expect(secretObject()).toBeUndefined();
  });

  test('--move-inline-secrets takes a plain-text secret out of the ConfigMap', async () => {
    h.api.seed(
      configMap({
        'acr-registry-info':
          '- instanceId: ""\n  customAccessKey: "LTAIid"\n  customAccessKeySecret: "Plain-Text-Secret-42" // the docs\' comment\n',
      }),
    );
    const result = await h.run(['configure', '--move-inline-secrets']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('Plain-Text-Secret-42');
    expect(JSON.stringify(storedConfigMap(h.api))).not.toContain('Plain-Text-Secret-42');
    expect(Buffer.from(secretObject()?.data?.['access-key-personal'] ?? '', 'base64').toString()).toBe(
      'Plain-Text-Secret-42',
    );
  });

  test('--from-file --dry-run=client -o yaml shows the result and writes nothing', async () => {
    h.api.seed(configMap({ 'watch-namespace': 'default' }));
    const before = storedConfigMap(h.api)?.metadata.resourceVersion;
    const file = join(h.dir, 'acr.yaml');
    writeFileSync(
      file,
      'data:\n  watch-namespace: "apps"\n  acr-registry-info: |\n    - instanceId: "cri-abc123"\n      customAccessKey: "LTAIid"\n      customAccessKeySecret: "Dry-Run-Secret-99"\n',
    );
    const result = await h.run(['configure', '--from-file', file, '--dry-run=client', '-o', 'yaml']);
    expect(result.code, result.stderr).toBe(0);
    const shown = parse(result.stdout);
    expect(shown.kind).toBe('ConfigMap');
    expect(shown.data).toEqual({
      'watch-namespace': 'apps',
      'acr-registry-info':
        '- instanceId: "cri-abc123"\n  customAccessKey: "LTAIid"\n  customAccessKeySecretRef: "access-key-cri-abc123"\n',
    });
    expect(result.stdout + result.stderr).not.toContain('Dry-Run-Secret-99');
    expect(storedConfigMap(h.api)?.metadata.resourceVersion).toBe(before);
    expect(secretObject()).toBeUndefined();
  });

  test('--from-file with a mistake exits 2 with the file line and a fix, and changes nothing', async () => {
    h.api.seed(configMap({ 'watch-namespace': 'default' }));
    const before = storedConfigMap(h.api)?.metadata.resourceVersion;
    const file = join(h.dir, 'acr.yaml');
    writeFileSync(
      file,
      'data:\n  acr-registry-info: |\n    - instanceId: "cri-abc123"\n      regionId: "cn-hangzhou"\n      expireDuration: 100\n      assumeRoleARN: "acs:ram::123456789012:role/p"\n',
    );
    const result = await h.run(['configure', '--from-file', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error (${file}, acr-registry-info, line 5, column 23): expireDuration \`100\``);
    expect(result.stderr).toContain('Fix: ');
    expect(storedConfigMap(h.api)?.metadata.resourceVersion).toBe(before);
  });

  test('a rejected file with a plain-text secret never shows the secret', async () => {
    const file = join(h.dir, 'acr.yaml');
    const texts = [
      'data:\n  acr-registry-info: |\n    - instanceId: ""\n      customAccessKey: "LTAIid"\n      customAccessKeySecret: "Broken-File-Secret-55"\n     regionId: cn-hangzhou\n',
      'data:\n  acr-registry-info: |\n    - instanceId: ""\n      customAccessKey: "LTAIid"\n      customAccessKeySecret: Broken-File-Secret-55: x\n',
      'data:\n  acr-registry-info: |\n    - customAccessKeySecret: "Broken-File-Secret-55"\n',
    ];
    for (const text of texts) {
      writeFileSync(file, text);
      const result = await h.run(['configure', '--from-file', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error \(/);
      expect(result.stdout + result.stderr).not.toContain('Broken-File-Secret-55');
    }
    expect(storedConfigMap(h.api)).toBeUndefined();
  });

  test('--from-file - reads the whole data from stdin and says which keys it removes', async () => {
    h.api.seed(configMap({ 'service-account': 'default', 'notify-email': 'ops@example.com' }));
    const result = await h.run(['configure', '--from-file', '-'], { stdin: 'service-account: "default,ci"\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('note: removes `notify-email`, which the file does not have.\n');
    expect(stored()).toEqual({ 'service-account': 'default,ci' });
  });

  test('a bare --dry-run means client', async () => {
    const result = await h.run(['configure', '--watch-namespace', 'apps', '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('configmap/acr-configuration created (client dry run)\n');
    expect(storedConfigMap(h.api)).toBeUndefined();
  });

  test('a write the user may not make exits 1 and says why', async () => {
    h.api.deny({ verb: 'create', resource: 'configmaps' });
    const result = await h.run(['configure', '--watch-namespace', 'default']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/403 Forbidden/);
    expect(storedConfigMap(h.api)).toBeUndefined();
  });
});

/**
 * A proxy in front of the fake apiserver that lets another writer change the
 * ConfigMap right after kubectl-acr has read it: the race configure must lose
 * politely.
 */
async function racingProxy(target: string, afterRead: () => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const upstream = httpRequest(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          if (req.method === 'GET' && req.url?.endsWith('/configmaps/acr-configuration')) afterRead();
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('a concurrent edit is reported, never overwritten', async () => {
  h.api.seed(configMap({ 'watch-namespace': 'default' }));
  const proxy = await racingProxy(h.api.url, () =>
    h.api.seed(configMap({ 'watch-namespace': 'edited-by-someone-else' })),
  );
  try {
    const kubeconfig = join(h.dir, 'proxied');
    writeFileSync(kubeconfig, readFileSync(h.kubeconfig, 'utf8').replace(h.api.url, proxy.url));
    const { runBinary } = await import('../support/binaries.js');
    const result = await runBinary('kubectl-acr', [
      'configure',
      '--watch-namespace',
      'apps',
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('acr-configuration was changed by someone else since it was read; re-run');
    expect(stored()).toEqual({ 'watch-namespace': 'edited-by-someone-else' });
    const writes = h.api.requests.filter((r) => r.resource === 'configmaps' && r.method !== 'GET');
    expect(writes.map((r) => [r.method, r.status])).toEqual([['PUT', 409]]);
  } finally {
    proxy.server.closeAllConnections();
    await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
  }
});

describe('every published configuration round-trips configure → ConfigMap → status', () => {
  test.each(loadableReferenceExamples())('%s', async (file) => {
    const path = join(referenceExamplesDir, file);
    const original = parseConfigurationFile(readFileSync(path, 'utf8'));
    if (!original.ok) throw new Error(`${file} does not parse`);
    const applied = await h.run(['configure', '--from-file', path]);
    expect(applied.code, applied.stderr).toBe(0);
    const data = stored();
    expect(Object.keys(data).sort()).toEqual(Object.keys(original.config.data).sort());
    const status = await h.run(['status', '-o', 'json']);
    expect(status.code, status.stdout).not.toBe(2);
    const report = JSON.parse(status.stdout);
    expect(report.configuration.valid).toBe(true);
    expect(report.configuration.registries.length).toBe(original.config.registries.length);
    expect(report.configuration.registries.map((r: { instanceId?: string }) => r.instanceId ?? '')).toEqual(
      original.config.registries.map((e) => (e.edition === 'enterprise' ? e.instanceId : '')),
    );
    expect(report.configuration.watchNamespaces).toEqual(
      original.config.watchNamespaces.all ? 'all' : original.config.watchNamespaces.names,
    );
  });
});

test('--dry-run=server lets the apiserver check the write without storing it', async () => {
  h.api.seed(configMap({ 'watch-namespace': 'default' }));
  const before = storedConfigMap(h.api)?.metadata.resourceVersion;
  const result = await h.run(
    [
      'configure',
      '--personal',
      '--access-key-id',
      'LTAIid',
      '--access-key-secret-stdin',
      '--dry-run=server',
      '-o',
      'json',
    ],
    { stdin: 'Server-Dry-Run-Secret' },
  );
  expect(result.code, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout).data['acr-registry-info']).toBe(
    '- instanceId: ""\n  customAccessKey: "LTAIid"\n  customAccessKeySecretRef: "access-key-personal"\n',
  );
  expect(result.stdout + result.stderr).not.toContain('Server-Dry-Run-Secret');
  expect(h.api.requests.filter((r) => r.method !== 'GET').map((r) => [r.method, r.resource, r.query])).toEqual([
    ['POST', 'secrets', '?dryRun=All'],
    ['PUT', 'configmaps', '?dryRun=All'],
  ]);
  expect(storedConfigMap(h.api)?.metadata.resourceVersion).toBe(before);
  expect(secretObject()).toBeUndefined();
});
