// provideCredentials in-process against the fake cloud, with a clock both
// sides share: exact cache durations, refresh at the threshold, and proof
// that a cache hit never loads the cold path.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { coldPath } from '../../../provider/kubelet/cold-path.js';
import { provideCredentials, type ProvideDeps } from '../../../provider/kubelet/provide-credentials.js';
import { parseCli, type ProviderOptions } from '../../../provider/kubelet/provider-cli.js';
import { startFakeAlicloud, type FakeAlicloud } from '../../fakes/alicloud/index.js';
import { requestFor, WORKER_PRINCIPAL, type ProviderResponse } from './harness.js';

const HOST = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';
const IMAGE = `${HOST}/team/app`;

let fake: FakeAlicloud;
let root: string;
let clock: number;
let coldLoads: number;
let options: ProviderOptions;

function deps(): ProvideDeps {
  return {
    options,
    env: {
      ACR_PROVIDER_METADATA_ENDPOINT: fake.url,
      ACR_PROVIDER_CR_ENDPOINT: fake.url,
      ACR_PROVIDER_STS_ENDPOINT: fake.url,
    },
    now: () => clock,
    loadColdPath: async () => {
      coldLoads++;
      return coldPath;
    },
  };
}

async function pull(
  image = IMAGE,
): Promise<{ exitCode: number; response: ProviderResponse | undefined; stderr: string[] }> {
  const outcome = await provideCredentials(requestFor(image), deps());
  return {
    exitCode: outcome.exitCode,
    response: outcome.stdout ? (JSON.parse(outcome.stdout) as ProviderResponse) : undefined,
    stderr: outcome.stderr,
  };
}

beforeEach(async () => {
  clock = Date.parse('2026-03-01T00:00:00Z');
  coldLoads = 0;
  fake = await startFakeAlicloud({ now: () => clock });
  fake.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [{ domain: HOST, type: 'SYSTEM' }],
    allowedPrincipals: [WORKER_PRINCIPAL],
  });
  root = mkdtempSync(join(tmpdir(), 'acr-provider-inproc-'));
  const configPath = join(root, 'acr-configuration.yaml');
  writeFileSync(
    configPath,
    `expiring-threshold: 15m\nacr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n    domains: ${HOST}\n`,
  );
  const cli = parseCli(['--config', configPath, '--cache-dir', join(root, 'cache')]);
  if (cli.kind !== 'run') throw new Error('flags rejected');
  options = cli.options;
});

afterEach(async () => {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
});

describe('provideCredentials', () => {
  it('cacheDuration is the token lifetime minus the threshold; a hit loads no cold path and calls nothing', async () => {
    const cold = await pull();
    expect(cold.exitCode).toBe(0);
    expect(cold.response?.cacheDuration).toBe('2700s');
    expect(coldLoads).toBe(1);

    fake.reset();
    clock += 10 * 60 * 1000;
    const warm = await pull();
    expect(warm.response?.cacheDuration).toBe('2100s');
    expect(warm.response?.auth).toEqual(cold.response?.auth);
    expect(coldLoads).toBe(1);
    expect(fake.requests).toEqual([]);
  });

  it('refetches once the token is within the threshold of its expiry', async () => {
    const first = await pull();
    clock += 45 * 60 * 1000 + 1;
    const second = await pull();
    expect(coldLoads).toBe(2);
    expect(fake.count('GetAuthorizationToken')).toBe(2);
    expect(second.response?.auth[HOST]?.password).not.toBe(first.response?.auth[HOST]?.password);
    expect(second.response?.cacheDuration).toBe('2700s');
    // Node credentials (6 h) were still good: no second metadata round.
    expect(fake.count('MetadataCredentials')).toBe(1);
  });

  it('node credentials near their expiry are fetched again rather than reused', async () => {
    fake.metadata.credentialTtlSeconds = 3600;
    await pull();
    clock += 46 * 60 * 1000;
    await pull();
    expect(fake.count('MetadataCredentials')).toBe(2);
  });

  it('a changed configuration file is read again (the hit key includes the file identity)', async () => {
    await pull();
    writeFileSync(
      options.configPath,
      `expiring-threshold: 30m\nacr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n    domains: ${HOST},images.acme.example\n`,
    );
    const after = await pull();
    expect(coldLoads).toBe(2);
    expect(Object.keys(after.response?.auth ?? {}).sort()).toEqual([HOST, 'images.acme.example']);
    // Same instance and identity: the token is reused, with the new threshold.
    expect(fake.count('GetAuthorizationToken')).toBe(1);
    expect(after.response?.cacheDuration).toBe('1800s');
  });

  it('NoPrivilege: exit 1 with one line naming code, request ID and identity; the next request asks again', async () => {
    fake.addInstance({
      instanceId: 'cri-acme',
      instanceName: 'acme',
      region: 'cn-hangzhou',
      domains: [{ domain: HOST, type: 'SYSTEM' }],
      allowedPrincipals: [],
    });
    const first = await pull();
    expect(first.exitCode).toBe(1);
    expect(first.response).toBeUndefined();
    expect(first.stderr).toHaveLength(1);
    expect(first.stderr[0]).toMatch(/code NoPrivilege, request ID [0-9A-F-]{36}\]/);
    expect(first.stderr[0]).toContain('identity role/KubernetesWorkerRole');
    await pull();
    expect(fake.count('GetAuthorizationToken')).toBe(2);
  });

  it('Throttling twice, then success: one answer, three attempts', async () => {
    fake.fault('GetAuthorizationToken', { code: 'Throttling.User', times: 2 });
    const result = await pull();
    expect(result.exitCode).toBe(0);
    expect(result.response?.auth[HOST]?.password).toBe(fake.issuedTokens()[0]?.password);
    expect(fake.count('GetAuthorizationToken')).toBe(3);
  });

  it('a bad image reference is exit 2 without touching the cache or the cloud', async () => {
    const result = await pull('Registry.Example.com/UPPER/case');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toHaveLength(1);
    expect(coldLoads).toBe(0);
    expect(fake.requests).toEqual([]);
  });
});
