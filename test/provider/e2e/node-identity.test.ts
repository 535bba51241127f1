// The node's own identity outside Alibaba Cloud (ALIBABA_CLOUD_ACCESS_KEY_*),
// --version, and what --log-level debug may print: never a secret.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBinary } from '../../support/binaries.js';
import { lastIssuedPassword, parseResponse, startNode, type Node } from './harness.js';

let node: Node;

beforeEach(async () => {
  node = await startNode();
});

afterEach(async () => {
  await node.close();
});

const IMAGE = 'registry.cn-shanghai.aliyuncs.com/team/app';

describe('node identity', () => {
  it('off Alibaba Cloud: ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, no metadata call at all (region from the image host)', async () => {
    node.fake.addAccessKey({
      accessKeyId: 'LTAI-offcloud',
      accessKeySecret: 'offcloud-secret-value',
      principal: 'user/offcloud',
    });
    node.fake.allowPersonal('cn-shanghai', ['user/offcloud']);
    node.writeConfig(
      `acr-registry-info: |\n  - instanceId: ""\n    customAccessKey: LTAI-other\n    customAccessKeySecret: other-secret-value\n    regionId: cn-beijing\n`,
    );
    const result = await node.pull(IMAGE, {
      args: ['--log-level', 'debug'],
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-offcloud', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'offcloud-secret-value' },
    });
    const response = parseResponse(result);
    expect(response.auth['registry.cn-shanghai.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.issuedTokens()[0]).toMatchObject({ principal: 'user/offcloud', region: 'cn-shanghai' });
    expect(node.fake.requests.filter((r) => r.action.startsWith('Metadata'))).toEqual([]);
    for (const secret of ['offcloud-secret-value', 'other-secret-value', lastIssuedPassword(node.fake)])
      expect(result.stderr).not.toContain(secret);
  });

  it('--log-level debug on a cache hit says so, and prints no secret', async () => {
    node.fake.allowPersonal('cn-shanghai', ['role/KubernetesWorkerRole']);
    parseResponse(await node.pull(IMAGE, { args: ['--region', 'cn-hangzhou'] }));
    const hit = await node.pull(IMAGE, { args: ['--region', 'cn-hangzhou', '--log-level', 'debug'] });
    expect(parseResponse(hit).auth['registry.cn-shanghai.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    expect(hit.stderr).toContain('cache hit for registry.cn-shanghai.aliyuncs.com');
    expect(hit.stderr).not.toContain(lastIssuedPassword(node.fake));
  });

  it('--version prints the version line and exits 0 without reading stdin', async () => {
    const result = await runBinary('acr-credential-provider', ['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^acr-credential-provider \S+ \(node v24\.\d+\.\d+\)\n$/);
  });
});
