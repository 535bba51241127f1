// After `kubectl acr sync --once`, `kubectl acr status` sees what it wrote:
// the Secret per namespace in scope, its token's expiry, the ServiceAccounts
// patched, and which controller serves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../../fakes/alicloud/index.js';
import { configMap, startHarness, type PluginHarness } from '../plugin-harness.js';

let h: PluginHarness;
let cloud: FakeAlicloud;
let cacheDir: string;
beforeEach(async () => {
  h = await startHarness();
  cloud = await startFakeAlicloud({ region: 'cn-hangzhou' });
  cloud.allowPersonal('cn-hangzhou', ['role/KubernetesWorkerRole']);
  cacheDir = mkdtempSync(join(tmpdir(), 'acr-sync-cache-'));
});
afterEach(async () => {
  await cloud.close();
  await h.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

test('status reports the synced namespaces, the token expiry and the patched ServiceAccounts', async () => {
  h.api.seed([
    configMap({ 'watch-namespace': 'team-a', 'acr-registry-info': '- instanceId: ""\n  regionId: cn-hangzhou\n' }),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team-a' } },
  ]);
  const env = {
    ACR_PROVIDER_METADATA_ENDPOINT: cloud.url,
    ACR_PROVIDER_CR_ENDPOINT: cloud.url,
    ACR_PROVIDER_STS_ENDPOINT: cloud.url,
  };
  expect((await h.run(['sync', '--once', '--cache-dir', cacheDir], { env })).code).toBe(0);
  const status = await h.run(['status', '-o', 'json']);
  const report = JSON.parse(status.stdout);
  const [namespace] = report.secretSync.namespaces;
  expect(namespace.namespace).toBe('team-a');
  expect(namespace.secret).toMatch(/^acr-credential-[0-9a-f]{10}$/);
  expect(Date.parse(namespace.tokenExpiresAt)).toBe(cloud.issuedTokens()[0]!.expiresAt);
  expect(namespace.tokenExpired).toBe(false);
  expect(namespace.serviceAccounts).toEqual([{ name: 'default', patched: true }]);
});
