// Failures through the built executable: the exit code the kubelet acts on,
// one stderr line an operator can act on (registry, instance, identity, code,
// request ID, fix) and never a secret in it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../support/binaries.js';
import { lastIssuedPassword, parseResponse, requestFor, startNode, WORKER_PRINCIPAL, type Node } from './harness.js';

let node: Node;

beforeEach(async () => {
  node = await startNode();
});

afterEach(async () => {
  await node.close();
});

const PERSONAL_IMAGE = 'registry.cn-hangzhou.aliyuncs.com/team/app';
const ACME_IMAGE = 'acme-registry.cn-hangzhou.cr.aliyuncs.com/team/app';
const REQUEST_ID = /request ID [0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/;

function addAcme(allowedPrincipals: string[]): void {
  node.fake.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [{ domain: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' }],
    allowedPrincipals,
  });
}

const ACME_CONFIG = `acr-registry-info: |
  - instanceId: cri-acme
    regionId: cn-hangzhou
    domains: acme-registry.cn-hangzhou.cr.aliyuncs.com
`;

/** A runtime failure: exit 1, nothing on stdout, exactly one line on stderr, no secret in it. */
function expectFailureLine(result: RunResult, secrets: string[] = []): string {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  for (const secret of [...secrets, ...node.fake.issuedTokens().map((t) => t.password)])
    expect(result.stderr).not.toContain(secret);
  return lines[0]!;
}

describe('node identity failures', () => {
  it('metadata service down: names the registry, the code and the fix', async () => {
    node.fake.metadata.down = true;
    const line = expectFailureLine(await node.pull(PERSONAL_IMAGE, { args: ['--region', 'cn-hangzhou'] }));
    expect(line).toContain('registry registry.cn-hangzhou.aliyuncs.com');
    expect(line).toContain('Personal Edition (cn-hangzhou)');
    expect(line).toContain('code MetadataUnavailable');
    expect(line).toMatch(/Fix: .*RAM role/);
  });

  it('IMDSv2 token refused: fails without --allow-imdsv1; with it, an IMDSv1-enabled instance answers', async () => {
    node.fake.allowPersonal('cn-hangzhou', [WORKER_PRINCIPAL]);
    node.fake.fault('MetadataToken', { status: 403, code: 'Forbidden' });
    const refused = expectFailureLine(await node.pull(PERSONAL_IMAGE, { args: ['--region', 'cn-hangzhou'] }));
    expect(refused).toContain('code MetadataTokenUnavailable');
    expect(refused).toContain('IMDSv1');

    node.fake.metadata.imdsV1Allowed = true;
    const response = parseResponse(
      await node.pull(PERSONAL_IMAGE, { args: ['--region', 'cn-hangzhou', '--allow-imdsv1'] }),
    );
    expect(response.auth['registry.cn-hangzhou.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
  });

  it('IMDSv1 refused by a hardened instance even with --allow-imdsv1', async () => {
    node.fake.fault('MetadataToken', { status: 403, code: 'Forbidden' });
    const line = expectFailureLine(
      await node.pull(PERSONAL_IMAGE, { args: ['--region', 'cn-hangzhou', '--allow-imdsv1'] }),
    );
    expect(line).toContain('code MetadataTokenRequired');
  });
});

describe('ACR and STS failures', () => {
  it('wrong AccessKey secret: names the AccessKey ID, never the secret', async () => {
    node.writeConfig(`acr-registry-info: |
  - instanceId: cri-acme
    regionId: cn-hangzhou
    customAccessKey: LTAI-puller
    customAccessKeySecret: wrong-secret-value-123
`);
    node.fake.addAccessKey({
      accessKeyId: 'LTAI-puller',
      accessKeySecret: 'right-secret-value-456',
      principal: 'user/puller',
    });
    addAcme(['user/puller']);
    const line = expectFailureLine(await node.pull(ACME_IMAGE), ['wrong-secret-value-123', 'right-secret-value-456']);
    expect(line).toContain('LTAI-puller');
    expect(line).toContain('code SignatureDoesNotMatch');
    expect(line).toMatch(REQUEST_ID);
    expect(line).toContain('Fix: the AccessKey secret for LTAI-puller is wrong');
  });

  it('NoPrivilege: names instance, identity, request ID and the RAM actions to grant', async () => {
    node.writeConfig(ACME_CONFIG);
    addAcme(['user/somebody-else']);
    const line = expectFailureLine(await node.pull(ACME_IMAGE));
    expect(line).toContain('registry acme-registry.cn-hangzhou.cr.aliyuncs.com');
    expect(line).toContain('instance cri-acme (cn-hangzhou)');
    expect(line).toContain('identity role/KubernetesWorkerRole');
    expect(line).toContain('code NoPrivilege');
    expect(line).toMatch(REQUEST_ID);
    expect(line).toMatch(/Fix: .*cr:GetAuthorizationToken, cr:ListInstanceEndpoint, cr:PullRepository/);
  });

  it('an Enterprise host whose instance the node cannot find fails with InstanceNotFound and how to configure it', async () => {
    const line = expectFailureLine(await node.pull('ghost-registry.cn-hangzhou.cr.aliyuncs.com/team/app'));
    expect(line).toContain('code InstanceNotFound');
    expect(line).toContain('ghost (cn-hangzhou)');
    expect(line).toContain('acr-registry-info');
  });

  it('AssumeRole refused by the trust policy: names the role and the fix', async () => {
    const roleArn = 'acs:ram::5678:role/untrusting';
    node.writeConfig(`acr-registry-info: |
  - instanceId: cri-acme
    regionId: cn-hangzhou
    assumeRoleARN: ${roleArn}
`);
    node.fake.addRole({ arn: roleArn, principal: 'role/untrusting@5678', trustedPrincipals: [] });
    addAcme(['role/untrusting@5678']);
    const line = expectFailureLine(await node.pull(ACME_IMAGE));
    expect(line).toContain(roleArn);
    expect(line).toMatch(/Fix: .*trust policy/);
  });

  it('a secret-ref whose mirrored file is missing names the file and how to store the secret', async () => {
    node.writeConfig(`acr-registry-info: |
  - instanceId: cri-acme
    regionId: cn-hangzhou
    domains: acme-registry.cn-hangzhou.cr.aliyuncs.com
    customAccessKey: LTAI-puller
    customAccessKeySecretRef: puller
`);
    const line = expectFailureLine(await node.pull(ACME_IMAGE));
    expect(line).toContain('code SecretFileMissing');
    expect(line).toContain('secrets/puller');
    expect(line).toContain('LTAI-puller');
    expect(node.fake.requests).toEqual([]);
  });

  it('RRSA without its token file names the file', async () => {
    node.writeConfig(`rrsa: |
  enable: true
acr-registry-info: |
  - instanceId: cri-acme
    regionId: cn-hangzhou
    domains: acme-registry.cn-hangzhou.cr.aliyuncs.com
    rrsaRoleARN: acs:ram::1111:role/a-user-role
    rrsaOIDCProviderRoleARN: acs:ram::1111:oidc-provider/ack-rrsa-c1
`);
    const line = expectFailureLine(await node.pull(ACME_IMAGE));
    expect(line).toContain('code OidcTokenFileMissing');
    expect(line).toContain('rrsa/token');
    expect(line).toContain('acs:ram::1111:role/a-user-role');
  });

  it('Throttling then success: retried inside the budget, answers', async () => {
    node.writeConfig(ACME_CONFIG);
    addAcme([WORKER_PRINCIPAL]);
    node.fake.fault('GetAuthorizationToken', { code: 'Throttling.User', times: 1 });
    const response = parseResponse(await node.pull(ACME_IMAGE));
    expect(response.auth['acme-registry.cn-hangzhou.cr.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.count('GetAuthorizationToken')).toBe(2);
  });

  it('5xx twice then success: retried, answers', async () => {
    node.writeConfig(ACME_CONFIG);
    addAcme([WORKER_PRINCIPAL]);
    node.fake.fault('GetAuthorizationToken', { status: 503, times: 2 });
    const response = parseResponse(await node.pull(ACME_IMAGE));
    expect(response.auth['acme-registry.cn-hangzhou.cr.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.count('GetAuthorizationToken')).toBe(3);
  });

  it('IsSuccess:false in a 200 answer is a failure with its code', async () => {
    node.writeConfig(ACME_CONFIG);
    addAcme([WORKER_PRINCIPAL]);
    node.fake.fault('GetAuthorizationToken', {
      isSuccessFalse: true,
      code: 'INSTANCE_STATUS_INVALID',
      message: 'The instance is not running.',
    });
    const line = expectFailureLine(await node.pull(ACME_IMAGE));
    expect(line).toContain('code INSTANCE_STATUS_INVALID');
    expect(line).toContain('instance cri-acme (cn-hangzhou)');
  });
});

describe('tokens near expiry', () => {
  it('a token that expires inside expiring-threshold is answered with cacheDuration 0s and never served from the cache', async () => {
    node.writeConfig(`expiring-threshold: 2h\n${ACME_CONFIG}`);
    addAcme([WORKER_PRINCIPAL]);
    const first = await node.pull(ACME_IMAGE);
    const response = parseResponse(first);
    expect(response.cacheDuration).toBe('0s');
    expect(response.auth['acme-registry.cn-hangzhou.cr.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    const second = parseResponse(await node.pull(ACME_IMAGE));
    expect(second.auth['acme-registry.cn-hangzhou.cr.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.count('GetAuthorizationToken')).toBe(2);
  });
});

describe('bad requests (exit 2, one line saying what is wrong)', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['garbage', 'this is not json', /not valid JSON/],
    [
      'unknown apiVersion',
      JSON.stringify({
        apiVersion: 'credentialprovider.kubelet.k8s.io/v2',
        kind: 'CredentialProviderRequest',
        image: PERSONAL_IMAGE,
      }),
      /apiVersion .* is not supported/,
    ],
    [
      'unknown kind',
      JSON.stringify({ apiVersion: 'credentialprovider.kubelet.k8s.io/v1', kind: 'Pod', image: PERSONAL_IMAGE }),
      /kind "Pod"/,
    ],
    ['empty image', requestFor(''), /image is empty/],
    ['empty stdin', '', /empty/],
  ];
  it.each(cases)('%s', async (_name, stdin, message) => {
    const result = await node.run(stdin);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(node.fake.requests).toEqual([]);
  });

  it('an unknown flag is a usage error (exit 2)', async () => {
    const result = await node.run(requestFor(PERSONAL_IMAGE), ['--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--no-such-flag');
  });

  it('ignores unknown request fields', async () => {
    node.fake.allowPersonal('cn-hangzhou', [WORKER_PRINCIPAL]);
    const stdin = JSON.stringify({
      apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
      kind: 'CredentialProviderRequest',
      image: PERSONAL_IMAGE,
      futureField: { x: 1 },
    });
    const response = parseResponse(await node.run(stdin, ['--region', 'cn-hangzhou']));
    expect(response.auth['registry.cn-hangzhou.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
  });
});

describe('configuration problems', () => {
  const BROKEN = `acr-registry-info: |
  - instanceId: cri-acme
     regionId: cn-hangzhou
   domains: [unclosed
`;

  it('an invalid configuration with no last valid one exits 2 naming the line', async () => {
    node.writeConfig(BROKEN);
    const result = await node.pull(ACME_IMAGE);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(node.configPath);
    expect(result.stderr).toMatch(/line \d+/);
    expect(node.fake.requests).toEqual([]);
  });

  it('an invalid edit keeps the last valid configuration in force and says so on stderr', async () => {
    node.writeConfig(ACME_CONFIG);
    addAcme([WORKER_PRINCIPAL]);
    parseResponse(await node.pull(ACME_IMAGE));
    node.writeConfig(BROKEN);
    const result = await node.pull(ACME_IMAGE);
    const response = parseResponse(result);
    expect(response.auth['acme-registry.cn-hangzhou.cr.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    expect(result.stderr).toContain('using the last valid one');
    expect(result.stderr).toMatch(/line \d+/);
    // Same instance and identity: the cached token still answers.
    expect(node.fake.count('GetAuthorizationToken')).toBe(1);
  });
});
