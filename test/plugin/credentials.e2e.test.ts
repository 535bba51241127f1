import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../fakes/alicloud/index.js';
import { configMap, startHarness, type PluginHarness } from './plugin-harness.js';

const WORKER = 'role/KubernetesWorkerRole';
const ENTERPRISE_HOST = 'myreg-registry.cn-hangzhou.cr.aliyuncs.com';

let h: PluginHarness;
let cloud: FakeAlicloud;
let env: Record<string, string>;
beforeEach(async () => {
  h = await startHarness();
  cloud = await startFakeAlicloud({ region: 'cn-hangzhou' });
  cloud.addInstance({
    instanceId: 'cri-abc123',
    instanceName: 'myreg',
    region: 'cn-hangzhou',
    domains: [
      { domain: ENTERPRISE_HOST, type: 'SYSTEM' },
      { domain: 'reg.example.com', type: 'USER' },
    ],
    allowedPrincipals: [WORKER],
  });
  env = {
    ACR_PROVIDER_METADATA_ENDPOINT: cloud.url,
    ACR_PROVIDER_CR_ENDPOINT: cloud.url,
    ACR_PROVIDER_STS_ENDPOINT: cloud.url,
    ACR_PROVIDER_REGISTRY_ENDPOINT: cloud.url,
  };
});
afterEach(async () => {
  await cloud.close();
  await h.close();
});

const credentials = (args: string[], extraEnv: Record<string, string> = {}) =>
  h.run(['credentials', ...args], { env: { ...env, ...extraEnv } });

test('an Enterprise image through the node role: every step ok, --check logs in, password redacted', async () => {
  h.api.seed(configMap({ 'acr-registry-info': '- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n' }));
  const result = await credentials([`${ENTERPRISE_HOST}/team/app:1.0`, '--check']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const [issued] = cloud.issuedTokens();
  expect(issued).toBeDefined();
  expect(result.stdout).toContain(`[ok]      image: registry host ${ENTERPRISE_HOST}, repository team/app`);
  expect(result.stdout).toContain(
    '[ok]      host classification: Enterprise Edition instance named myreg in cn-hangzhou, public endpoint',
  );
  expect(result.stdout).toContain(
    `[ok]      domains of instance cri-abc123: ListInstanceEndpoint as ${WORKER}: ${ENTERPRISE_HOST}, reg.example.com`,
  );
  expect(result.stdout).toContain(
    '[ok]      configuration entry: acr-registry-info entry 1 (instance cri-abc123, region cn-hangzhou) → GetAuthorizationToken of cri-abc123 in cn-hangzhou',
  );
  expect(result.stdout).toContain(
    `[ok]      credential source: node's identity (ALIBABA_CLOUD_ACCESS_KEY_* or the ECS RAM role): signed in as ${WORKER}`,
  );
  expect(result.stdout).toContain('[skipped] STS AssumeRole: the entry sets no assumeRoleARN');
  expect(result.stdout).toContain(
    `[ok]      token: GetAuthorizationToken of cri-abc123 in cn-hangzhou: username ${issued!.username}`,
  );
  expect(result.stdout).toContain(`[ok]      registry login: GET https://${ENTERPRISE_HOST}/v2/: HTTP 200`);
  expect(result.stdout).toContain('Password: <redacted> (add --show-password to print it)');
  expect(result.stdout).not.toContain(issued!.password);
  expect(cloud.count('RegistryV2')).toBe(1);
});

test('Personal Edition refused, then allowed: -o json carries every step, --show-password the password', async () => {
  const result = await credentials(
    ['registry.cn-hangzhou.aliyuncs.com/team/app', '--region', 'cn-hangzhou', '--show-password', '-o', 'json'],
    {},
  );
  cloud.allowPersonal('cn-hangzhou', [WORKER]);
  expect(result.code).toBe(1);
  const failed = JSON.parse(result.stdout);
  expect(failed.result).toBe('failed');

  const again = await credentials([
    'registry.cn-hangzhou.aliyuncs.com/team/app',
    '--region',
    'cn-hangzhou',
    '--show-password',
    '-o',
    'json',
  ]);
  expect(again.code).toBe(0);
  const walk = JSON.parse(again.stdout);
  const issued = cloud.issuedTokens().at(-1)!;
  expect(walk.result).toBe('credentials');
  expect(walk.token.password).toBe(issued.password);
  expect(walk.steps.map((s: { step: string; outcome: string }) => [s.step.split(':')[0], s.outcome])).toEqual([
    ['image', 'ok'],
    ['configuration', 'ok'],
    ['host classification', 'ok'],
    ['configuration entry', 'ok'],
    ['credential source', 'ok'],
    ['STS AssumeRole', 'skipped'],
    ['token', 'ok'],
    ['registry login', 'skipped'],
  ]);
});

test('a failure is explained with the code, the request ID and the fix', async () => {
  h.api.seed(
    configMap({
      'acr-registry-info': '- instanceId: "cri-other1"\n  regionId: "cn-hangzhou"\n  domains: "other.example.com"\n',
    }),
  );
  cloud.addInstance({
    instanceId: 'cri-other1',
    instanceName: 'other',
    region: 'cn-hangzhou',
    domains: [{ domain: 'other.example.com', type: 'USER' }],
    allowedPrincipals: ['role/SomeoneElse'],
  });
  const result = await credentials(['other.example.com/team/app', '--region', 'cn-hangzhou']);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(
    /\[FAILED\] +token: GetAuthorizationToken of cri-other1 in cn-hangzhou: GetAuthorizationToken failed: NoPrivilege \(HTTP 403\)/,
  );
  expect(result.stdout).toMatch(/code: NoPrivilege {3}request ID: [\w-]+/);
  expect(result.stdout).toMatch(/fix: \S.+/);
  expect(result.stdout).toContain('Result: failed: the pull gets no ACR credentials');
  expect(result.stdout).not.toContain('Password:');
});

test('an AccessKey from the Secret and an assumed role: STS is its own step, no secret printed', async () => {
  const secret = 'Ak-Secret-Value-For-Test-314';
  cloud.addAccessKey({ accessKeyId: 'LTAIuser', accessKeySecret: secret, principal: 'user/puller' });
  cloud.addRole({
    arn: 'acs:ram::123456789012:role/puller',
    principal: 'role/puller',
    trustedPrincipals: ['user/puller'],
  });
  cloud.allowPersonal('cn-beijing', ['role/puller']);
  h.api.seed(
    configMap({
      'acr-registry-info':
        '- instanceId: ""\n  regionId: "cn-beijing"\n  customAccessKey: "LTAIuser"\n  customAccessKeySecretRef: "access-key-personal-cn-beijing"\n  assumeRoleARN: "acs:ram::123456789012:role/puller"\n',
    }),
  );
  h.api.seed({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'acr-configuration-secrets', namespace: 'kube-system' },
    data: { 'access-key-personal-cn-beijing': Buffer.from(secret).toString('base64') },
  });
  const result = await credentials(['registry-vpc.cn-beijing.aliyuncs.com/team/app', '--check']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(
    '[ok]      credential source: AccessKey LTAIuser (Secret kube-system/acr-configuration-secrets, key access-key-personal-cn-beijing): signed in as accessKey LTAIuser, does not expire',
  );
  expect(result.stdout).toMatch(/\[ok\] {6}STS AssumeRole acs:ram::123456789012:role\/puller: now .*puller/);
  expect(result.stdout).toContain('[ok]      token: Personal Edition token of cn-beijing');
  expect(result.stdout + result.stderr).not.toContain(secret);
  expect(cloud.count('AssumeRole')).toBe(1);
});

test('a missing Secret key is a failed step with its fix', async () => {
  h.api.seed(
    configMap({
      'acr-registry-info':
        '- instanceId: ""\n  regionId: "cn-beijing"\n  customAccessKey: "LTAIuser"\n  customAccessKeySecretRef: "access-key-personal-cn-beijing"\n',
    }),
  );
  const result = await credentials(['registry.cn-beijing.aliyuncs.com/team/app']);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(
    /\[FAILED\] +credential source: AccessKey LTAIuser .*SecretFileMissing: Secret kube-system\/acr-configuration-secrets does not exist/,
  );
  expect(result.stdout).toContain(
    'fix: Store the secret: `kubectl acr configure --personal --region cn-beijing --access-key-id LTAIuser --access-key-secret-stdin`.',
  );
  expect(cloud.count('GetAuthorizationToken')).toBe(0);
});

test('an image no entry serves: not served, exit 0, no cloud call', async () => {
  const result = await credentials(['docker.io/library/nginx:1.27']);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('[skipped] configuration entry: no entry claims this host');
  expect(cloud.requests.length).toBe(0);
});

test('a malformed image exits 2', async () => {
  const result = await credentials(['https://registry.cn-hangzhou.aliyuncs.com/app']);
  expect(result.code).toBe(2);
  expect(result.stdout).toContain(
    '[FAILED]  image: image "https://registry.cn-hangzhou.aliyuncs.com/app" has a URL scheme',
  );
});

test("on a node: --config reads the node's mirror and its secrets directory", async () => {
  const dir = join(h.dir, 'etc-acr');
  mkdirSync(join(dir, 'secrets'), { recursive: true, mode: 0o700 });
  writeFileSync(
    join(dir, 'acr-configuration.yaml'),
    'acr-registry-info: |\n  - instanceId: "cri-abc123"\n    customAccessKey: "LTAInode"\n    customAccessKeySecretRef: "access-key-cri-abc123"\n',
  );
  writeFileSync(join(dir, 'secrets', 'access-key-cri-abc123'), 'Node-Mirror-Secret-1', { mode: 0o600 });
  cloud.addAccessKey({ accessKeyId: 'LTAInode', accessKeySecret: 'Node-Mirror-Secret-1', principal: WORKER });
  const result = await runFromNode([
    'credentials',
    `${ENTERPRISE_HOST}/team/app`,
    '--config',
    join(dir, 'acr-configuration.yaml'),
    '--region',
    'cn-hangzhou',
    '--check',
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('signed in as accessKey LTAInode');
  expect(result.stdout).not.toContain('Node-Mirror-Secret-1');
});

async function runFromNode(args: string[]) {
  const { runBinary } = await import('../support/binaries.js');
  // No kubeconfig at all: the command must not need the cluster.
  return runBinary('kubectl-acr', args, { env: { ...env, HOME: h.dir } });
}

test('off cloud: the AccessKey in ALIBABA_CLOUD_ACCESS_KEY_* is the node identity; without it the metadata failure is explained', async () => {
  cloud.metadata.down = true;
  cloud.addAccessKey({ accessKeyId: 'LTAIenv', accessKeySecret: 'Env-Secret-Value-2718', principal: WORKER });
  const image = `${ENTERPRISE_HOST}/team/app`;
  const withKey = await credentials([image, '--region', 'cn-hangzhou'], {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenv',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'Env-Secret-Value-2718',
  });
  expect(withKey.code, withKey.stdout).toBe(0);
  expect(withKey.stdout).toContain('signed in as accessKey LTAIenv');
  expect(withKey.stdout + withKey.stderr).not.toContain('Env-Secret-Value-2718');

  const without = await credentials([image, '--region', 'cn-hangzhou', '-o', 'json']);
  expect(without.code).toBe(1);
  const failed = JSON.parse(without.stdout).steps.find((s: { outcome: string }) => s.outcome === 'failed');
  expect(failed.step).toBe(`instance named myreg`);
  expect(failed.code).toMatch(/^Metadata/);
  expect(failed.fix.length).toBeGreaterThan(10);
});

test('--check: a token of the wrong instance for this host is rejected by the registry, and says what to fix', async () => {
  cloud.addInstance({
    instanceId: 'cri-other1',
    instanceName: 'other',
    region: 'cn-hangzhou',
    domains: [{ domain: 'other-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' }],
    allowedPrincipals: [WORKER],
  });
  // The entry claims the other instance's host for cri-abc123: its token cannot log in there.
  h.api.seed(
    configMap({
      'acr-registry-info':
        '- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n  domains: "other-registry.cn-hangzhou.cr.aliyuncs.com"\n',
    }),
  );
  const result = await credentials(['other-registry.cn-hangzhou.cr.aliyuncs.com/team/app', '--check']);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(
    /\[FAILED\] +registry login: GET https:\/\/other-registry\S+\/v2\/: HTTP 401: the registry rejected the token/,
  );
  expect(result.stdout).toContain('fix: The token belongs to another registry or account than this host');
  expect(cloud.count('RegistryV2')).toBe(1);
});
