import { afterEach, beforeEach, expect, test } from 'vitest';
import { parse } from 'yaml';
import { configMap, startHarness, type PluginHarness } from './plugin-harness.js';
import {
  acrImage,
  deployment,
  node,
  providerPod,
  pullSecret,
  serviceAccount,
  helperDeployment,
} from './cluster-objects.js';

let h: PluginHarness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const secret = 'Plain-Secret-Value-777';

test('a healthy cluster: exit 0, the configuration as understood, the nodes', async () => {
  h.api.seed([
    configMap({
      'watch-namespace': 'default',
      'notify-email': 'cs@aliyuncs.com',
      'acr-registry-info': '- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n  domains: "reg.example.com"\n',
    }),
    node('node-1'),
    node('node-2'),
    providerPod('node-1', true, 'registry.example.com/acr-node-setup:0.1.0'),
    providerPod('node-2', true, 'registry.example.com/acr-node-setup:0.1.0'),
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'acr-node-setup', namespace: 'kube-system' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: {
          metadata: { labels: { app: 'x' } },
          spec: { containers: [{ name: 'node-setup', image: 'registry.example.com/acr-node-setup:0.1.0' }] },
        },
      },
      status: { desiredNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2 },
    },
  ]);
  const result = await h.run(['status']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(
    /enterprise\s+cri-abc123\s+cn-hangzhou\s+reg\.example\.com\s+node's identity \(ALIBABA_CLOUD_ACCESS_KEY_\* or the ECS RAM role\)/,
  );
  expect(result.stdout).toMatch(/node-1\s+ready\s+0\.1\.0\s+acr-node-setup-node-1/);
  expect(result.stdout).toContain(
    'DaemonSet kube-system/acr-node-setup 2/2 ready, image registry.example.com/acr-node-setup:0.1.0',
  );
  expect(result.stdout).toContain('Problems (0)');
  expect(result.stdout).toContain('Result: healthy');
});

test('problems found: exit 1, each with line and fix, secrets redacted in every format', async () => {
  h.api.seed([
    configMap({
      'watch-namespace': 'all',
      'acr-registry-info': `- instanceId: ""\n  customAccessKey: "LTAIid"\n  customAccessKeySecret: "${secret}" // the docs' comment\n`,
    }),
    node('node-1'),
  ]);
  const table = await h.run(['status']);
  expect(table.code).toBe(1);
  expect(table.stdout).toContain(
    'warning (acr-registry-info, line 3, column 26): The AccessKey secret is stored in plain text',
  );
  expect(table.stdout).toContain('Fix: Run `kubectl acr configure --move-inline-secrets`');
  expect(table.stdout).toContain(
    'warning (watch-namespace, line 1, column 1): `watch-namespace: all` includes kube-system',
  );
  expect(table.stdout).toContain('error: Nothing serves ACR credentials');
  expect(table.stdout).toMatch(/node-1\s+missing/);
  for (const format of ['table', 'json', 'yaml']) {
    const result = await h.run(['status', '-o', format]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr, format).not.toContain(secret);
  }
  const json = JSON.parse((await h.run(['status', '-o', 'json'])).stdout);
  expect(json.problems.map((p: { code: string }) => p.code)).toEqual([
    'slash-comment',
    'plaintext-secret',
    'watch-namespace-kube-system',
    'no-credential-source',
  ]);
  expect(json.health).toBe('problems');
  const yaml = parse((await h.run(['status', '-o', 'yaml'])).stdout);
  expect(yaml.problems.length).toBe(4);
});

test('an invalid configuration: exit 2 with the line and the fix, secrets still redacted', async () => {
  h.api.seed(
    configMap({
      'acr-registry-info': `- instanceId: "cri-abc123"\n  customAccessKey: "LTAIid"\n  customAccessKeySecret: "${secret}"\n regionId: "cn-hangzhou"\n`,
    }),
  );
  const result = await h.run(['status']);
  expect(result.code).toBe(2);
  expect(result.stdout).toContain(
    'error (acr-registry-info, line 4, column 2): `regionId` is less indented than `instanceId`',
  );
  expect(result.stdout).toContain('Fix: Indent `regionId`');
  expect(result.stdout).toContain('Result: the configuration is invalid');
  expect(result.stdout).not.toContain(secret);
});

test('Secret sync state and workloads that bypass it', async () => {
  h.api.seed([
    configMap({ 'watch-namespace': 'default', 'service-account': 'default' }),
    node('node-1'),
    helperDeployment(true),
    pullSecret('default', 'acr-credential-1', { expiresAt: '2020-01-01T00:00:00Z' }),
    serviceAccount('default', 'default', ['acr-credential-1']),
    deployment('default', 'web', {
      imagePullSecrets: [{ name: 'regcred' }],
      containers: [{ name: 'web', image: acrImage }],
    }),
    deployment('default', 'worker', { serviceAccountName: 'worker', containers: [{ name: 'w', image: acrImage }] }),
  ]);
  const result = await h.run(['status', '-o', 'json']);
  expect(result.code).toBe(1);
  const report = JSON.parse(result.stdout);
  expect(report.secretSync.helper).toBe('running');
  expect(report.secretSync.namespaces).toEqual([
    {
      namespace: 'default',
      exists: true,
      secret: 'acr-credential-1',
      tokenExpiresAt: '2020-01-01T00:00:00.000Z',
      tokenExpired: true,
      serviceAccounts: [{ name: 'default', patched: true }],
    },
  ]);
  expect(report.problems.map((p: { code: string }) => p.code)).toEqual([
    'sync-token-expired',
    'workload-own-pull-secrets',
    'service-account-not-covered',
  ]);
  expect(report.problems[2].fix).toBe('Run `kubectl acr configure --service-account default,worker`.');
  expect(result.stdout).not.toContain('opaque-password');
});

test('a user who may not list Secrets still gets a report, with a note', async () => {
  h.api.seed([configMap({ 'watch-namespace': 'default' }), node('node-1'), providerPod('node-1', true)]);
  h.api.deny({ verb: 'list', resource: 'secrets' });
  const result = await h.run(['status', '-o', 'json']);
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout).notes.join('\n')).toMatch(/Cannot list image pull Secrets \(403/);
});

test('an unreachable apiserver is a runtime failure, exit 1', async () => {
  await h.api.close();
  const result = await h.run(['status', '--request-timeout', '2s']);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /^error: GET http:\/\/127\.0\.0\.1:\d+\S*\/api\/v1\/namespaces\/kube-system\/configmaps\/acr-configuration: /m,
  );
});
