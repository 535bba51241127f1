// `acr-credential-provider match-images` through the built executable: the
// kubelet patterns for every custom domain of the configured instances, found
// with ListInstanceEndpoint as the entry's identity and kept in the
// provider's cache; a look-up that fails is reported and the rest still
// printed.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ACR_MATCH_IMAGES } from '../../../provider/registry/image-match.js';
import { callCounts, startNode, WORKER_PRINCIPAL, type Node } from './harness.js';

let node: Node;
beforeEach(async () => {
  node = await startNode();
  node.fake.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [
      { domain: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' },
      { domain: 'acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' },
      { domain: 'registry.example.com', type: 'USER' },
      { domain: 'harbor.example.org:8443', type: 'USER' },
    ],
    allowedPrincipals: [WORKER_PRINCIPAL],
  });
});
afterEach(async () => {
  await node.close();
});

const matchImages = () => node.run('', ['match-images']);

it('prints every custom domain of an instance that lists none, from the cache the second time', async () => {
  node.writeConfig(
    'acr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n  - instanceId: cri-other\n    regionId: cn-hangzhou\n    domains: other.example.net\n',
  );
  const first = await matchImages();
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  const report = JSON.parse(first.stdout) as { matchImages: string[]; customDomains: string[]; failures: unknown[] };
  expect(report.customDomains).toEqual(['harbor.example.org:8443', 'other.example.net', 'registry.example.com']);
  expect(report.matchImages).toEqual([...ACR_MATCH_IMAGES, ...report.customDomains]);
  expect(report.failures).toEqual([]);
  expect(callCounts(node.fake).ListInstanceEndpoint).toBe(1);

  node.fake.reset();
  expect(JSON.parse((await matchImages()).stdout)).toEqual(report);
  expect(node.fake.requests).toHaveLength(0);
});

it('a look-up refused is one line naming the instance and the fix; the listed domains are still printed', async () => {
  node.writeConfig(
    'acr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n  - instanceId: cri-b\n    regionId: cn-hangzhou\n    domains: b.example.net\n',
  );
  node.fake.fault('ListInstanceEndpoint', { status: 403, code: 'Forbidden.RAM', message: 'User not authorized' });
  const result = await matchImages();
  expect(result.code).toBe(1);
  const report = JSON.parse(result.stdout) as { customDomains: string[]; failures: { code: string }[] };
  expect(report.customDomains).toEqual(['b.example.net']);
  expect(report.failures.map((f) => f.code)).toEqual(['Forbidden.RAM']);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('instance cri-acme (cn-hangzhou)');
  expect(lines[0]).toContain('Fix: grant the RAM identity');
});
