// `kubectl acr sync --once` through the built executable, against the fake
// apiserver and the fake Alibaba Cloud: what it writes, what it keeps, how
// often it asks the cloud, and what it refuses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../../fakes/alicloud/index.js';
import { configMap, startHarness, type PluginHarness } from '../plugin-harness.js';

const WORKER = 'role/KubernetesWorkerRole';
const ACME_HOST = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';
const REGISTRY_INFO =
  '- instanceId: "cri-acme"\n  regionId: "cn-hangzhou"\n- instanceId: ""\n  regionId: "cn-hangzhou"\n';

let h: PluginHarness;
let cloud: FakeAlicloud;
let cacheDir: string;
let env: Record<string, string>;

beforeEach(async () => {
  h = await startHarness();
  cloud = await startFakeAlicloud({ region: 'cn-hangzhou' });
  cloud.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [
      { domain: ACME_HOST, type: 'SYSTEM' },
      { domain: 'images.acme.example', type: 'USER' },
    ],
    allowedPrincipals: [WORKER],
  });
  cloud.allowPersonal('cn-hangzhou', [WORKER]);
  cacheDir = mkdtempSync(join(tmpdir(), 'acr-sync-cache-'));
  env = {
    ACR_PROVIDER_METADATA_ENDPOINT: cloud.url,
    ACR_PROVIDER_CR_ENDPOINT: cloud.url,
    ACR_PROVIDER_STS_ENDPOINT: cloud.url,
  };
});
afterEach(async () => {
  await cloud.close();
  await h.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

const sync = (...args: string[]) => h.run(['sync', '--once', '--cache-dir', cacheDir, ...args], { env });

interface Secret {
  metadata: { name: string; uid?: string; resourceVersion: string; labels?: Record<string, string> };
  type: string;
  data: Record<string, string>;
}
interface ServiceAccount {
  metadata: { resourceVersion: string };
  imagePullSecrets?: { name: string }[];
}
const auths = (secret: Secret) =>
  (
    JSON.parse(Buffer.from(secret.data['.dockerconfigjson']!, 'base64').toString()) as {
      auths: Record<string, { username: string; password: string; auth: string }>;
    }
  ).auths;
const refs = (sa: ServiceAccount | undefined) => (sa?.imagePullSecrets ?? []).map((ref) => ref.name);

function seedCluster(data: Record<string, string>) {
  h.api.seed([
    configMap(data),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'team-a' },
      imagePullSecrets: [{ name: 'mine' }],
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'team-a' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team-b' } },
  ]);
}

describe('one pass', () => {
  test('a Secret per entry in every namespace in scope, one token per entry, references after the user’s own', async () => {
    seedCluster({
      'watch-namespace': 'team-a,team-b',
      'service-account': 'default',
      'acr-registry-info': REGISTRY_INFO,
    });
    const result = await sync();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // One token per entry, shared by both namespaces.
    expect(cloud.count('GetAuthorizationToken')).toBe(1);
    expect(cloud.count('GetPersonalToken')).toBe(1);
    const secrets = (ns: string) => h.api.list('secrets', ns) as Secret[];
    for (const ns of ['team-a', 'team-b']) {
      expect(secrets(ns).map((s) => s.type)).toEqual([
        'kubernetes.io/dockerconfigjson',
        'kubernetes.io/dockerconfigjson',
      ]);
    }
    const [enterprise, personal] = ['cri-acme', 'personal'].map((which) =>
      secrets('team-a').find((s) =>
        Object.keys(auths(s)).some((host) =>
          which === 'cri-acme' ? host === ACME_HOST : host.startsWith('registry.'),
        ),
      )!,
    );
    expect(Object.keys(auths(enterprise!))).toEqual([ACME_HOST, 'images.acme.example']);
    expect(Object.keys(auths(personal!))).toEqual([
      'registry.cn-hangzhou.aliyuncs.com',
      'registry-vpc.cn-hangzhou.aliyuncs.com',
      'registry-internal.cn-hangzhou.aliyuncs.com',
      'registry-intl.cn-hangzhou.aliyuncs.com',
      'registry-intl-vpc.cn-hangzhou.aliyuncs.com',
      'registry-intl-internal.cn-hangzhou.aliyuncs.com',
    ]);
    const issued = cloud.issuedTokens().find((t) => t.instanceId === 'cri-acme');
    const login = auths(enterprise!)[ACME_HOST]!;
    expect(login.username).toBe(issued?.username);
    expect(login.password).toBe(issued?.password);
    expect(Buffer.from(login.auth, 'base64').toString()).toBe(`${issued?.username}:${issued?.password}`);
    expect(refs(h.api.get('sa', 'team-a', 'default'))).toEqual([
      'mine',
      enterprise!.metadata.name,
      personal!.metadata.name,
    ]);
    expect(refs(h.api.get('sa', 'team-a', 'builder'))).toEqual([]);
    expect(refs(h.api.get('sa', 'team-b', 'default'))).toEqual([enterprise!.metadata.name, personal!.metadata.name]);
    // One line per change, no secret in them.
    expect(result.stdout.split('\n').filter((line) => / created Secret /.test(line))).toHaveLength(4);
    expect(result.stdout).toContain('ServiceAccount team-a/default: added acr-credential-');
    expect(result.stdout).not.toContain(issued!.password);
  });

  test('a second pass with nothing changed writes nothing and asks the cloud nothing', async () => {
    seedCluster({ 'watch-namespace': 'all', 'service-account': '*', 'acr-registry-info': REGISTRY_INFO });
    expect((await sync()).code).toBe(0);
    const writes = () => h.api.requests.filter((r) => r.method !== 'GET').length;
    const before = writes();
    const tokens = cloud.count('GetAuthorizationToken') + cloud.count('GetPersonalToken');
    const again = await sync();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('pass done: 0 write(s)');
    expect(writes()).toBe(before);
    expect(cloud.count('GetAuthorizationToken') + cloud.count('GetPersonalToken')).toBe(tokens);
  });

  test('the scope narrowed: the project’s references and Secrets go, the user’s stay, unlabelled Secrets untouched', async () => {
    seedCluster({
      'watch-namespace': 'team-a,team-b',
      'service-account': 'default',
      'acr-registry-info': REGISTRY_INFO,
    });
    h.api.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'acr-credential-0000000000', namespace: 'team-b' },
      data: {},
    });
    expect((await sync()).code).toBe(0);
    const uid = (h.api.list('secrets', 'team-a') as Secret[]).map((s) => s.metadata.uid).sort();
    h.api.seed(
      configMap({ 'watch-namespace': 'team-a', 'service-account': 'default', 'acr-registry-info': REGISTRY_INFO }),
    );
    const result = await sync();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(refs(h.api.get('sa', 'team-b', 'default'))).toEqual([]);
    expect((h.api.list('secrets', 'team-b') as Secret[]).map((s) => s.metadata.name)).toEqual([
      'acr-credential-0000000000',
    ]);
    expect(result.stdout).toContain('deleted Secret team-b/acr-credential-');
    // team-a's Secrets were not recreated: same UIDs.
    expect((h.api.list('secrets', 'team-a') as Secret[]).map((s) => s.metadata.uid).sort()).toEqual(uid);

    // Widened again: team-b served once more, its user's Secret still untouched.
    h.api.seed(
      configMap({
        'watch-namespace': 'team-a,team-b',
        'service-account': 'default',
        'acr-registry-info': REGISTRY_INFO,
      }),
    );
    expect((await sync()).code).toBe(0);
    expect(refs(h.api.get('sa', 'team-b', 'default'))).toHaveLength(2);
    expect(h.api.list('secrets', 'team-b')).toHaveLength(3);
  });

  test('a concurrent edit of a ServiceAccount between read and write is kept', async () => {
    seedCluster({ 'watch-namespace': 'team-a', 'service-account': 'default', 'acr-registry-info': REGISTRY_INFO });
    h.api.beforeNext({ verb: 'update', resource: 'sa', name: 'default' }, () =>
      h.api.seed({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: 'team-a' },
        imagePullSecrets: [{ name: 'mine' }, { name: 'added-meanwhile' }],
      }),
    );
    const result = await sync();
    expect(result.code).toBe(0);
    const names = refs(h.api.get('sa', 'team-a', 'default'));
    expect(names.slice(0, 2)).toEqual(['mine', 'added-meanwhile']);
    expect(names).toHaveLength(4);
  });
});

describe('refusals', () => {
  test('aliyun-acr-credential-helper running: exit 2 with the migration steps; --take-over proceeds', async () => {
    seedCluster({ 'acr-registry-info': REGISTRY_INFO });
    h.api.seed({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'aliyun-acr-credential-helper', namespace: 'kube-system' },
      spec: {
        selector: { matchLabels: { app: 'h' } },
        template: { metadata: { labels: { app: 'h' } }, spec: { containers: [{ name: 'h', image: 'h' }] } },
      },
    });
    const refused = await sync();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('aliyun-acr-credential-helper runs in this cluster');
    expect(refused.stderr).toContain(
      'kubectl -n kube-system scale deployment aliyun-acr-credential-helper --replicas=0',
    );
    expect(h.api.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect((await sync('--take-over')).code).toBe(0);
  });

  test('an invalid configuration and no valid one before: exit 2, the problem with its line, nothing written', async () => {
    seedCluster({ 'acr-registry-info': '- instanceId: "cri-acme"\n regionId: cn-hangzhou\n' });
    const result = await sync();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/acr-registry-info.*line 2/);
    expect(h.api.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  test('a token refused: the entry’s failure with its code, the other entry still served, exit 1', async () => {
    // Personal Edition in cn-beijing is not allowed for the node's role.
    seedCluster({
      'watch-namespace': 'team-a',
      'acr-registry-info': REGISTRY_INFO.replace(/cn-hangzhou"\n$/, 'cn-beijing"\n'),
    });
    const result = await sync();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no token for acr-registry-info entry 2 .*as role\/KubernetesWorkerRole/);
    expect(h.api.list('secrets', 'team-a') as Secret[]).toHaveLength(1);
  });
});

describe('secrets stay out of the output', () => {
  const SECRET = 'Ak-Secret-Value-For-Sync-271';
  const entry =
    '- instanceId: ""\n  regionId: "cn-beijing"\n  customAccessKey: "LTAIuser"\n  customAccessKeySecretRef: "access-key-personal"\n  assumeRoleARN: "acs:ram::123456789012:role/puller"\n';
  beforeEach(() => {
    cloud.addAccessKey({ accessKeyId: 'LTAIuser', accessKeySecret: SECRET, principal: 'user/puller' });
    cloud.addRole({
      arn: 'acs:ram::123456789012:role/puller',
      principal: 'role/puller',
      trustedPrincipals: ['user/puller'],
    });
    seedCluster({ 'watch-namespace': 'team-a', 'acr-registry-info': entry });
    h.api.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'acr-configuration-secrets', namespace: 'kube-system' },
      data: { 'access-key-personal': Buffer.from(SECRET).toString('base64') },
    });
  });

  test('an AccessKey from the Secret and an assumed role: served, and neither the secret nor the token printed', async () => {
    cloud.allowPersonal('cn-beijing', ['role/puller']);
    const result = await sync();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(cloud.count('AssumeRole')).toBe(1);
    const [token] = cloud.issuedTokens();
    expect(token).toBeDefined();
    for (const secret of [SECRET, token!.password]) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  test('a refusal after the AccessKey was used: the failure names the role and the fix, not the secret', async () => {
    const result = await sync();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /no token for acr-registry-info entry 1 .*as assumed-role acs:ram::123456789012:role\/puller.*fix: /,
    );
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });
});
