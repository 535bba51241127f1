// docker-credential-acr through the built executable, against the fake cloud:
// every verb, the server URL shapes clients send, hosts that are not ACR's,
// workstation credentials, and the cache it shares with the provider.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBinary, type RunResult } from '../support/binaries.js';
import { lastIssuedPassword, parseResponse, startNode, WORKER_PRINCIPAL, type Node } from '../provider/e2e/harness.js';

const HOST = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';
const CONFIG = `acr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n    domains: "${HOST},registry.acme.example"\n`;

let node: Node;
let home: string;

/** The helper as a client runs it: the node's endpoints, the node's configuration and cache, a HOME of its own. */
function helper(args: string[], stdin = '', env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runBinary('docker-credential-acr', args, {
    stdin,
    env: {
      ...node.env,
      HOME: home,
      ACR_CREDENTIALS_CONFIG: node.configPath,
      ACR_CREDENTIALS_CACHE_DIR: node.cacheDir,
      ...env,
    },
    timeoutMs: 60_000,
  });
}

beforeEach(async () => {
  node = await startNode();
  home = join(node.root, 'home');
  mkdirSync(home);
  node.fake.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [
      { domain: HOST, type: 'SYSTEM' },
      { domain: 'registry.acme.example', type: 'USER' },
    ],
    allowedPrincipals: [WORKER_PRINCIPAL],
  });
  node.writeConfig(CONFIG);
});

afterEach(async () => {
  await node.close();
});

describe('get', () => {
  it('answers an ACR host with a temporary token, echoing the server URL; nothing secret on stderr', async () => {
    const result = await helper(['get'], `${HOST}\n`, { ACR_CREDENTIALS_LOG_LEVEL: 'debug' });
    expect(result.code).toBe(0);
    const password = lastIssuedPassword(node.fake);
    expect(JSON.parse(result.stdout)).toEqual({ ServerURL: HOST, Username: 'cr_temp_user', Secret: password });
    expect(node.fake.issuedTokens()[0]).toMatchObject({ principal: WORKER_PRINCIPAL, instanceId: 'cri-acme' });
    expect(result.stderr).not.toContain(password);
  });

  it('takes every shape of server URL for the same registry, from one token', async () => {
    for (const sent of [
      HOST,
      `https://${HOST}`,
      `https://${HOST}/v2/`,
      `${HOST}:443`,
      HOST.toUpperCase(),
      'registry.acme.example',
    ]) {
      const result = await helper(['get'], sent);
      expect(result.code, `${sent}: ${result.stdout}`).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ServerURL: sent, Secret: lastIssuedPassword(node.fake) });
    }
    expect(node.fake.count('GetAuthorizationToken')).toBe(1);
  });

  it("says the protocol's not-found for hosts that are not ACR's, exit 1, without calling the cloud", async () => {
    for (const sent of ['docker.io', 'https://index.docker.io/v1/', 'ghcr.io', 'registry.example.com:5000']) {
      const result = await helper(['get'], sent);
      expect(result.code, sent).toBe(1);
      expect(result.stdout).toBe('credentials not found in native keychain\n');
    }
    expect(node.fake.requests).toEqual([]);
  });

  it('prints a refusal as one line on stdout (clients show it), with registry, code and fix', async () => {
    node.fake.addInstance({
      instanceId: 'cri-locked',
      instanceName: 'locked',
      region: 'cn-hangzhou',
      domains: [{ domain: 'locked-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' }],
      allowedPrincipals: [],
    });
    const result = await helper(['get'], 'locked-registry.cn-hangzhou.cr.aliyuncs.com');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^acr-credential-provider: .*\[registry locked-registry\.cn-hangzhou\.cr\.aliyuncs\.com, .*code InstanceNotFound\] Fix: .+\n$/,
    );
    expect(result.stdout.split('\n')).toHaveLength(2);
  });

  it('refuses an empty server URL as bad usage (exit 2)', async () => {
    const result = await helper(['get'], '\n');
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('no server URL on stdin');
  });

  it('without any configuration file, the host alone decides: Personal, crpi- Personal, Enterprise by instance name', async () => {
    node.fake.allowPersonal('cn-hangzhou', [WORKER_PRINCIPAL]);
    const env = { ACR_CREDENTIALS_CONFIG: join(node.root, 'absent.yaml') };
    for (const sent of [
      'registry.cn-hangzhou.aliyuncs.com',
      'crpi-abc123.cn-hangzhou.personal.cr.aliyuncs.com',
      HOST,
    ]) {
      const result = await helper(['get'], sent, env);
      expect(result.code, `${sent}: ${result.stdout}${result.stderr}`).toBe(0);
      expect(JSON.parse(result.stdout).Secret).toBe(lastIssuedPassword(node.fake));
    }
    // One Personal Edition token per region and identity answers both Personal hosts.
    expect(node.fake.issuedTokens().map((t) => t.instanceId ?? 'personal')).toEqual(['personal', 'cri-acme']);
    expect(node.fake.count('ListInstance')).toBe(1);
  });
});

describe('the cache it shares with the provider', () => {
  it("a get after the kubelet's pull makes no token call, and the provider after a get neither", async () => {
    const pulled = parseResponse(await node.pull(`${HOST}/team/app`));
    expect(node.fake.count('GetAuthorizationToken')).toBe(1);
    const got = await helper(['get'], HOST);
    expect(JSON.parse(got.stdout).Secret).toBe(pulled.auth[HOST]?.password);
    expect(node.fake.count('GetAuthorizationToken')).toBe(1);

    const other = 'registry.acme.example';
    node.fake.reset();
    const first = await helper(['get'], other);
    expect(node.fake.count('GetAuthorizationToken')).toBe(0);
    const again = parseResponse(await node.pull(`${other}/team/app`));
    expect(again.auth[other]?.password).toBe(JSON.parse(first.stdout).Secret);
    expect(node.fake.requests).toEqual([]);
  });
});

describe('workstation credentials', () => {
  beforeEach(() => {
    node.fake.addAccessKey({
      accessKeyId: 'LTAI-laptop',
      accessKeySecret: 'laptop-secret-value',
      principal: 'user/ana',
    });
    node.fake.addInstance({
      instanceId: 'cri-team',
      instanceName: 'team',
      region: 'cn-shanghai',
      domains: [{ domain: 'team-registry.cn-shanghai.cr.aliyuncs.com', type: 'SYSTEM' }],
      allowedPrincipals: ['user/ana'],
    });
  });

  it('ALIBABA_CLOUD_ACCESS_KEY_* from the environment: no metadata call', async () => {
    const result = await helper(['get'], 'team-registry.cn-shanghai.cr.aliyuncs.com', {
      ACR_CREDENTIALS_CONFIG: join(node.root, 'absent.yaml'),
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-laptop',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'laptop-secret-value',
    });
    expect(result.code, result.stdout).toBe(0);
    expect(node.fake.issuedTokens()[0]).toMatchObject({ principal: 'user/ana', instanceId: 'cri-team' });
    expect(node.fake.requests.filter((r) => r.action.startsWith('Metadata'))).toEqual([]);
    expect(`${result.stdout}${result.stderr}`).not.toContain('laptop-secret-value');
  });

  it('the shared credentials file ~/.alibabacloud/credentials, through @alicloud/credentials', async () => {
    mkdirSync(join(home, '.alibabacloud'));
    writeFileSync(
      join(home, '.alibabacloud', 'credentials'),
      '[default]\ntype = access_key\naccess_key_id = LTAI-laptop\naccess_key_secret = laptop-secret-value\n',
      { mode: 0o600 },
    );
    const result = await helper(['get'], 'team-registry.cn-shanghai.cr.aliyuncs.com', {
      ACR_CREDENTIALS_CONFIG: join(node.root, 'absent.yaml'),
    });
    expect(result.code, result.stdout).toBe(0);
    expect(node.fake.issuedTokens()[0]).toMatchObject({ principal: 'user/ana' });
    expect(`${result.stdout}${result.stderr}`).not.toContain('laptop-secret-value');
  });

  it("the aliyun CLI's profile (~/.aliyun/config.json)", async () => {
    mkdirSync(join(home, '.aliyun'));
    writeFileSync(
      join(home, '.aliyun', 'config.json'),
      JSON.stringify({
        current: 'work',
        profiles: [
          { name: 'work', mode: 'AK', access_key_id: 'LTAI-laptop', access_key_secret: 'laptop-secret-value' },
        ],
      }),
      { mode: 0o600 },
    );
    const result = await helper(['get'], 'team-registry.cn-shanghai.cr.aliyuncs.com', {
      ACR_CREDENTIALS_CONFIG: join(node.root, 'absent.yaml'),
    });
    expect(result.code, result.stdout).toBe(0);
    expect(node.fake.issuedTokens()[0]).toMatchObject({ principal: 'user/ana' });
  });
});

describe('the other verbs', () => {
  it('list prints the registries the configuration names', async () => {
    const result = await helper(['list']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ [HOST]: 'cr_temp_user', 'registry.acme.example': 'cr_temp_user' });
  });

  it('store and erase accept what docker login and logout send, and keep nothing', async () => {
    const login = JSON.stringify({ ServerURL: HOST, Username: 'someone', Secret: 'typed-password' });
    for (const [verb, stdin] of [
      ['store', login],
      ['erase', HOST],
    ] as const) {
      const result = await helper([verb], stdin);
      expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    }
    const got = await helper(['get'], HOST);
    expect(JSON.parse(got.stdout).Secret).toBe(lastIssuedPassword(node.fake));
  });

  it('version, and bad usage with exit 2', async () => {
    expect((await helper(['version'])).stdout).toMatch(/^docker-credential-acr \d+\.\d+\.\d+ \(node v\d+/);
    const bad = await helper(['login']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"login" is not a verb');
  });
});
