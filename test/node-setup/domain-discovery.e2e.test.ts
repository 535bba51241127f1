// Custom domains nobody listed, end to end: the built acr-node-setup runs
// the built provider's match-images against the fake cloud (with the node's
// RAM role from the fake metadata service) and writes the instance's custom
// domains into the kubelet's matchImages.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startFakeAlicloud, type FakeAlicloud } from '../fakes/alicloud/index.js';
import { binaryPath, runBinary } from '../support/binaries.js';
import { makeHost, type Host } from './host-fixture.js';

let h: Host;
let fake: FakeAlicloud;
beforeEach(async () => {
  h = makeHost({ layout: 'kubeadm-deb', glibc: '2.36' });
  fake = await startFakeAlicloud({ region: 'cn-hangzhou' });
  fake.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [
      { domain: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' },
      { domain: 'images.example.com', type: 'USER' },
    ],
    allowedPrincipals: ['role/KubernetesWorkerRole'],
  });
});
afterEach(async () => {
  h.cleanup();
  await fake.close();
});

it('an instance listed without domains: its custom domain is in matchImages after install', async () => {
  const configmap = join(h.work, 'configmap');
  mkdirSync(configmap);
  writeFileSync(join(configmap, 'acr-registry-info'), '- instanceId: cri-acme\n  regionId: cn-hangzhou\n');
  const args = [
    'install',
    ...h.kubeletArgs(),
    '--provider-binary',
    binaryPath('acr-credential-provider'),
    '--kubelet-version',
    '1.31.2',
    '--configmap-dir',
    configmap,
  ];
  const env = {
    ACR_PROVIDER_METADATA_ENDPOINT: fake.url,
    ACR_PROVIDER_CR_ENDPOINT: fake.url,
    ACR_PROVIDER_STS_ENDPOINT: fake.url,
  };
  const result = await runBinary('acr-node-setup', args, { env });
  expect(result.stderr).not.toContain('could not be looked up');
  expect(result.code).toBe(0);
  const config = parse(h.read('/etc/kubernetes/credential-provider-config.yaml'));
  expect(config.providers[0].matchImages).toContain('images.example.com');
  expect(fake.count('ListInstanceEndpoint')).toBe(1);
  // The provider's cache on the node holds the look-up: the kubelet's first pull makes no second one.
  expect(h.exists('/var/lib/acr-credential-provider')).toBe(true);
});
