// Proof with real clients: skopeo and buildah, configured the way users do
// (`credHelpers` in containers' auth.json), get their login from the built
// docker-credential-acr, which gets it from the fake cloud; a real OCI
// registry (Debian's docker-registry) accepts exactly that token.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../fakes/alicloud/index.js';
import { binaryPath, runProcess } from '../support/binaries.js';
import { startOciRegistry, type OciRegistry } from './oci-registry.js';

let fake: FakeAlicloud;
let registry: OciRegistry;
let dir: string;
let env: Record<string, string>;
let authFile: string;

beforeAll(async () => {
  fake = await startFakeAlicloud({ region: 'cn-hangzhou' });
  registry = await startOciRegistry();
  fake.addInstance({
    instanceId: 'cri-proof',
    instanceName: 'proof',
    region: 'cn-hangzhou',
    domains: [{ domain: registry.host, type: 'USER' }],
    allowedPrincipals: [fake.metadata.principal],
  });
  dir = mkdtempSync(join(tmpdir(), 'acr-helper-proof-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(binaryPath('docker-credential-acr'), join(bin, 'docker-credential-acr'));
  const config = join(dir, 'acr-configuration.yaml');
  writeFileSync(
    config,
    `acr-registry-info: |\n  - instanceId: cri-proof\n    regionId: cn-hangzhou\n    domains: "${registry.host}"\n`,
  );
  authFile = join(dir, 'auth.json');
  writeFileSync(authFile, JSON.stringify({ credHelpers: { [registry.host]: 'acr' } }));
  env = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: dir,
    ACR_PROVIDER_METADATA_ENDPOINT: fake.url,
    ACR_PROVIDER_CR_ENDPOINT: fake.url,
    ACR_PROVIDER_STS_ENDPOINT: fake.url,
    ACR_CREDENTIALS_CONFIG: config,
    ACR_CREDENTIALS_CACHE_DIR: join(dir, 'cache'),
  };
  // The registry accepts the token the helper hands out (its cache keeps it for every later call).
  const got = await runProcess('docker-credential-acr', ['get'], { stdin: registry.host, env });
  expect(got.code, got.stdout).toBe(0);
  const { Username, Secret } = JSON.parse(got.stdout);
  expect(Secret).toBe(fake.issuedTokens()[0]?.password);
  await registry.allow([{ username: Username, password: Secret }]);
});

afterAll(async () => {
  await registry?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('buildah pushes and skopeo reads the manifest with the login from credHelpers, from one token', async () => {
  const digest = registry.push('team/app', '1.0', { authFile, env });
  const inspect = await runProcess(
    'skopeo',
    ['inspect', '--authfile', authFile, '--tls-verify=false', `docker://${registry.host}/team/app:1.0`],
    { env, timeoutMs: 60_000 },
  );
  expect(inspect.code, inspect.stderr).toBe(0);
  expect(JSON.parse(inspect.stdout).Digest).toBe(digest);
  expect(fake.count('GetAuthorizationToken')).toBe(1);
});

it('without the credHelpers entry the registry refuses skopeo: the login came from the helper', async () => {
  const none = join(dir, 'none.json');
  writeFileSync(none, '{}');
  const inspect = await runProcess(
    'skopeo',
    ['inspect', '--authfile', none, '--tls-verify=false', `docker://${registry.host}/team/app:1.0`],
    { env, timeoutMs: 60_000 },
  );
  expect(inspect.code).not.toBe(0);
  expect(inspect.stderr).toMatch(/unauthorized|authentication required/i);
});
