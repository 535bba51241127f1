// The provider and `kubectl acr credentials` run one resolution driver; this
// proves it from the outside. Both built executables answer the same image
// under the same configuration, identity and region, and must reach the same
// verdict: served (with the same instance, identity and auth hosts), not
// served, or failed with the same code.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../fakes/alicloud/index.js';
import { runBinary, type RunResult } from '../support/binaries.js';

const WORKER = 'role/KubernetesWorkerRole';
const OFF_CLOUD = { id: 'LTAIoffcloud', secret: 'Off-Cloud-Secret-Value-1', principal: 'user/offcloud' };
const TEAM = { id: 'LTAIteam', secret: 'Team-Secret-Value-2', principal: 'user/team' };
const PULLER_ROLE = 'acs:ram::123456789012:role/puller';

const configurations: Record<string, string | undefined> = {
  'no configuration file': undefined,
  'Enterprise entry with its region': 'acr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n',
  'Enterprise entry, node region': 'acr-registry-info: |\n  - instanceId: cri-acme\n',
  'Enterprise entry with explicit domains':
    'acr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n    domains: "images.acme.example,acme-registry.cn-hangzhou.cr.aliyuncs.com"\n',
  'Personal entry with an AccessKey and a role':
    `acr-registry-info: |\n  - instanceId: ""\n    regionId: cn-beijing\n    customAccessKey: ${TEAM.id}\n` +
    `    customAccessKeySecret: ${TEAM.secret}\n    assumeRoleARN: ${PULLER_ROLE}\n`,
};

const identities = ['node role', 'off-cloud AccessKey', 'none'] as const;
type Identity = (typeof identities)[number];

const hosts = [
  // configured, or discovered by instance name with the node identity
  'acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com',
  // a custom domain of the instance
  'images.acme.example',
  // an instance only the node's RAM role may see; and one nobody can
  'other-registry.cn-hangzhou.cr.aliyuncs.com',
  'ghost-registry.cn-hangzhou.cr.aliyuncs.com',
  // Personal Edition, classic and crpi-
  'registry-vpc.cn-beijing.aliyuncs.com',
  'crpi-k3x9q2h7.cn-hangzhou.personal.cr.aliyuncs.com',
  // look-alikes and a registry that is not ACR
  'registry.cn-hangzhou-aliyuncs.com',
  'docker.io',
];

const regions = [undefined, 'cn-hangzhou'] as const;

type Verdict =
  | { kind: 'served'; instance: string; principal: string; authHosts: string[] }
  | { kind: 'not-served' }
  | { kind: 'failed'; code: string };

let root: string;
const fakes = new Map<Identity, FakeAlicloud>();

function seed(fake: FakeAlicloud): void {
  const everyone = [WORKER, OFF_CLOUD.principal, 'role/puller'];
  fake.addAccessKey({ accessKeyId: OFF_CLOUD.id, accessKeySecret: OFF_CLOUD.secret, principal: OFF_CLOUD.principal });
  fake.addAccessKey({ accessKeyId: TEAM.id, accessKeySecret: TEAM.secret, principal: TEAM.principal });
  fake.addRole({ arn: PULLER_ROLE, principal: 'role/puller', trustedPrincipals: [TEAM.principal] });
  fake.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [
      { domain: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' },
      { domain: 'acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' },
      { domain: 'images.acme.example', type: 'USER' },
    ],
    allowedPrincipals: everyone,
  });
  fake.addInstance({
    instanceId: 'cri-other',
    instanceName: 'other',
    region: 'cn-hangzhou',
    domains: [{ domain: 'other-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' }],
    allowedPrincipals: [WORKER],
  });
  for (const region of ['cn-hangzhou', 'cn-beijing']) fake.allowPersonal(region, everyone);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'acr-parity-'));
  for (const identity of identities) {
    const fake = await startFakeAlicloud({ region: 'cn-hangzhou' });
    seed(fake);
    if (identity !== 'node role') fake.metadata.down = true;
    fakes.set(identity, fake);
  }
});

afterAll(async () => {
  for (const fake of fakes.values()) await fake.close();
  rmSync(root, { recursive: true, force: true });
});

function issuedBy(fake: FakeAlicloud, password: string): { instance: string; principal: string } {
  const issued = fake.issuedTokens().find((t) => t.password === password);
  if (!issued) throw new Error('the answer carries a password the fake never issued');
  return { instance: `${issued.instanceId ?? 'personal'} ${issued.region}`, principal: issued.principal };
}

function failureCode(text: string): string {
  return /code ([\w.]+)/.exec(text)?.[1] ?? `no code in: ${text}`;
}

function providerVerdict(fake: FakeAlicloud, result: RunResult): Verdict {
  if (result.code !== 0) return { kind: 'failed', code: failureCode(result.stderr) };
  const response = JSON.parse(result.stdout) as { auth: Record<string, { password: string }> };
  const authHosts = Object.keys(response.auth).sort();
  const first = authHosts[0];
  if (first === undefined) return { kind: 'not-served' };
  return { kind: 'served', ...issuedBy(fake, response.auth[first]!.password), authHosts };
}

function walkVerdict(fake: FakeAlicloud, result: RunResult): Verdict {
  const walk = JSON.parse(result.stdout) as {
    result: string;
    steps: { outcome: string; code?: string }[];
    token?: { password: string; authHosts: string[] };
  };
  if (walk.result === 'not-served') return { kind: 'not-served' };
  if (walk.result !== 'credentials' || !walk.token) {
    const failed = walk.steps.find((step) => step.outcome === 'failed');
    return { kind: 'failed', code: failed?.code ?? 'InstanceNotFound' };
  }
  return { kind: 'served', ...issuedBy(fake, walk.token.password), authHosts: [...walk.token.authHosts].sort() };
}

async function verdicts(configuration: string, identity: Identity, region: string | undefined, host: string) {
  const fake = fakes.get(identity)!;
  const dir = mkdtempSync(join(root, 'case-'));
  const configPath = join(dir, 'acr-configuration.yaml');
  const text = configurations[configuration];
  if (text !== undefined) writeFileSync(configPath, text);
  mkdirSync(join(dir, 'cache'), { mode: 0o700 });
  const env: Record<string, string> = {
    ACR_PROVIDER_METADATA_ENDPOINT: fake.url,
    ACR_PROVIDER_CR_ENDPOINT: fake.url,
    ACR_PROVIDER_STS_ENDPOINT: fake.url,
    HOME: dir,
    ...(identity === 'off-cloud AccessKey'
      ? { ALIBABA_CLOUD_ACCESS_KEY_ID: OFF_CLOUD.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: OFF_CLOUD.secret }
      : {}),
  };
  const regionArgs = region ? ['--region', region] : [];
  const image = `${host}/team/app`;
  const [provider, walk] = await Promise.all([
    runBinary('acr-credential-provider', ['--config', configPath, '--cache-dir', join(dir, 'cache'), ...regionArgs], {
      stdin: JSON.stringify({
        apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
        kind: 'CredentialProviderRequest',
        image,
      }),
      env,
      timeoutMs: 60_000,
    }),
    runBinary(
      'kubectl-acr',
      ['credentials', image, '--config', configPath, ...regionArgs, '-o', 'json', '--show-password'],
      {
        env,
        timeoutMs: 60_000,
      },
    ),
  ]);
  return { provider: providerVerdict(fake, provider), walk: walkVerdict(fake, walk) };
}

describe('the provider and kubectl acr credentials reach the same verdict', () => {
  const seen = new Map<string, number>();
  // Every host under every configuration and identity; --region given for
  // half of them, alternating so that each host meets both across the matrix
  // (both executables start cold for every case: the full cross product
  // would take minutes on two cores).
  Object.keys(configurations).forEach((configuration, c) => {
    identities.forEach((identity, i) => {
      it(`${configuration}, ${identity}: every host`, async () => {
        const cases = hosts.map((host, h) => ({ host, region: regions[(c + i + h) % 2] }));
        const results = await Promise.all(cases.map((k) => verdicts(configuration, identity, k.region, k.host)));
        results.forEach(({ provider, walk }, k) => {
          expect(walk, `${cases[k]!.host} --region ${cases[k]!.region ?? '(none)'}`).toEqual(provider);
          seen.set(provider.kind, (seen.get(provider.kind) ?? 0) + 1);
        });
      });
    });
  });

  it('the matrix covers every kind of verdict', () => {
    expect(Object.fromEntries(seen)).toMatchObject({
      served: expect.any(Number),
      'not-served': expect.any(Number),
      failed: expect.any(Number),
    });
    const principals = new Set<string>();
    expect(seen.size).toBe(3);
    for (const fake of fakes.values()) for (const t of fake.issuedTokens()) principals.add(t.principal);
    expect([...principals].sort()).toEqual(['role/KubernetesWorkerRole', 'role/puller', 'user/offcloud']);
  });
});
