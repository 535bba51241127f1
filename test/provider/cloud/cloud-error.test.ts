import { describe, expect, it } from 'vitest';
import {
  cloudFailure,
  fixFor,
  formatCloudFailure,
  isRetryable,
  sanitize,
  type CallSubject,
} from '../../../provider/cloud/cloud-error.js';

const subject = (over: Partial<CallSubject>): CallSubject => ({
  action: 'GetAuthorizationToken',
  identity: 'accessKey LTAI-puller',
  accessKeyId: 'LTAI-puller',
  endpoint: 'https://cr.cn-hangzhou.aliyuncs.com',
  resource: 'cri-abc',
  region: 'cn-hangzhou',
  secrets: [],
  ...over,
});

describe('fixFor', () => {
  it.each<[Partial<CallSubject>, string, number | undefined, RegExp]>([
    [
      {},
      'NoPrivilege',
      403,
      /grant the RAM identity accessKey LTAI-puller the actions cr:GetAuthorizationToken, cr:ListInstanceEndpoint, cr:PullRepository on cri-abc/,
    ],
    [{}, 'Forbidden.RAM', 403, /cr:GetAuthorizationToken, cr:ListInstanceEndpoint, cr:PullRepository/],
    [
      { action: 'ListInstance', resource: 'instances named acme' },
      'NoPrivilege',
      403,
      /cr:PullRepository, cr:ListInstance \(for example/,
    ],
    [{}, 'SignatureDoesNotMatch', 400, /the AccessKey secret for LTAI-puller is wrong/],
    [
      {},
      'InvalidAccessKeyId.NotFound',
      404,
      /AccessKey LTAI-puller does not exist.*kubectl acr configure --access-key-id/,
    ],
    [{}, 'InvalidAccessKeyId.Inactive', 400, /LTAI-puller is disabled/],
    [
      { identity: 'role/Worker', accessKeyId: 'STS.abc' },
      'SignatureDoesNotMatch',
      400,
      /temporary credentials of role\/Worker were refused.*NTP/,
    ],
    [
      { identity: 'role/Worker', accessKeyId: 'STS.abc' },
      'InvalidAccessKeyId.NotFound',
      404,
      /temporary credentials of role\/Worker were refused/,
    ],
    [{}, 'InvalidSecurityToken.Expired', 400, /expired or malformed.*NTP/],
    [
      { action: 'AssumeRole', resource: 'acs:ram::1:role/r' },
      'NoPermission',
      403,
      /trust policy.*AliyunSTSAssumeRoleAccess/,
    ],
    [
      { action: 'AssumeRole', resource: 'acs:ram::1:role/r' },
      'EntityNotExist.Role',
      404,
      /acs:ram::1:role\/r does not exist/,
    ],
    [
      { action: 'AssumeRole', resource: 'acs:ram::1:role/r' },
      'InvalidParameter.DurationSeconds',
      400,
      /MaxSessionDuration/,
    ],
    [{ action: 'AssumeRoleWithOIDC', identity: undefined }, 'AuthenticationFail.NoPermission', 401, /RRSA/],
    [{}, 'INSTANCE_NOT_EXIST', 404, /instance cri-abc was not found in region cn-hangzhou/],
    [{ action: 'GetPersonalToken' }, 'USER_NOT_EXIST', 404, /Personal Edition/],
    [{}, 'Throttling.User', 400, /throttled/],
    [{}, 'InternalError', 500, /server error/],
    [{}, 'Timeout', undefined, /reach https:\/\/cr.cn-hangzhou.aliyuncs.com/],
    [{ action: 'MetadataRole' }, 'NoRamRole', 404, /attach a worker RAM role.*ALIBABA_CLOUD_ACCESS_KEY_ID/],
    [{ action: 'MetadataToken' }, 'MetadataUnavailable', undefined, /metadata unreachable/],
    [{ action: 'MetadataRole' }, 'MetadataTokenRequired', 403, /metadata requires IMDSv2 token/],
    [
      { action: 'ReadAccessKeySecret', resource: '/etc/acr/secrets/s' },
      'SecretFileMissing',
      undefined,
      /kubectl acr configure --access-key-id LTAI-puller.*\/etc\/acr\/secrets\/s/,
    ],
    [{}, 'SomethingNew', 400, /look up the error code SomethingNew/],
  ])('%j %s %s', (over, code, status, expected) => {
    expect(fixFor(subject(over), code, status)).toMatch(expected);
  });
});

describe('isRetryable', () => {
  it.each<[string, number | undefined, boolean]>([
    ['Throttling', 400, true],
    ['Throttling.User', 400, true],
    ['Throttling.Api', 429, true],
    ['InternalError', 500, true],
    ['ServiceUnavailable', 503, true],
    ['BadGateway', 502, true],
    ['Timeout', undefined, true],
    ['NetworkError', undefined, true],
    ['MetadataUnavailable', undefined, true],
    ['SignatureNonceUsed', 400, true],
    ['NoPrivilege', 403, false],
    ['SignatureDoesNotMatch', 400, false],
    ['INTERNAL_ERROR', 200, false],
    ['InvalidResponse', 200, false],
  ])('%s (HTTP %s) → %s', (code, status, expected) => {
    expect(isRetryable(code, status)).toBe(expected);
  });
});

describe('sanitize', () => {
  it.each([
    ['server string to sign: POST&%2F&AccessKeyId%3Dx&Signature=abcDEF123', 'Signature=<redacted>'],
    ['SecurityToken=CAISxyz&x=1', 'SecurityToken=<redacted>&x=1'],
    ['{"AccessKeySecret":"s3cr3t"}', '"AccessKeySecret":"<redacted>"'],
    ['OIDCToken: eyJabc.def', 'OIDCToken: <redacted>'],
  ])('redacts credential parameters in %j', (text, expected) => {
    expect(sanitize(text, [])).toContain(expected);
  });

  it('redacts known secret values wherever they appear and truncates long text', () => {
    const clean = sanitize(`key mySecretValue1 and again mySecretValue1 ${'x'.repeat(500)}`, ['mySecretValue1']);
    expect(clean).not.toContain('mySecretValue1');
    expect(clean.length).toBeLessThanOrEqual(301);
  });
});

describe('cloudFailure', () => {
  it('names action, caller, resource and endpoint, and never the secrets of the call', () => {
    const failure = cloudFailure(subject({ secrets: ['the-secret-value'] }), {
      code: 'SignatureDoesNotMatch',
      httpStatus: 400,
      requestId: 'REQ-1',
      detail: 'Specified signature is not matched; we signed with the-secret-value',
    });
    expect(failure).toMatchObject({
      action: 'GetAuthorizationToken',
      code: 'SignatureDoesNotMatch',
      httpStatus: 400,
      requestId: 'REQ-1',
      retryable: false,
    });
    expect(failure.message).toContain('cri-abc');
    expect(failure.message).toContain('accessKey LTAI-puller');
    expect(failure.message).not.toContain('the-secret-value');
    expect(formatCloudFailure(failure)).toMatch(
      /^GetAuthorizationToken failed: SignatureDoesNotMatch \(HTTP 400\): .*\[request ID REQ-1\]\. Fix: the AccessKey secret for LTAI-puller is wrong/,
    );
  });
});
