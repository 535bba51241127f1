// A cached token belongs to the identity that fetched it: when an entry
// changes identity (its own AccessKey, then an assumed role), the next pull
// must get a token fetched as the new identity, never the old one's.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parseResponse, startNode, WORKER_PRINCIPAL, type Node } from './harness.js';

let node: Node;

beforeEach(async () => {
  node = await startNode();
});

afterEach(async () => {
  await node.close();
});

const HOST = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';
const ENTRY = '- instanceId: cri-acme\n    regionId: cn-hangzhou\n';

it('each identity of an entry gets its own token for the same instance', async () => {
  node.fake.addAccessKey({ accessKeyId: 'LTAIteam', accessKeySecret: 'Team-Secret-Value-9', principal: 'user/team' });
  node.fake.addRole({
    arn: 'acs:ram::123456789012:role/puller',
    principal: 'role/puller',
    trustedPrincipals: ['user/team'],
  });
  node.fake.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [{ domain: HOST, type: 'SYSTEM' }],
    allowedPrincipals: [WORKER_PRINCIPAL, 'user/team', 'role/puller'],
  });
  const passwordFor = async (entry: string): Promise<{ password: string; principal: string | undefined }> => {
    node.writeConfig(`acr-registry-info: |\n  ${entry}`);
    const password = parseResponse(await node.pull(`${HOST}/team/app`)).auth[HOST]!.password;
    return { password, principal: node.fake.issuedTokens().find((t) => t.password === password)?.principal };
  };

  const asNode = await passwordFor(ENTRY);
  const asTeam = await passwordFor(
    `${ENTRY}    customAccessKey: LTAIteam\n    customAccessKeySecret: Team-Secret-Value-9\n`,
  );
  const asRole = await passwordFor(
    `${ENTRY}    customAccessKey: LTAIteam\n    customAccessKeySecret: Team-Secret-Value-9\n    assumeRoleARN: acs:ram::123456789012:role/puller\n`,
  );
  const backToNode = await passwordFor(ENTRY);

  expect([asNode.principal, asTeam.principal, asRole.principal]).toEqual([
    WORKER_PRINCIPAL,
    'user/team',
    'role/puller',
  ]);
  expect(new Set([asNode.password, asTeam.password, asRole.password]).size).toBe(3);
  // The node's own token is still fresh in the cache: going back reuses it.
  expect(backToNode).toEqual(asNode);
  expect(node.fake.issuedTokens()).toHaveLength(3);
});
