// The pure rules of pod identity, by table: what a token says, which role
// the annotations name, whose identity answers, and the fix for each refusal.
import { describe, expect, it } from 'vitest';
import {
  readServiceAccountToken,
  tokenRefusal,
  type ServiceAccountClaims,
} from '../../../provider/credentials/service-account-token.js';
import {
  decideWorkload,
  describeWorkload,
  trustStatement,
  workloadKey,
  workloadRole,
  workloadSessionName,
  workloadStsFix,
  type WorkloadIdentity,
} from '../../../provider/credentials/workload-identity.js';

const OIDC = 'acs:ram::1234:oidc-provider/ack-rrsa-c1';
const OTHER_OIDC = 'acs:ram::5678:oidc-provider/other';
const NOW = Date.UTC(2026, 11, 1);

const jwt = (payload: unknown, parts = 3) =>
  [
    Buffer.from('{"alg":"RS256"}').toString('base64url'),
    Buffer.from(JSON.stringify(payload)).toString('base64url'),
    'c2ln',
  ]
    .slice(0, parts)
    .join('.');

const claimsOf = (overrides: Record<string, unknown> = {}) => ({
  iss: 'https://issuer.test',
  sub: 'system:serviceaccount:team-a:builder',
  aud: ['sts.aliyuncs.com'],
  exp: NOW / 1000 + 600,
  'kubernetes.io': { serviceaccount: { name: 'builder', uid: 'uid-1' } },
  ...overrides,
});

describe('readServiceAccountToken', () => {
  it('reads issuer, subject, namespace, name, uid, audiences and expiry', () => {
    expect(readServiceAccountToken(jwt(claimsOf()))).toEqual({
      ok: true,
      claims: {
        issuer: 'https://issuer.test',
        subject: 'system:serviceaccount:team-a:builder',
        namespace: 'team-a',
        name: 'builder',
        uid: 'uid-1',
        audiences: ['sts.aliyuncs.com'],
        expiresAt: NOW + 600_000,
      },
    });
  });

  it.each([
    ['two parts', jwt(claimsOf(), 2), '2 parts instead of 3'],
    ['a payload that is not JSON', 'a.bm90IGpzb24.c', 'its payload is not JSON'],
    ['a user subject', jwt(claimsOf({ sub: 'alice' })), 'its subject is not system:serviceaccount'],
    ['no expiry', jwt(claimsOf({ exp: undefined })), 'it has no expiry'],
  ])('refuses %s', (_what, token, detail) => {
    const reading = readServiceAccountToken(token);
    expect(reading).toMatchObject({ ok: false, code: 'ServiceAccountTokenInvalid' });
    if (!reading.ok) expect(reading.message).toContain(detail);
  });

  it('takes a single audience string, and no uid when the token has none', () => {
    const reading = readServiceAccountToken(jwt(claimsOf({ aud: 'sts.aliyuncs.com', 'kubernetes.io': undefined })));
    expect(reading).toMatchObject({ ok: true, claims: { audiences: ['sts.aliyuncs.com'], uid: undefined } });
  });
});

describe('tokenRefusal', () => {
  const claims = (overrides: Partial<ServiceAccountClaims>): ServiceAccountClaims => ({
    issuer: 'i',
    subject: 'system:serviceaccount:ns:sa',
    namespace: 'ns',
    name: 'sa',
    uid: undefined,
    audiences: ['sts.aliyuncs.com'],
    expiresAt: NOW + 1,
    ...overrides,
  });
  it.each([
    ['in date and for STS', {}, undefined],
    ['expiring this very millisecond', { expiresAt: NOW }, 'ServiceAccountTokenExpired'],
    ['for another audience', { audiences: ['api'] }, 'ServiceAccountTokenAudience'],
    ['for no audience', { audiences: [] }, 'ServiceAccountTokenAudience'],
  ])('%s', (_what, overrides, code) => {
    expect(tokenRefusal(claims(overrides), NOW)?.code).toBe(code);
  });
});

describe('workloadRole', () => {
  it.each([
    ['no annotations', undefined, OIDC, { kind: 'none' }],
    [
      'only an OIDC provider annotation',
      { 'acr-credential-provider.io/oidc-provider-arn': OIDC },
      OIDC,
      { kind: 'none' },
    ],
    ['an empty role annotation', { 'acr-credential-provider.io/role-arn': ' ' }, OIDC, { kind: 'none' }],
    [
      'a full ARN',
      { 'acr-credential-provider.io/role-arn': 'acs:ram::999:role/puller' },
      OIDC,
      { kind: 'role', roleArn: 'acs:ram::999:role/puller', oidcProviderArn: OIDC },
    ],
    [
      "ACK's role name, in the OIDC provider's account",
      { 'pod-identity.alibabacloud.com/role-name': 'puller' },
      OIDC,
      { kind: 'role', roleArn: 'acs:ram::1234:role/puller', oidcProviderArn: OIDC },
    ],
    [
      'the full ARN over the role name',
      {
        'pod-identity.alibabacloud.com/role-name': 'other',
        'acr-credential-provider.io/role-arn': 'acs:ram::999:role/puller',
      },
      OIDC,
      { kind: 'role', roleArn: 'acs:ram::999:role/puller', annotation: 'acr-credential-provider.io/role-arn' },
    ],
    [
      "the ServiceAccount's OIDC provider over the configuration's",
      {
        'pod-identity.alibabacloud.com/role-name': 'puller',
        'acr-credential-provider.io/oidc-provider-arn': OTHER_OIDC,
      },
      OIDC,
      { kind: 'role', roleArn: 'acs:ram::5678:role/puller', oidcProviderArn: OTHER_OIDC },
    ],
    [
      'a role without any OIDC provider',
      { 'pod-identity.alibabacloud.com/role-name': 'puller' },
      undefined,
      { kind: 'invalid', code: 'NoOidcProvider' },
    ],
    [
      'an ARN that is not a role',
      { 'acr-credential-provider.io/role-arn': 'acs:ram::1:user/x' },
      OIDC,
      { kind: 'invalid', code: 'InvalidRoleAnnotation' },
    ],
    [
      'a role name with a slash',
      { 'pod-identity.alibabacloud.com/role-name': 'a/b' },
      OIDC,
      { kind: 'invalid', code: 'InvalidRoleAnnotation' },
    ],
    [
      'an OIDC provider annotation that is no ARN',
      {
        'acr-credential-provider.io/role-arn': 'acs:ram::999:role/puller',
        'acr-credential-provider.io/oidc-provider-arn': 'ack-rrsa-c1',
      },
      OIDC,
      { kind: 'invalid', code: 'InvalidRoleAnnotation' },
    ],
  ])('%s', (_what, annotations, oidcProviderArn, expected) => {
    expect(workloadRole(annotations, { oidcProviderArn }, 'team-a/builder')).toMatchObject(expected);
  });
});

describe('decideWorkload', () => {
  const token = jwt(claimsOf());
  const role = { 'acr-credential-provider.io/role-arn': 'acs:ram::999:role/puller' };
  it.each([
    ['no token', {}, false, 'node'],
    ['no token, roles required', {}, true, 'node'],
    ['a token without a role', { serviceAccountToken: token }, false, 'node'],
    ['a token without a role, roles required', { serviceAccountToken: token }, true, 'refused'],
    ['a token and a role', { serviceAccountToken: token, serviceAccountAnnotations: role }, true, 'workload'],
    [
      'a token and a role that is no ARN',
      { serviceAccountToken: token, serviceAccountAnnotations: { 'acr-credential-provider.io/role-arn': 'x' } },
      false,
      'refused',
    ],
    ['a broken token', { serviceAccountToken: 'x', serviceAccountAnnotations: role }, false, 'refused'],
    [
      'an expired token',
      { serviceAccountToken: jwt(claimsOf({ exp: NOW / 1000 })), serviceAccountAnnotations: role },
      false,
      'refused',
    ],
  ])('%s → %s', (_what, request, requireRole, kind) => {
    expect(decideWorkload(request, { oidcProviderArn: OIDC, requireRole }, NOW).kind).toBe(kind);
  });
});

const identity = (overrides: Partial<WorkloadIdentity> = {}): WorkloadIdentity => {
  const reading = readServiceAccountToken(jwt(claimsOf()));
  if (!reading.ok) throw new Error('fixture');
  return {
    claims: reading.claims,
    roleArn: 'acs:ram::999:role/puller',
    oidcProviderArn: OIDC,
    annotation: 'acr-credential-provider.io/role-arn',
    token: 'secret-token',
    ...overrides,
  };
};

describe('keys and words', () => {
  it('keys a workload by issuer, subject, uid, role and provider — never by its token', () => {
    expect(workloadKey(identity())).toBe(
      `workload https://issuer.test system:serviceaccount:team-a:builder uid-1 acs:ram::999:role/puller ${OIDC}`,
    );
    expect(workloadKey(identity({ token: 'another' }))).toBe(workloadKey(identity()));
    expect(workloadKey(identity({ roleArn: 'acs:ram::999:role/other' }))).not.toBe(workloadKey(identity()));
  });

  it.each([
    [{ namespace: 'ns', name: 'sa' }, 'ns.sa'],
    [{ namespace: 'a'.repeat(63), name: 'b'.repeat(63) }, `${'a'.repeat(63)}.`],
  ])('session name of %j', (claims, expected) => {
    expect(workloadSessionName(claims)).toBe(expected);
  });

  it('the trust statement matches the subject, the audience and the issuer', () => {
    expect(JSON.parse(trustStatement(identity()))).toEqual({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Federated: [OIDC] },
      Condition: {
        StringEquals: {
          'oidc:aud': 'sts.aliyuncs.com',
          'oidc:sub': 'system:serviceaccount:team-a:builder',
          'oidc:iss': 'https://issuer.test',
        },
      },
    });
  });

  it.each([
    ['EntityNotExist.Role', '', 'the role acs:ram::999:role/puller does not exist'],
    ['AuthenticationFail.OIDCToken.Expired', '', "check the node's clock"],
    ['AuthenticationFail.OIDCToken.AudienceNotMatch', '', 'client IDs of OIDC provider'],
    ['AuthenticationFail.OIDCToken.IssuerNotMatch', '', "is not this cluster's token issuer (https://issuer.test)"],
    ['AuthenticationFail.NoPermission', 'No such OIDC Provider registered.', 'is not registered in RAM'],
    ['AuthenticationFail.NoPermission', 'There is no permission', '"oidc:sub":"system:serviceaccount:team-a:builder"'],
    ['InvalidParameter.DurationSeconds', '', 'raise the maximum session duration'],
  ])('the fix for %s %s', (code, message, words) => {
    expect(workloadStsFix(code, message, identity())).toContain(words);
  });
});

describe('every refusal, word for word', () => {
  const SA = 'team-a/builder';
  const reading = (token: string) => readServiceAccountToken(token);

  it('a token that is not a ServiceAccount JWT says what it is and how to fix the kubelet entry', () => {
    expect(reading(jwt(claimsOf(), 2))).toEqual({
      ok: false,
      exitCode: 2,
      code: 'ServiceAccountTokenInvalid',
      message:
        'the ServiceAccount token from the kubelet is not a Kubernetes ServiceAccount JWT (2 parts instead of 3)',
      fix: 'check that the kubelet runs this provider entry with tokenAttributes (it sends the token it requested from the API server); see `acr-credential-provider --help`',
    });
    const nullPayload = `e30.${Buffer.from('null').toString('base64url')}.c2ln`;
    expect(reading(nullPayload)).toMatchObject({
      ok: false,
      message: expect.stringContaining('its payload is not JSON'),
    });
    const notJson = `e30.${Buffer.from('{"sub":').toString('base64url')}.c2ln`;
    expect(reading(notJson)).toMatchObject({ ok: false, message: expect.stringContaining('its payload is not JSON') });
  });

  it('reads a token without issuer or audience, and keeps only text audiences', () => {
    expect(reading(jwt(claimsOf({ iss: undefined, aud: undefined })))).toMatchObject({
      ok: true,
      claims: { issuer: '', audiences: [] },
    });
    expect(reading(jwt(claimsOf({ aud: [7, 'sts.aliyuncs.com'] })))).toMatchObject({
      claims: { audiences: ['sts.aliyuncs.com'] },
    });
  });

  const claims: ServiceAccountClaims = {
    issuer: 'https://issuer.test',
    subject: 'system:serviceaccount:team-a:builder',
    namespace: 'team-a',
    name: 'builder',
    uid: undefined,
    audiences: ['api', 'vault'],
    expiresAt: NOW,
  };
  it('expired and wrong-audience tokens', () => {
    expect(tokenRefusal(claims, NOW)).toEqual({
      exitCode: 1,
      code: 'ServiceAccountTokenExpired',
      message: 'the token of ServiceAccount team-a/builder expired at 2026-12-01T00:00:00.000Z',
      fix: "check the node's clock (NTP): the kubelet requests a fresh token for every pull",
    });
    expect(tokenRefusal({ ...claims, expiresAt: NOW + 1 }, NOW)).toEqual({
      exitCode: 2,
      code: 'ServiceAccountTokenAudience',
      message: 'the token of ServiceAccount team-a/builder is for api, vault, not sts.aliyuncs.com',
      fix: "set tokenAttributes.serviceAccountTokenAudience to sts.aliyuncs.com in the kubelet's CredentialProviderConfig (acr-node-setup writes it so)",
    });
    expect(tokenRefusal({ ...claims, audiences: [], expiresAt: NOW + 1 }, NOW)?.message).toBe(
      'the token of ServiceAccount team-a/builder is for no audience, not sts.aliyuncs.com',
    );
  });

  it.each([
    [
      { 'acr-credential-provider.io/role-arn': 'r', 'acr-credential-provider.io/oidc-provider-arn': 'p' },
      OIDC,
      {
        code: 'InvalidRoleAnnotation',
        message:
          'annotation acr-credential-provider.io/oidc-provider-arn of ServiceAccount team-a/builder is `p`, not an ARN of the form acs:ram::<account-id>:oidc-provider/<provider-name>',
        fix: "annotate the ServiceAccount with the cluster's RRSA OIDC provider ARN: kubectl annotate serviceaccount -n team-a builder --overwrite acr-credential-provider.io/oidc-provider-arn=acs:ram::<account-id>:oidc-provider/<provider-name>",
      },
    ],
    [
      { 'acr-credential-provider.io/role-arn': 'acs:ram::1:role/x' },
      undefined,
      {
        code: 'NoOidcProvider',
        message:
          "ServiceAccount team-a/builder names a role, but no OIDC provider is known: neither its annotation acr-credential-provider.io/oidc-provider-arn nor pod-identity's oidc-provider-arn in acr-configuration",
        fix: "run `kubectl acr configure --pod-identity --oidc-provider-arn acs:ram::<account-id>:oidc-provider/<provider-name>` (the cluster's RRSA OIDC provider)",
      },
    ],
    [
      { 'acr-credential-provider.io/role-arn': 'team-a' },
      OIDC,
      {
        code: 'InvalidRoleAnnotation',
        message:
          'annotation acr-credential-provider.io/role-arn of ServiceAccount team-a/builder is `team-a`, not an ARN of the form acs:ram::<account-id>:role/<role-name>',
        fix: "write the role's full ARN from the RAM console: kubectl annotate serviceaccount -n team-a builder --overwrite acr-credential-provider.io/role-arn=acs:ram::<account-id>:role/<role-name>",
      },
    ],
    [
      { 'pod-identity.alibabacloud.com/role-name': 'a b' },
      OIDC,
      {
        code: 'InvalidRoleAnnotation',
        message:
          'annotation pod-identity.alibabacloud.com/role-name of ServiceAccount team-a/builder is `a b`, not a RAM role name',
        fix: "write the role's name (letters, digits, '.', '@', '-', '_'), or its full ARN in acr-credential-provider.io/role-arn",
      },
    ],
  ])('annotations %j', (annotations, oidcProviderArn, expected) => {
    expect(workloadRole(annotations, { oidcProviderArn }, SA)).toEqual({ kind: 'invalid', exitCode: 2, ...expected });
  });

  it('a role required but not named', () => {
    expect(
      decideWorkload({ serviceAccountToken: jwt(claimsOf()) }, { oidcProviderArn: OIDC, requireRole: true }, NOW),
    ).toEqual({
      kind: 'refused',
      exitCode: 1,
      code: 'RoleRequired',
      message:
        "ServiceAccount team-a/builder names no RAM role, and acr-configuration's pod-identity requires one (require-role: true)",
      fix: 'annotate it: kubectl annotate serviceaccount -n team-a builder acr-credential-provider.io/role-arn=acs:ram::<account-id>:role/<role-name> (a role whose trust policy allows system:serviceaccount:team-a:builder)',
    });
    expect(decideWorkload({ serviceAccountToken: 'x' }, { oidcProviderArn: OIDC, requireRole: false }, NOW)).toEqual({
      kind: 'refused',
      exitCode: 2,
      code: 'ServiceAccountTokenInvalid',
      message:
        'the ServiceAccount token from the kubelet is not a Kubernetes ServiceAccount JWT (1 parts instead of 3)',
      fix: expect.stringContaining('tokenAttributes'),
    });
  });

  it('the words for a workload, its key without a uid, and a session name from odd characters', () => {
    const noUid = identity({ claims: { ...identity().claims, uid: undefined, issuer: '' } });
    expect(workloadKey(noUid)).toBe(`workload  system:serviceaccount:team-a:builder  acs:ram::999:role/puller ${OIDC}`);
    expect(describeWorkload(identity())).toBe('ServiceAccount team-a/builder (RRSA role acs:ram::999:role/puller)');
    expect(workloadSessionName({ namespace: 'a b', name: 'c:d' })).toBe('a-b.c-d');
    expect(workloadStsFix('AuthenticationFail.OIDCToken.IssuerNotMatch', '', noUid)).toContain(
      'token issuer (unknown)',
    );
    expect(JSON.parse(trustStatement(noUid)).Condition.StringEquals).toEqual({
      'oidc:aud': 'sts.aliyuncs.com',
      'oidc:sub': 'system:serviceaccount:team-a:builder',
    });
  });
});
