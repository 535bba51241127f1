import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../../fakes/alicloud/index.js';
import type { CloudCredentials } from '../../../provider/cloud/cloud-credentials.js';
import { fetchNodeCredentials } from '../../../provider/cloud/metadata-client.js';
import { assumeRole, assumeRoleWithOidc } from '../../../provider/cloud/sts-client.js';
import { fakeContext, failureOf } from './cloud-test-support.js';

const ROLE_ARN = 'acs:ram::1234:role/acr-reader';
const OIDC_ARN = 'acs:ram::1234:oidc-provider/ack-rrsa-c1';
const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXZhbHVl';
const PULLER: CloudCredentials = {
  accessKeyId: 'LTAI-puller',
  accessKeySecret: 'puller-secret-value',
  securityToken: undefined,
  expiresAt: undefined,
  identity: 'accessKey LTAI-puller',
};

let fake: FakeAlicloud;

beforeEach(async () => {
  fake = await startFakeAlicloud();
  fake.addAccessKey({
    accessKeyId: PULLER.accessKeyId,
    accessKeySecret: PULLER.accessKeySecret,
    principal: 'user/puller',
  });
  fake.addAccessKey({
    accessKeyId: 'LTAI-outsider',
    accessKeySecret: 'outsider-secret-value',
    principal: 'user/outsider',
  });
  fake.addRole({
    arn: ROLE_ARN,
    principal: 'role/acr-reader@1234',
    trustedPrincipals: ['user/puller', OIDC_ARN],
    maxSessionDuration: 7200,
  });
  fake.addOidcProvider({ arn: OIDC_ARN, token: OIDC_TOKEN });
});

afterEach(async () => {
  await fake.close();
});

const request = { roleArn: ROLE_ARN, roleSessionName: 'acr-credential-provider', durationSeconds: 7200 };

describe('assumeRole', () => {
  it('returns the role credentials for the requested duration, signed as the caller', async () => {
    const before = Date.now();
    const credentials = await assumeRole(PULLER, request, 'cn-hangzhou', fakeContext(fake.url));
    const after = Date.now();
    expect(credentials.identity).toBe(`assumed-role ${ROLE_ARN}`);
    expect(credentials.securityToken).toMatch(/^CAIS/);
    // STS states Expiration in whole seconds, issued at some instant between `before` and `after`.
    expect(credentials.expiresAt!).toBeGreaterThanOrEqual(Math.floor((before + 7200_000) / 1000) * 1000);
    expect(credentials.expiresAt!).toBeLessThanOrEqual(after + 7200_000);
    const [call] = fake.requests;
    expect(call).toMatchObject({
      action: 'AssumeRole',
      accessKeyId: 'LTAI-puller',
      principal: 'user/puller',
      status: 200,
    });
    expect(call?.params).toMatchObject({
      RoleArn: ROLE_ARN,
      RoleSessionName: 'acr-credential-provider',
      DurationSeconds: '7200',
    });
  });

  it('names the trust policy and AliyunSTSAssumeRoleAccess when the caller may not assume the role', async () => {
    const outsider = {
      ...PULLER,
      accessKeyId: 'LTAI-outsider',
      accessKeySecret: 'outsider-secret-value',
      identity: 'accessKey LTAI-outsider',
    };
    const f = await failureOf(assumeRole(outsider, request, 'cn-hangzhou', fakeContext(fake.url)));
    expect(f).toMatchObject({ action: 'AssumeRole', code: 'NoPermission', httpStatus: 403, retryable: false });
    expect(f.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(f.fix).toMatch(
      /let accessKey LTAI-outsider assume acs:ram::1234:role\/acr-reader.*trust policy.*AliyunSTSAssumeRoleAccess/,
    );
    expect(fake.count('AssumeRole')).toBe(1);
  });

  it('says which limit a too long duration broke', async () => {
    const f = await failureOf(
      assumeRole(PULLER, { ...request, durationSeconds: 43200 }, 'cn-hangzhou', fakeContext(fake.url)),
    );
    expect(f.code).toBe('InvalidParameter.DurationSeconds');
    expect(f.fix).toMatch(/MaxSessionDuration/);
  });
});

describe('assumeRoleWithOidc', () => {
  it('exchanges the OIDC token anonymously, keeping the token out of the URL and of errors', async () => {
    const credentials = await assumeRoleWithOidc(
      { ...request, oidcProviderArn: OIDC_ARN, oidcToken: OIDC_TOKEN },
      'cn-hangzhou',
      fakeContext(fake.url),
    );
    expect(credentials.identity).toBe(`rrsa ${ROLE_ARN}`);
    const [call] = fake.requests;
    expect(call).toMatchObject({ action: 'AssumeRoleWithOIDC', status: 200 });
    expect(call?.accessKeyId).toBeUndefined();
    expect(call?.path).not.toContain(OIDC_TOKEN);

    const f = await failureOf(
      assumeRoleWithOidc(
        { ...request, oidcProviderArn: OIDC_ARN, oidcToken: `${OIDC_TOKEN}x` },
        'cn-hangzhou',
        fakeContext(fake.url),
      ),
    );
    expect(f.code).toBe('AuthenticationFail.OIDCToken.InvalidSignature');
    expect(f.fix).toMatch(/RRSA/);
    expect(JSON.stringify(f)).not.toContain(OIDC_TOKEN);
  });

  it('never builds a default credential chain: no credentials configured, metadata unset, and nothing (metadata included) leaves loopback', async () => {
    const saved = { ...process.env };
    for (const name of Object.keys(process.env))
      if (name.startsWith('ALIBABA_CLOUD_') || name.startsWith('ALICLOUD_')) delete process.env[name];
    const destinations: string[] = [];
    // The original method, put back after the test; called with each socket as `this`.
    const connect: typeof net.Socket.prototype.connect = Reflect.get(net.Socket.prototype, 'connect');
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      // http and undici call connect with Node's normalized [options, callback] array.
      const raw = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
      const options = (typeof raw === 'object' && raw !== null ? raw : { port: raw, host: args[1] }) as {
        host?: unknown;
        port?: unknown;
        path?: unknown;
      };
      destinations.push(
        typeof options.path === 'string'
          ? `unix:${String(options.path)}`
          : `${typeof options.host === 'string' ? options.host : 'localhost'}:${String(options.port)}`,
      );
      return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
    };
    try {
      await assumeRoleWithOidc(
        { ...request, oidcProviderArn: OIDC_ARN, oidcToken: OIDC_TOKEN },
        'cn-hangzhou',
        fakeContext(fake.url),
      );
      await assumeRole(PULLER, request, 'cn-hangzhou', fakeContext(fake.url));
      const context = fakeContext(fake.url);
      await fetchNodeCredentials({
        baseUrl: context.endpoints.metadataBaseUrl,
        allowImdsV1: false,
        budget: context.budget,
      });
    } finally {
      net.Socket.prototype.connect = connect;
      process.env = saved;
    }
    expect(fake.requests.map((r) => r.action)).toEqual([
      'AssumeRoleWithOIDC',
      'AssumeRole',
      'MetadataToken',
      'MetadataRole',
      'MetadataCredentials',
    ]);
    expect(destinations.length).toBeGreaterThan(0);
    const port = new URL(fake.url).port;
    for (const destination of destinations) expect(destination).toBe(`127.0.0.1:${port}`);
  });
});
