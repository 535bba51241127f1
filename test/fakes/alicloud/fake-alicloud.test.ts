import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { startFakeAlicloud, type FakeAlicloud } from './index.js';
import {
  AssumeRoleRequest,
  AssumeRoleWithOIDCRequest,
  callCr,
  callPersonalTokens,
  openApiClient,
  sdkError,
  stsClient,
  type Credentials,
} from './sdk-clients.js';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

const PULLER: Credentials = { accessKeyId: 'LTAI-puller', accessKeySecret: 'puller-secret-value' };
const OUTSIDER: Credentials = { accessKeyId: 'LTAI-outsider', accessKeySecret: 'outsider-secret-value' };
const INSTANCE = 'cri-abc123';
const ROLE_ARN = 'acs:ram::1234:role/acr-reader';
const OIDC_ARN = 'acs:ram::1234:oidc-provider/ack-rrsa-c1';
const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl';

let fake: FakeAlicloud;
let clock: number;

beforeEach(async () => {
  clock = Date.parse('2026-03-01T00:00:00Z');
  fake = await startFakeAlicloud({ now: () => clock });
  fake.addAccessKey({ ...PULLER, principal: 'user/puller' });
  fake.addAccessKey({ ...OUTSIDER, principal: 'user/outsider' });
  fake.addInstance({
    instanceId: INSTANCE,
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [
      { domain: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' },
      { domain: 'acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' },
      { domain: 'registry.acme.example', type: 'USER' },
    ],
    allowedPrincipals: ['user/puller', 'role/KubernetesWorkerRole', 'role/acr-reader@1234'],
  });
  fake.addRole({
    arn: ROLE_ARN,
    principal: 'role/acr-reader@1234',
    trustedPrincipals: ['user/puller', OIDC_ARN],
    maxSessionDuration: 43200,
  });
  fake.addOidcProvider({ arn: OIDC_ARN, token: OIDC_TOKEN });
});

afterEach(async () => {
  await fake.close();
});

const tokenFor = (
  credentials: Credentials,
  query: Record<string, string> = { InstanceId: INSTANCE, RegionId: 'cn-hangzhou' },
) => callCr(openApiClient(fake.endpoint, credentials), 'GetAuthorizationToken', query);

async function metadataCredentials(): Promise<Credentials & { expiration: string }> {
  const session = await fetch(`${fake.url}/latest/api/token`, {
    method: 'PUT',
    headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' },
  });
  const token = await session.text();
  const headers = { 'X-aliyun-ecs-metadata-token': token };
  const role = await (await fetch(`${fake.url}/latest/meta-data/ram/security-credentials/`, { headers })).text();
  const body = (await (
    await fetch(`${fake.url}/latest/meta-data/ram/security-credentials/${role}`, { headers })
  ).json()) as Record<string, string>;
  return {
    accessKeyId: body.AccessKeyId ?? '',
    accessKeySecret: body.AccessKeySecret ?? '',
    securityToken: body.SecurityToken ?? '',
    expiration: body.Expiration ?? '',
  };
}

describe('signature checking (ACS3-HMAC-SHA256 through callApi)', () => {
  it('answers GetAuthorizationToken for the right secret and records who asked', async () => {
    const response = await tokenFor(PULLER);
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      IsSuccess: true,
      Code: 'success',
      TempUsername: 'cr_temp_user',
      ExpireTime: clock + 3600_000,
    });
    expect(response.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(fake.issuedTokens()).toEqual([
      {
        username: 'cr_temp_user',
        password: response.body.AuthorizationToken,
        instanceId: INSTANCE,
        region: 'cn-hangzhou',
        principal: 'user/puller',
        expiresAt: clock + 3600_000,
      },
    ]);
    expect(fake.requests).toEqual([
      {
        action: 'GetAuthorizationToken',
        method: 'POST',
        path: '/',
        accessKeyId: PULLER.accessKeyId,
        principal: 'user/puller',
        status: 200,
        region: 'cn-hangzhou',
        params: { InstanceId: INSTANCE, RegionId: 'cn-hangzhou' },
      },
    ]);
  });

  it('refuses a wrong secret with SignatureDoesNotMatch and the gateway error body', async () => {
    const error = await sdkError(tokenFor({ ...PULLER, accessKeySecret: 'not-the-secret' }));
    expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
    expect(Object.keys(error.data ?? {}).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    expect(fake.requests[0]).toMatchObject({
      status: 400,
      code: 'SignatureDoesNotMatch',
      accessKeyId: PULLER.accessKeyId,
    });
    expect(fake.requests[0]?.principal).toBeUndefined();
    expect(fake.issuedTokens()).toEqual([]);
  });

  it('refuses an unknown AccessKey ID with InvalidAccessKeyId.NotFound (404)', async () => {
    const error = await sdkError(tokenFor({ accessKeyId: 'LTAI-nobody', accessKeySecret: 'whatever' }));
    expect(error).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
  });

  it('gives every error a fresh RequestId', async () => {
    const first = await sdkError(tokenFor({ ...PULLER, accessKeySecret: 'wrong' }));
    const second = await sdkError(tokenFor({ ...PULLER, accessKeySecret: 'wrong' }));
    expect(first.data?.RequestId).not.toEqual(second.data?.RequestId);
  });
});

describe('ECS metadata', () => {
  it('hands out STS credentials through the IMDSv2 flow that act as the node role', async () => {
    const credentials = await metadataCredentials();
    expect(credentials.accessKeyId).toMatch(/^STS\./);
    expect(credentials.expiration).toBe('2026-03-01T06:00:00Z');
    const response = await tokenFor(credentials);
    expect(response.body.ExpireTime).toBe(clock + 3600_000);
    expect(fake.requests.map((r) => r.action)).toEqual([
      'MetadataToken',
      'MetadataRole',
      'MetadataCredentials',
      'GetAuthorizationToken',
    ]);
    expect(fake.requests.at(-1)?.principal).toBe('role/KubernetesWorkerRole');
  });

  it('limits the CR password to the credentials it was asked with when those end sooner than an hour', async () => {
    fake.metadata.credentialTtlSeconds = 600;
    const credentials = await metadataCredentials();
    const response = await tokenFor(credentials);
    expect(response.body.ExpireTime).toBe(clock + 600_000);
    expect(Date.parse(credentials.expiration)).toBe(clock + 600_000);
  });

  it('refuses reads without a session token unless IMDSv1 is allowed', async () => {
    expect((await fetch(`${fake.url}/latest/meta-data/region-id`)).status).toBe(403);
    fake.metadata.imdsV1Allowed = true;
    const allowed = await fetch(`${fake.url}/latest/meta-data/region-id`);
    expect([allowed.status, await allowed.text()]).toEqual([200, 'cn-hangzhou']);
  });

  it('answers 404 when no role is attached and drops connections when down', async () => {
    fake.metadata.imdsV1Allowed = true;
    fake.metadata.roleName = undefined;
    expect((await fetch(`${fake.url}/latest/meta-data/ram/security-credentials/`)).status).toBe(404);
    fake.metadata.down = true;
    await expect(fetch(`${fake.url}/latest/meta-data/region-id`)).rejects.toThrow();
  });

  it('rejects STS credentials used without their security token or with another one', async () => {
    const credentials = await metadataCredentials();
    const { securityToken, ...withoutToken } = credentials;
    expect(securityToken).toMatch(/^CAIS/);
    expect(await sdkError(tokenFor(withoutToken))).toMatchObject({ code: 'MissingSecurityToken', statusCode: 400 });
    expect(await sdkError(tokenFor({ ...withoutToken, securityToken: 'not-a-token' }))).toMatchObject({
      code: 'InvalidSecurityToken.Malformed',
    });
    const other = (
      await stsClient(fake.endpoint, PULLER).assumeRole(
        new AssumeRoleRequest({ roleArn: ROLE_ARN, roleSessionName: 'node-1' }),
      )
    ).body;
    const mismatched = { ...withoutToken, securityToken: other?.credentials?.securityToken ?? '' };
    expect(await sdkError(tokenFor(mismatched))).toMatchObject({ code: 'InvalidSecurityToken.MismatchWithAccessKey' });
  });

  it('rejects STS credentials once they have expired', async () => {
    const credentials = await metadataCredentials();
    clock += 6 * 3600_000;
    expect(await sdkError(tokenFor(credentials))).toMatchObject({
      code: 'InvalidSecurityToken.Expired',
      statusCode: 400,
    });
  });
});

describe('STS through @alicloud/sts20150401', () => {
  it('AssumeRole returns credentials that act as the role', async () => {
    const response = await stsClient(fake.endpoint, PULLER).assumeRole(
      new AssumeRoleRequest({ roleArn: ROLE_ARN, roleSessionName: 'node-1', durationSeconds: 900 }),
    );
    const body = response.body;
    expect(body?.assumedRoleUser?.arn).toBe(`${ROLE_ARN}/node-1`);
    expect(body?.credentials?.expiration).toBe('2026-03-01T00:15:00Z');
    const credentials = {
      accessKeyId: body?.credentials?.accessKeyId ?? '',
      accessKeySecret: body?.credentials?.accessKeySecret ?? '',
      securityToken: body?.credentials?.securityToken ?? '',
    };
    const token = await tokenFor(credentials);
    expect(token.body.ExpireTime).toBe(clock + 900_000);
    expect(fake.requests.map((r) => [r.action, r.principal])).toEqual([
      ['AssumeRole', 'user/puller'],
      ['GetAuthorizationToken', 'role/acr-reader@1234'],
    ]);
    expect(fake.requests[0]?.params).toEqual({ RoleArn: ROLE_ARN, RoleSessionName: 'node-1', DurationSeconds: '900' });
  });

  it.each([
    ['an untrusted caller', OUTSIDER, { roleArn: ROLE_ARN, roleSessionName: 'node-1' }, 'NoPermission', 403],
    [
      'an unknown role',
      PULLER,
      { roleArn: 'acs:ram::1234:role/missing', roleSessionName: 'node-1' },
      'EntityNotExist.Role',
      404,
    ],
    [
      'a duration under 900 s',
      PULLER,
      { roleArn: ROLE_ARN, roleSessionName: 'node-1', durationSeconds: 899 },
      'InvalidParameter.DurationSeconds',
      400,
    ],
    [
      'a duration over 43200 s',
      PULLER,
      { roleArn: ROLE_ARN, roleSessionName: 'node-1', durationSeconds: 43201 },
      'InvalidParameter.DurationSeconds',
      400,
    ],
    [
      'a bad session name',
      PULLER,
      { roleArn: ROLE_ARN, roleSessionName: 'a b' },
      'InvalidParameter.RoleSessionName',
      400,
    ],
  ])('AssumeRole refuses %s', async (_what, caller, request, code, status) => {
    const error = await sdkError(stsClient(fake.endpoint, caller).assumeRole(new AssumeRoleRequest(request)));
    expect(error).toMatchObject({ code, statusCode: status });
  });

  it("AssumeRole refuses a duration beyond the role's MaxSessionDuration, 3600 s unless set", async () => {
    fake.addRole({ arn: 'acs:ram::1234:role/short', principal: 'role/short@1234', trustedPrincipals: ['user/puller'] });
    const request = new AssumeRoleRequest({
      roleArn: 'acs:ram::1234:role/short',
      roleSessionName: 'node-1',
      durationSeconds: 3601,
    });
    expect(await sdkError(stsClient(fake.endpoint, PULLER).assumeRole(request))).toMatchObject({
      code: 'InvalidParameter.DurationSeconds',
    });
  });

  it('AssumeRoleWithOIDC is anonymous and accepts exactly the provider token', async () => {
    const client = stsClient(fake.endpoint);
    const request = { OIDCProviderArn: OIDC_ARN, roleArn: ROLE_ARN, roleSessionName: 'rrsa-pod' };
    const response = await client.assumeRoleWithOIDC(
      new AssumeRoleWithOIDCRequest({ ...request, OIDCToken: OIDC_TOKEN }),
    );
    expect(response.body?.credentials?.accessKeyId).toMatch(/^STS\./);
    const error = await sdkError(
      client.assumeRoleWithOIDC(new AssumeRoleWithOIDCRequest({ ...request, OIDCToken: `${OIDC_TOKEN}x` })),
    );
    expect(error).toMatchObject({ statusCode: 401 });
    expect(error.code).toMatch(/^AuthenticationFail\.OIDCToken\./);
    expect(JSON.stringify(fake.requests)).not.toContain(OIDC_TOKEN);
  });
});

describe('anonymous calls through callApi', () => {
  const anonymous = (action: string, version: string, query: Record<string, string>, form: Record<string, string>) =>
    openApiClient(fake.endpoint, { accessKeyId: '', accessKeySecret: '' }).callApi(
      new $OpenApiUtil.Params({
        action,
        version,
        protocol: 'HTTPS',
        pathname: '/',
        method: 'POST',
        authType: 'Anonymous',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      }),
      new $OpenApiUtil.OpenApiRequest({ query, body: form }),
      new RuntimeOptions({}),
    );

  it('AssumeRoleWithOIDC reads the token from a form body, out of the URL', async () => {
    const response = (await anonymous(
      'AssumeRoleWithOIDC',
      '2015-04-01',
      { OIDCProviderArn: OIDC_ARN, RoleArn: ROLE_ARN, RoleSessionName: 'rrsa' },
      { OIDCToken: OIDC_TOKEN },
    )) as {
      body: { Credentials: { AccessKeyId: string } };
    };
    expect(response.body.Credentials.AccessKeyId).toMatch(/^STS\./);
    expect(fake.requests[0]?.params).toEqual({ OIDCProviderArn: OIDC_ARN, RoleArn: ROLE_ARN, RoleSessionName: 'rrsa' });
  });

  it.each([
    [
      'an unknown provider',
      { OIDCProviderArn: 'acs:ram::1234:oidc-provider/other' },
      OIDC_TOKEN,
      'AuthenticationFail.NoPermission',
      401,
    ],
    ['an empty token', {}, '', 'AuthenticationFail.OIDCToken.Invalid', 401],
    ['another token', {}, `${OIDC_TOKEN}x`, 'AuthenticationFail.OIDCToken.InvalidSignature', 401],
    ['an unknown role', { RoleArn: 'acs:ram::1234:role/missing' }, OIDC_TOKEN, 'EntityNotExist.Role', 404],
    [
      'a role that does not trust the provider',
      { RoleArn: 'acs:ram::1234:role/users-only' },
      OIDC_TOKEN,
      'AuthenticationFail.NoPermission',
      401,
    ],
  ])('AssumeRoleWithOIDC refuses %s', async (_what, override, token, code, status) => {
    fake.addRole({
      arn: 'acs:ram::1234:role/users-only',
      principal: 'role/users-only@1234',
      trustedPrincipals: ['user/puller'],
    });
    const query = { OIDCProviderArn: OIDC_ARN, RoleArn: ROLE_ARN, RoleSessionName: 'rrsa', ...override };
    expect(await sdkError(anonymous('AssumeRoleWithOIDC', '2015-04-01', query, { OIDCToken: token }))).toMatchObject({
      code,
      statusCode: status,
    });
  });

  it('an unsigned CR call is refused, and an unknown action is not found', async () => {
    expect(
      await sdkError(anonymous('GetAuthorizationToken', '2018-12-01', { InstanceId: INSTANCE }, {})),
    ).toMatchObject({ code: 'MissingAccessKeyId', statusCode: 400 });
    expect(await sdkError(anonymous('DeleteEverything', '2018-12-01', {}, {}))).toMatchObject({
      code: 'InvalidAction.NotFound',
      statusCode: 404,
    });
  });
});

describe('Container Registry', () => {
  it('refuses a principal the instance does not allow with NoPrivilege (403)', async () => {
    expect(await sdkError(tokenFor(OUTSIDER))).toMatchObject({ code: 'NoPrivilege', statusCode: 403 });
  });

  it('answers many simultaneous token requests, as at node start', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => tokenFor(PULLER)));
    expect(answers.every((a) => a.body.IsSuccess === true)).toBe(true);
    expect(new Set(answers.map((a) => a.body.AuthorizationToken)).size).toBe(20);
    expect(fake.count('GetAuthorizationToken')).toBe(20);
  });

  it("takes the fake's region for a CR call without RegionId", async () => {
    expect((await tokenFor(PULLER, { InstanceId: INSTANCE })).body.IsSuccess).toBe(true);
    expect(fake.requests[0]).toMatchObject({ region: 'cn-hangzhou', params: { InstanceId: INSTANCE } });
  });

  it('does not find an instance asked for in another region', async () => {
    const error = await sdkError(tokenFor(PULLER, { InstanceId: INSTANCE, RegionId: 'cn-beijing' }));
    expect(error).toMatchObject({ code: 'INSTANCE_NOT_EXIST', statusCode: 404 });
  });

  it('throttles for the given number of requests with x-acs-retry-after in milliseconds, then recovers', async () => {
    fake.fault('GetAuthorizationToken', { code: 'Throttling.User', retryAfterSeconds: 2, times: 1 });
    const error = await sdkError(tokenFor(PULLER));
    expect(error).toMatchObject({ code: 'Throttling.User', statusCode: 400, retryAfter: 2000 });
    expect((await tokenFor(PULLER)).body.IsSuccess).toBe(true);
    expect(fake.requests.map((r) => r.status)).toEqual([400, 200]);
  });

  it('answers 200 with IsSuccess:false when told to', async () => {
    fake.fault('GetAuthorizationToken', { isSuccessFalse: true, code: 'INSTANCE_STATUS_INVALID', times: 1 });
    const response = await tokenFor(PULLER);
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ IsSuccess: false, Code: 'INSTANCE_STATUS_INVALID' });
    expect(response.body.AuthorizationToken).toBeUndefined();
  });

  it('drops connections and delays answers when told to', async () => {
    fake.fault('GetAuthorizationToken', { drop: true, times: 1 });
    await expect(tokenFor(PULLER)).rejects.toThrow();
    fake.fault('GetAuthorizationToken', { latencyMs: 20, status: 503, times: 1 });
    expect(await sdkError(tokenFor(PULLER))).toMatchObject({ code: 'ServiceUnavailable', statusCode: 503 });
    expect((await tokenFor(PULLER)).statusCode).toBe(200);
    expect(fake.requests.map((r) => r.status)).toEqual([0, 503, 200]);
  });

  it('pages ListInstance within the region and filters by name and by what the caller may see', async () => {
    for (const n of [1, 2, 3, 4]) {
      fake.addInstance({
        instanceId: `cri-page${n}`,
        instanceName: `team${n}`,
        region: 'cn-hangzhou',
        domains: [],
        allowedPrincipals: ['user/puller'],
      });
    }
    fake.addInstance({
      instanceId: 'cri-far',
      instanceName: 'team9',
      region: 'cn-beijing',
      domains: [],
      allowedPrincipals: ['user/puller'],
    });
    fake.addInstance({
      instanceId: 'cri-elsewhere',
      instanceName: 'team5',
      region: 'cn-hangzhou',
      domains: [],
      allowedPrincipals: ['user/someone-else'],
    });
    const client = openApiClient(fake.endpoint, PULLER);
    const page = async (pageNo: number) =>
      (await callCr(client, 'ListInstance', { RegionId: 'cn-hangzhou', PageNo: String(pageNo), PageSize: '2' })).body;
    const pages = [await page(1), await page(2), await page(3)];
    expect(pages.map((p) => (p.Instances as { InstanceId: string }[]).map((i) => i.InstanceId))).toEqual([
      [INSTANCE, 'cri-page1'],
      ['cri-page2', 'cri-page3'],
      ['cri-page4'],
    ]);
    expect(pages.map((p) => [p.TotalCount, p.PageNo, p.PageSize])).toEqual([
      [5, 1, 2],
      [5, 2, 2],
      [5, 3, 2],
    ]);
    const named = (await callCr(client, 'ListInstance', { RegionId: 'cn-hangzhou', InstanceName: 'acme' })).body;
    expect(named.Instances).toEqual([
      {
        InstanceId: INSTANCE,
        InstanceName: 'acme',
        RegionId: 'cn-hangzhou',
        InstanceStatus: 'RUNNING',
        InstanceSpecification: 'Enterprise_Basic',
      },
    ]);
  });

  it('lists the instance endpoints by network', async () => {
    const client = openApiClient(fake.endpoint, PULLER);
    const endpoints = (
      await callCr(client, 'ListInstanceEndpoint', {
        InstanceId: INSTANCE,
        ModuleName: 'Registry',
        RegionId: 'cn-hangzhou',
      })
    ).body;
    expect(endpoints.Endpoints).toEqual([
      {
        EndpointType: 'internet',
        Enable: true,
        Status: 'RUNNING',
        Domains: [
          { Domain: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', Type: 'SYSTEM' },
          { Domain: 'registry.acme.example', Type: 'USER' },
        ],
      },
      {
        EndpointType: 'vpc',
        Enable: true,
        Status: 'RUNNING',
        Domains: [{ Domain: 'acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com', Type: 'SYSTEM' }],
      },
    ]);
  });

  it('serves Personal Edition GET /tokens to allowed principals only', async () => {
    fake.allowPersonal('cn-shanghai', ['user/puller']);
    const response = await callPersonalTokens(openApiClient(fake.endpoint, PULLER), 'cn-shanghai');
    const data = response.body.data as Record<string, unknown>;
    expect(data).toMatchObject({ tempUserName: 'cr_temp_user', expireDate: clock + 3600_000 });
    expect(fake.issuedTokens()).toMatchObject([
      { region: 'cn-shanghai', principal: 'user/puller', password: data.authorizationToken },
    ]);
    const refused = await sdkError(callPersonalTokens(openApiClient(fake.endpoint, OUTSIDER), 'cn-shanghai'));
    expect(refused).toMatchObject({ code: 'USER_NOT_EXIST', statusCode: 404 });
    expect(fake.count('GetPersonalToken')).toBe(2);
  });

  it('accepts RPC HMAC-SHA1 v1 signatures as well', async () => {
    const response = await callCr(openApiClient(fake.endpoint, PULLER, 'rpc-v1'), 'GetAuthorizationToken', {
      InstanceId: INSTANCE,
      RegionId: 'cn-hangzhou',
    });
    expect(response.body.IsSuccess).toBe(true);
    const error = await sdkError(
      callCr(openApiClient(fake.endpoint, { ...PULLER, accessKeySecret: 'wrong' }, 'rpc-v1'), 'GetAuthorizationToken', {
        InstanceId: INSTANCE,
      }),
    );
    expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
  });
});

describe('registry /v2/', () => {
  const ACME = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';
  /** GET /v2/ as a runtime sends it to `host` (fetch cannot set Host: node:http can). */
  const v2 = (username: string, password: string, host = ACME) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      const outgoing = httpRequest(`${fake.url}/v2/`, { headers: { host, authorization } }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });

  it('accepts an issued password until it expires and rejects anything else', async () => {
    const issued = (await tokenFor(PULLER)).body;
    const accepted = await v2(String(issued.TempUsername), String(issued.AuthorizationToken));
    expect(accepted.status).toBe(200);
    expect(accepted.headers['docker-distribution-api-version']).toBe('registry/2.0');
    const rejected = await v2(String(issued.TempUsername), 'wrong-password');
    expect(rejected.status).toBe(401);
    expect(rejected.headers['www-authenticate']).toMatch(/^Basic realm="/);
    clock += 3600_000;
    expect((await v2(String(issued.TempUsername), String(issued.AuthorizationToken))).status).toBe(401);
    expect(fake.count('RegistryV2')).toBe(3);
  });

  it("accepts an instance's token on each of its domains only, never on another instance's", async () => {
    fake.addInstance({
      instanceId: 'cri-other',
      instanceName: 'other',
      region: 'cn-hangzhou',
      domains: [{ domain: 'other-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' }],
      allowedPrincipals: ['user/puller'],
    });
    const issued = (await tokenFor(PULLER)).body;
    const login = (host: string) => v2(String(issued.TempUsername), String(issued.AuthorizationToken), host);
    expect((await login(ACME)).status).toBe(200);
    expect((await login('registry.acme.example')).status).toBe(200);
    expect((await login('other-registry.cn-hangzhou.cr.aliyuncs.com')).status).toBe(401);
    expect((await login('registry.cn-hangzhou.aliyuncs.com')).status).toBe(401);
  });

  it("accepts a Personal Edition token on its region's Personal hosts only", async () => {
    fake.allowPersonal('cn-shanghai', ['user/puller']);
    const { data } = (await callPersonalTokens(openApiClient(fake.endpoint, PULLER), 'cn-shanghai')).body as {
      data: { tempUserName: string; authorizationToken: string };
    };
    const login = (host: string) => v2(data.tempUserName, data.authorizationToken, host);
    expect((await login('registry-vpc.cn-shanghai.aliyuncs.com')).status).toBe(200);
    expect((await login('crpi-abc123.cn-shanghai.personal.cr.aliyuncs.com')).status).toBe(200);
    expect((await login('registry.cn-beijing.aliyuncs.com')).status).toBe(401);
    expect((await login(ACME)).status).toBe(401);
  });
});

describe('request log', () => {
  it('never records secrets, tokens or signatures, and reset forgets requests only', async () => {
    const credentials = await metadataCredentials();
    const issued = (await tokenFor(credentials)).body;
    await callCr(openApiClient(fake.endpoint, PULLER, 'rpc-v1'), 'ListInstance', { RegionId: 'cn-hangzhou' });
    const log = JSON.stringify(fake.requests);
    for (const secret of [
      credentials.accessKeySecret,
      credentials.securityToken ?? '',
      String(issued.AuthorizationToken),
      PULLER.accessKeySecret,
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toMatch(/Signature/);
    fake.reset();
    expect(fake.requests).toEqual([]);
    expect((await tokenFor(PULLER)).statusCode).toBe(200);
    expect(fake.count('GetAuthorizationToken')).toBe(1);
  });
});
