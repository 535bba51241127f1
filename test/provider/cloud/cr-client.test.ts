import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../../fakes/alicloud/index.js';
import type { CloudCredentials } from '../../../provider/cloud/cloud-credentials.js';
import { CloudError, type CloudFailure } from '../../../provider/cloud/cloud-error.js';
import {
  getAuthorizationToken,
  getPersonalToken,
  listInstanceDomains,
  listInstances,
} from '../../../provider/cloud/cr-client.js';
import { fakeContext, testClock, testPolicy, failureOf } from './cloud-test-support.js';

const INSTANCE = 'cri-abc123';
const key = (id: string, secret: string): CloudCredentials => ({
  accessKeyId: id,
  accessKeySecret: secret,
  securityToken: undefined,
  expiresAt: undefined,
  identity: `accessKey ${id}`,
});
const PULLER = key('LTAI-puller', 'puller-secret-value');
const OUTSIDER = key('LTAI-outsider', 'outsider-secret-value');

let fake: FakeAlicloud;

beforeEach(async () => {
  fake = await startFakeAlicloud();
  fake.addAccessKey({
    accessKeyId: PULLER.accessKeyId,
    accessKeySecret: PULLER.accessKeySecret,
    principal: 'user/puller',
  });
  fake.addAccessKey({
    accessKeyId: OUTSIDER.accessKeyId,
    accessKeySecret: OUTSIDER.accessKeySecret,
    principal: 'user/outsider',
  });
  fake.addInstance({
    instanceId: INSTANCE,
    instanceName: 'acme',
    region: 'cn-beijing',
    domains: [
      { domain: 'acme-registry.cn-beijing.cr.aliyuncs.com', type: 'SYSTEM' },
      { domain: 'acme-registry-vpc.cn-beijing.cr.aliyuncs.com', type: 'SYSTEM' },
      { domain: 'Registry.Acme.Example', type: 'USER' },
    ],
    allowedPrincipals: ['user/puller'],
  });
});

afterEach(async () => {
  await fake.close();
});

const noSecrets = (f: CloudFailure, secrets: string[]) => {
  const text = JSON.stringify(f);
  for (const secret of secrets) expect(text).not.toContain(secret);
};

describe('getAuthorizationToken', () => {
  it('returns the registry login of the instance, asking in its region', async () => {
    const token = await getAuthorizationToken(PULLER, INSTANCE, 'cn-beijing', fakeContext(fake.url));
    const [issued] = fake.issuedTokens();
    expect(token).toEqual({ username: issued?.username, password: issued?.password, expiresAt: issued?.expiresAt });
    expect(fake.requests[0]).toMatchObject({
      action: 'GetAuthorizationToken',
      region: 'cn-beijing',
      principal: 'user/puller',
      params: { InstanceId: INSTANCE, RegionId: 'cn-beijing' },
    });
  });

  it('names the identity and the fix for a wrong secret, without the secret', async () => {
    const wrong = key('LTAI-puller', 'not-the-right-secret');
    const f = await failureOf(getAuthorizationToken(wrong, INSTANCE, 'cn-beijing', fakeContext(fake.url)));
    expect(f).toMatchObject({ code: 'SignatureDoesNotMatch', httpStatus: 400, retryable: false });
    expect(f.message).toContain('accessKey LTAI-puller');
    expect(f.fix).toContain('the AccessKey secret for LTAI-puller is wrong');
    noSecrets(f, ['not-the-right-secret', 'puller-secret-value']);
    expect(fake.count('GetAuthorizationToken')).toBe(1);
  });

  it('says which AccessKey does not exist', async () => {
    const f = await failureOf(
      getAuthorizationToken(key('LTAI-ghost', 'ghost-secret'), INSTANCE, 'cn-beijing', fakeContext(fake.url)),
    );
    expect(f.code).toBe('InvalidAccessKeyId.NotFound');
    expect(f.fix).toMatch(/AccessKey LTAI-ghost does not exist/);
  });

  it('names the RAM actions to grant, and the request ID, when the identity lacks them', async () => {
    const f = await failureOf(getAuthorizationToken(OUTSIDER, INSTANCE, 'cn-beijing', fakeContext(fake.url)));
    expect(f).toMatchObject({ code: 'NoPrivilege', httpStatus: 403, retryable: false });
    expect(f.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(f.fix).toContain(
      'grant the RAM identity accessKey LTAI-outsider the actions cr:GetAuthorizationToken, cr:ListInstanceEndpoint, cr:PullRepository',
    );
    expect(new CloudError(f).message).toContain(`request ID ${f.requestId}`);
  });

  it('says the instance is not in the region asked', async () => {
    const f = await failureOf(getAuthorizationToken(PULLER, INSTANCE, 'cn-hangzhou', fakeContext(fake.url)));
    expect(f.code).toBe('INSTANCE_NOT_EXIST');
    expect(f.fix).toMatch(/cri-abc123 was not found in region cn-hangzhou/);
  });

  it('retries throttling, waiting what the server asks, until it gets through', async () => {
    fake.fault('GetAuthorizationToken', { code: 'Throttling.User', retryAfterSeconds: 2, times: 2 });
    const clock = testClock();
    const token = await getAuthorizationToken(PULLER, INSTANCE, 'cn-beijing', fakeContext(fake.url, clock));
    expect(token.password).toBe(fake.issuedTokens()[0]?.password);
    expect(fake.count('GetAuthorizationToken')).toBe(3);
    expect(clock.slept).toEqual([2_000, 2_000]);
  });

  it.each([500, 503])('retries HTTP %i with backoff', async (status) => {
    fake.fault('GetAuthorizationToken', { status, times: 1 });
    const clock = testClock();
    await getAuthorizationToken(PULLER, INSTANCE, 'cn-beijing', fakeContext(fake.url, clock));
    expect(fake.count('GetAuthorizationToken')).toBe(2);
    expect(clock.slept).toEqual([225]);
  });

  it('retries a dropped connection', async () => {
    fake.fault('GetAuthorizationToken', { drop: true, times: 1 });
    await getAuthorizationToken(PULLER, INSTANCE, 'cn-beijing', fakeContext(fake.url));
    expect(fake.count('GetAuthorizationToken')).toBe(2);
  });

  it('gives up on persistent throttling after the attempts the policy allows', async () => {
    fake.fault('GetAuthorizationToken', { code: 'Throttling.Api' });
    const f = await failureOf(
      getAuthorizationToken(
        PULLER,
        INSTANCE,
        'cn-beijing',
        fakeContext(fake.url, testClock(), { ...testPolicy, maxAttempts: 4 }),
      ),
    );
    expect(f).toMatchObject({ code: 'Throttling.Api', retryable: true });
    expect(f.message).toMatch(/gave up after 4 attempts/);
    expect(fake.count('GetAuthorizationToken')).toBe(4);
  });

  it('treats a 200 with IsSuccess:false as the error it carries', async () => {
    fake.fault('GetAuthorizationToken', {
      isSuccessFalse: true,
      code: 'INSTANCE_STATUS_INVALID',
      message: 'instance is not running',
      times: 1,
    });
    const f = await failureOf(getAuthorizationToken(PULLER, INSTANCE, 'cn-beijing', fakeContext(fake.url)));
    expect(f).toMatchObject({ code: 'INSTANCE_STATUS_INVALID', httpStatus: 200, retryable: false });
    expect(f.message).toContain('instance is not running');
    expect(fake.count('GetAuthorizationToken')).toBe(1);
  });

  it('times out a call that does not answer and retries it', async () => {
    fake.fault('GetAuthorizationToken', { latencyMs: 1_500, times: 1 });
    const context = fakeContext(fake.url, testClock(), { ...testPolicy, callTimeoutMs: 200 });
    await getAuthorizationToken(PULLER, INSTANCE, 'cn-beijing', context);
    expect(fake.count('GetAuthorizationToken')).toBe(2);
  });

  it('reports a timeout with the endpoint once the attempts are used up', async () => {
    fake.fault('GetAuthorizationToken', { latencyMs: 1_500, times: 2 });
    const context = fakeContext(fake.url, testClock(), { ...testPolicy, callTimeoutMs: 200, maxAttempts: 2 });
    const f = await failureOf(getAuthorizationToken(PULLER, INSTANCE, 'cn-beijing', context));
    expect(f).toMatchObject({ code: 'Timeout', retryable: true });
    expect(f.message).toContain('no answer within 200 ms');
    expect(f.fix).toContain(fake.url);
  });
});

describe('listInstances', () => {
  it('pages through every instance and keeps only the exact name', async () => {
    for (let i = 0; i < 57; i++) {
      fake.addInstance({
        instanceId: `cri-x${i}`,
        instanceName: `acme-${i}`,
        region: 'cn-beijing',
        domains: [],
        allowedPrincipals: ['user/puller'],
      });
    }
    fake.addInstance({
      instanceId: 'cri-other-region',
      instanceName: 'acme',
      region: 'cn-shanghai',
      domains: [],
      allowedPrincipals: ['user/puller'],
    });
    const all = await listInstances(PULLER, 'cn-beijing', fakeContext(fake.url));
    expect(all).toHaveLength(58);
    expect(fake.requests.map((r) => r.params.PageNo)).toEqual(['1', '2']);

    fake.reset();
    const named = await listInstances(PULLER, 'cn-beijing', fakeContext(fake.url), 'acme');
    expect(named).toEqual([{ instanceId: INSTANCE, instanceName: 'acme', regionId: 'cn-beijing', status: 'RUNNING' }]);
    expect(fake.requests.map((r) => r.params)).toEqual([
      { RegionId: 'cn-beijing', PageNo: '1', PageSize: '50', InstanceName: 'acme' },
      { RegionId: 'cn-beijing', PageNo: '2', PageSize: '50', InstanceName: 'acme' },
    ]);
  });
});

describe('listInstanceDomains', () => {
  it('returns every registry domain, lower-cased, with its type and access point', async () => {
    const domains = await listInstanceDomains(PULLER, INSTANCE, 'cn-beijing', fakeContext(fake.url));
    expect(domains).toEqual([
      { domain: 'acme-registry.cn-beijing.cr.aliyuncs.com', type: 'SYSTEM', endpointType: 'internet' },
      { domain: 'registry.acme.example', type: 'USER', endpointType: 'internet' },
      { domain: 'acme-registry-vpc.cn-beijing.cr.aliyuncs.com', type: 'SYSTEM', endpointType: 'vpc' },
    ]);
    expect(fake.requests[0]?.params).toMatchObject({
      InstanceId: INSTANCE,
      ModuleName: 'Registry',
      RegionId: 'cn-beijing',
    });
  });

  it('names cr:ListInstanceEndpoint among the actions to grant', async () => {
    const f = await failureOf(listInstanceDomains(OUTSIDER, INSTANCE, 'cn-beijing', fakeContext(fake.url)));
    expect(f.fix).toContain('cr:ListInstanceEndpoint');
  });
});

describe('getPersonalToken', () => {
  it('returns the Personal Edition login of the region', async () => {
    fake.allowPersonal('cn-qingdao', ['user/puller']);
    const token = await getPersonalToken(PULLER, 'cn-qingdao', fakeContext(fake.url));
    const [issued] = fake.issuedTokens();
    expect(issued?.region).toBe('cn-qingdao');
    expect(token).toEqual({ username: issued?.username, password: issued?.password, expiresAt: issued?.expiresAt });
    expect(fake.requests[0]).toMatchObject({
      action: 'GetPersonalToken',
      method: 'GET',
      path: '/tokens',
      region: 'cn-qingdao',
    });
  });

  it('explains a region without Personal Edition for the caller', async () => {
    const f = await failureOf(getPersonalToken(PULLER, 'cn-qingdao', fakeContext(fake.url)));
    expect(f).toMatchObject({ action: 'GetPersonalToken', code: 'USER_NOT_EXIST', httpStatus: 404 });
    expect(f.fix).toMatch(/Personal Edition/);
  });
});
