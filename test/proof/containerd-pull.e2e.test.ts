// Proof with real parts: a real containerd, through the CRI call the kubelet
// makes, pulls from a real OCI registry with the credentials the provider
// answers and with the pull Secret `kubectl acr sync` writes — and is refused
// without them. The registry stands at 127.0.0.1:<port>, a custom domain of an
// instance in the fake cloud, and accepts exactly the tokens that cloud issued.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../fakes/alicloud/index.js';
import { configMap, startHarness, type PluginHarness } from '../plugin/plugin-harness.js';
import { kubeletImageMatches } from '../../provider/registry/image-match.js';
import { makeHost, type Host } from '../node-setup/host-fixture.js';
import { binaryPath, runBinary } from '../support/binaries.js';
import { askProvider, authFor, kubeletSetup, providerFor, providersFor, type PodPull } from './kubelet-emulation.js';
import { createServiceAccountIssuer } from '../fakes/apiserver/service-account-tokens.js';
import { startContainerd, type Containerd } from './containerd.js';
import { startOciRegistry, type Login, type OciRegistry } from './oci-registry.js';

const WORKER = 'role/KubernetesWorkerRole';
const REGISTRY_INFO = '- instanceId: "cri-proof"\n  regionId: "cn-hangzhou"\n';

let registry: OciRegistry;
let containerd: Containerd;
let cloud: FakeAlicloud;
let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  registry = await startOciRegistry();
  containerd = await startContainerd([registry.host]);
  cloud = await startFakeAlicloud({ region: 'cn-hangzhou' });
  cloud.addInstance({
    instanceId: 'cri-proof',
    instanceName: 'proof',
    region: 'cn-hangzhou',
    domains: [
      { domain: 'proof-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' },
      { domain: registry.host, type: 'USER' },
    ],
    allowedPrincipals: [WORKER],
  });
  work = mkdtempSync(join(tmpdir(), 'acr-proof-'));
  env = {
    ACR_PROVIDER_METADATA_ENDPOINT: cloud.url,
    ACR_PROVIDER_CR_ENDPOINT: cloud.url,
    ACR_PROVIDER_STS_ENDPOINT: cloud.url,
  };
}, 60_000);
afterAll(async () => {
  await containerd?.close();
  await registry?.close();
  await cloud?.close();
  rmSync(work, { recursive: true, force: true });
});

/** What the kubelet does with the provider: the request on stdin, the auth entry for the image's host. */
async function provide(image: string, cloudEnv = env, cache = join(work, 'cache'), warning?: RegExp): Promise<Login> {
  const config = join(work, 'acr-configuration.yaml');
  writeFileSync(config, `acr-registry-info: |\n  ${REGISTRY_INFO.replace(/\n(?=.)/g, '\n  ')}`);
  const result = await runBinary('acr-credential-provider', ['--config', config, '--cache-dir', cache], {
    env: cloudEnv,
    stdin: JSON.stringify({
      apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
      kind: 'CredentialProviderRequest',
      image,
    }),
  });
  if (warning) expect(result.stderr).toMatch(warning);
  else expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const answer = JSON.parse(result.stdout) as { auth: Record<string, Login> };
  const login = answer.auth[registry.host];
  expect(login).toBeDefined();
  return login!;
}

describe('a real containerd pulls from a real registry', () => {
  const image = () => `${registry.host}/team/app:1.0`;

  test('with the provider’s answer, and only with it; the cache hit’s answer pulls too', async () => {
    const login = await provide(`${registry.host}/team/app`);
    await registry.allow([login]);
    const digest = registry.push('team/app', '1.0', login);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    await expect(containerd.pull(image())).rejects.toThrow(/401 Unauthorized/);
    await expect(
      containerd.pull(image(), { username: login.username, password: `${login.password}x` }),
    ).rejects.toThrow(/401 Unauthorized/);
    expect(await containerd.pull(image(), { username: login.username, password: login.password })).toMatch(/^sha256:/);

    const tokensBefore = cloud.count('GetAuthorizationToken');
    const again = await provide(`${registry.host}/team/app`);
    expect(cloud.count('GetAuthorizationToken')).toBe(tokensBefore);
    expect(again).toEqual(login);
    await containerd.remove(image());
    expect(await containerd.pull(image(), { username: again.username, password: again.password })).toMatch(/^sha256:/);
  }, 120_000);

  test('after a token expires the provider fetches a new one, which pulls; the expired one is refused', async () => {
    const hour = 60 * 60 * 1000;
    let now = Date.now() - 2 * hour;
    const expiring = await startFakeAlicloud({ region: 'cn-hangzhou', now: () => now });
    try {
      expiring.addInstance({
        instanceId: 'cri-proof',
        instanceName: 'proof',
        region: 'cn-hangzhou',
        domains: [{ domain: registry.host, type: 'USER' }],
        allowedPrincipals: [WORKER],
      });
      const cloudEnv = {
        ACR_PROVIDER_METADATA_ENDPOINT: expiring.url,
        ACR_PROVIDER_CR_ENDPOINT: expiring.url,
        ACR_PROVIDER_STS_ENDPOINT: expiring.url,
      };
      const cache = join(work, 'expiring-cache');
      // Issued two hours ago: it expired an hour ago.
      const expired = await provide(
        `${registry.host}/team/app`,
        cloudEnv,
        cache,
        /^acr-credential-provider: warning: the token for 127\.0\.0\.1:\d+ expires within the expiring-threshold \(900s\); answering with cacheDuration 0s\n$/,
      );
      now = Date.now();
      const fresh = await provide(`${registry.host}/team/app`, cloudEnv, cache);
      expect(expiring.count('GetAuthorizationToken')).toBe(2);
      expect(fresh.password).not.toBe(expired.password);
      // ACR refuses an expired token: the registry now knows only the fresh one.
      await registry.allow([fresh]);
      await containerd.remove(image()).catch(() => undefined);
      await expect(containerd.pull(image(), expired)).rejects.toThrow(/401 Unauthorized/);
      expect(await containerd.pull(image(), fresh)).toMatch(/^sha256:/);
    } finally {
      await expiring.close();
    }
  }, 120_000);

  test('with the pull Secret kubectl acr sync writes: its auths key for host:port is the one the kubelet matches', async () => {
    let h: PluginHarness | undefined;
    try {
      h = await startHarness();
      h.api.seed([
        configMap({ 'acr-registry-info': REGISTRY_INFO }),
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } },
      ]);
      const result = await h.run(['sync', '--once', '--cache-dir', join(work, 'sync-cache')], { env });
      expect(result.code).toBe(0);
      const [secret] = h.api.list('secrets', 'default') as { data: Record<string, string> }[];
      const auths = (
        JSON.parse(Buffer.from(secret!.data['.dockerconfigjson']!, 'base64').toString()) as {
          auths: Record<string, { username: string; password: string; auth: string }>;
        }
      ).auths;
      const fromSecret = auths[registry.host];
      expect(fromSecret).toBeDefined();
      await registry.allow([fromSecret!]);
      await containerd.remove(image()).catch(() => undefined);
      expect(
        await containerd.pull(image(), { username: fromSecret!.username, password: fromSecret!.password }),
      ).toMatch(/^sha256:/);
      // The `auth` field alone (base64 user:password) is what some clients send: it pulls too.
      await containerd.remove(image());
      expect(await containerd.pull(image(), { auth: fromSecret!.auth })).toMatch(/^sha256:/);
    } finally {
      await h?.close();
    }
  }, 120_000);
});

describe('the kubelet in the middle', () => {
  const hosts: Host[] = [];
  afterAll(() => {
    for (const h of hosts) h.cleanup();
  });

  /** `acr-node-setup install` of the built provider onto a new host root, with this ConfigMap data mounted. */
  async function installedHost(data: Record<string, string>, kubeletVersion?: string): Promise<Host> {
    const h = makeHost({ layout: 'kubeadm-deb', glibc: '2.36' });
    hosts.push(h);
    const configmap = join(h.work, 'configmap');
    mkdirSync(configmap);
    for (const [key, value] of Object.entries(data)) writeFileSync(join(configmap, key), value);
    const args = h
      .installArgs(kubeletVersion)
      .map((arg) => (arg === h.providerBinary ? binaryPath('acr-credential-provider') : arg));
    const installed = await runBinary('acr-node-setup', ['install', ...args, '--configmap-dir', configmap]);
    expect(installed.code).toBe(0);
    return h;
  }

  test('node setup installs the provider; the kubelet’s rules pick it and its auth entry; containerd pulls with that', async () => {
    // The registry listed in `domains`, so node setup adds it to matchImages.
    const h = await installedHost({
      'acr-registry-info': `- instanceId: "cri-proof"\n  regionId: "cn-hangzhou"\n  domains: "${registry.host}"\n`,
    });

    // What the kubelet reads: its flags, then the CredentialProviderConfig they name.
    const setup = kubeletSetup(h);
    const image = `${registry.host}/team/app`;
    const provider = providerFor(setup, image);
    expect(provider?.name).toBe('acr-credential-provider');
    expect(kubeletImageMatches(`*.*.cr.aliyuncs.com`, image)).toBe(false);

    const result = await askProvider(h, setup, provider!, image, env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const response = JSON.parse(result.stdout) as { apiVersion: string; auth: Record<string, Login> };
    expect(response.apiVersion).toBe(provider!.apiVersion);
    const matching = authFor(response.auth, image);
    expect(matching.map(([key]) => key)).toEqual([registry.host]);
    const [, login] = matching[0]!;
    await registry.allow([login]);
    await containerd.remove(`${image}:1.0`).catch(() => undefined);
    expect(await containerd.pull(`${image}:1.0`, login)).toMatch(/^sha256:/);
  }, 120_000);

  test('pod identity: node setup writes both entries; the kubelet asks both, the pod’s own credentials pull, another team’s are refused', async () => {
    const OIDC = 'acs:ram::1234567890:oidc-provider/ack-rrsa-proof';
    const issuer = createServiceAccountIssuer();
    cloud.addOidcProvider({
      arn: OIDC,
      issuer: issuer.issuer,
      publicKey: issuer.publicKey,
      clientIds: ['sts.aliyuncs.com'],
    });
    for (const team of ['team-a', 'team-b'])
      cloud.addRole({
        arn: `acs:ram::1234567890:role/${team}`,
        principal: `role/${team}`,
        trustedPrincipals: [OIDC],
        oidcSubjects: [`system:serviceaccount:${team}:puller`],
      });
    // Both roles may fetch a token; the registry decides what each may pull.
    cloud.addInstance({
      instanceId: 'cri-teams',
      instanceName: 'teams',
      region: 'cn-hangzhou',
      domains: [{ domain: registry.host, type: 'USER' }],
      allowedPrincipals: [WORKER, 'role/team-a', 'role/team-b'],
    });
    const h = await installedHost(
      {
        'acr-registry-info': `- instanceId: "cri-teams"\n  regionId: "cn-hangzhou"\n  domains: "${registry.host}"\n`,
        'pod-identity': `enable: true\noidc-provider-arn: ${OIDC}\n`,
      },
      '1.34.1',
    );

    const setup = kubeletSetup(h);
    const image = `${registry.host}/team/app`;
    expect(providersFor(setup, image).map((p) => p.name)).toEqual([
      'acr-credential-provider-pod-identity',
      'acr-credential-provider',
    ]);
    const pod = (team: string): PodPull => ({
      token: (audience) => issuer.mint({ namespace: team, name: 'puller', audience }),
      annotations: { 'acr-credential-provider.io/role-arn': `acs:ram::1234567890:role/${team}`, unrelated: 'x' },
    });
    /** The kubelet's keyring for one pod's pull: every matching provider's matching credentials, in config order. */
    const credentials = async (p: PodPull): Promise<Login[]> => {
      const logins: Login[] = [];
      for (const provider of providersFor(setup, image)) {
        const result = await askProvider(h, setup, provider, image, env, p);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        logins.push(
          ...authFor((JSON.parse(result.stdout) as { auth: Record<string, Login> }).auth, image).map(([, l]) => l),
        );
      }
      return logins;
    };
    const principal = (login: Login) => cloud.issuedTokens().find((t) => t.password === login.password)?.principal;

    const teamA = await credentials(pod('team-a'));
    expect(teamA.map(principal)).toEqual(['role/team-a', WORKER]);
    const teamB = await credentials(pod('team-b'));
    expect(teamB.map(principal)).toEqual(['role/team-b', WORKER]);

    // The registry lets team-a's role pull, nobody else: the runtime is offered the pod's own credentials first.
    await registry.allow([teamA[0]!]);
    await containerd.remove(`${image}:1.0`).catch(() => undefined);
    expect(await containerd.pull(`${image}:1.0`, teamA[0])).toMatch(/^sha256:/);
    await containerd.remove(`${image}:1.0`);
    for (const login of teamB) await expect(containerd.pull(`${image}:1.0`, login)).rejects.toThrow(/401 Unauthorized/);
  }, 120_000);
});
