// Pod identity through the built executable: the kubelet's
// ServiceAccount-token mode sends each pull's token and the role
// annotations; the provider exchanges the token for that ServiceAccount's
// role (AssumeRoleWithOIDC) and answers with a token fetched as that role.
// The fake STS verifies the token like RAM does (signature, issuer,
// audience, expiry) and the role's trust condition on the subject.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createServiceAccountIssuer,
  type ServiceAccountIssuer,
  type ServiceAccountTokenRequest,
} from '../../fakes/apiserver/service-account-tokens.js';
import { callCounts, parseResponse, startNode, V1, WORKER_PRINCIPAL, type Node } from './harness.js';

const HOST = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';
const ACCOUNT = '1234567890123456';
const OIDC_ARN = `acs:ram::${ACCOUNT}:oidc-provider/ack-rrsa-c0ffee`;
const TEAM_A = { arn: `acs:ram::${ACCOUNT}:role/team-a`, subject: 'system:serviceaccount:team-a:builder' };
const TEAM_B = { arn: `acs:ram::${ACCOUNT}:role/team-b`, subject: 'system:serviceaccount:team-b:app' };
const ROLE_ARN = 'acr-credential-provider.io/role-arn';
const ACK_ROLE_NAME = 'pod-identity.alibabacloud.com/role-name';

const CONFIG = (podIdentity: string) =>
  `pod-identity: |\n${podIdentity
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}\nacr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n`;

let node: Node;
let issuer: ServiceAccountIssuer;

beforeEach(async () => {
  node = await startNode();
  issuer = createServiceAccountIssuer();
  node.fake.addOidcProvider({
    arn: OIDC_ARN,
    issuer: issuer.issuer,
    publicKey: issuer.publicKey,
    clientIds: ['sts.aliyuncs.com'],
  });
  for (const [team, role] of [
    ['team-a', TEAM_A],
    ['team-b', TEAM_B],
  ] as const) {
    node.fake.addRole({
      arn: role.arn,
      principal: `role/${team}`,
      trustedPrincipals: [OIDC_ARN],
      oidcSubjects: [role.subject],
    });
  }
  node.fake.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [{ domain: HOST, type: 'SYSTEM' }],
    allowedPrincipals: [WORKER_PRINCIPAL, 'role/team-a', 'role/team-b'],
  });
  node.writeConfig(CONFIG(`enable: true\noidc-provider-arn: ${OIDC_ARN}`));
});

afterEach(async () => {
  await node.close();
});

interface Pull {
  token?: ServiceAccountTokenRequest;
  annotations?: Record<string, string>;
}

const TEAM_A_PULL: Pull = { token: { namespace: 'team-a', name: 'builder' }, annotations: { [ROLE_ARN]: TEAM_A.arn } };
const TEAM_B_PULL: Pull = { token: { namespace: 'team-b', name: 'app' }, annotations: { [ACK_ROLE_NAME]: 'team-b' } };

/** One pull the way the kubelet sends it in token mode: a fresh token every time. */
async function pull({ token, annotations }: Pull) {
  const serviceAccountToken = token ? issuer.mint(token) : undefined;
  const request = {
    apiVersion: V1,
    kind: 'CredentialProviderRequest',
    image: `${HOST}/team/app`,
    ...(serviceAccountToken ? { serviceAccountToken } : {}),
    ...(annotations ? { serviceAccountAnnotations: annotations } : {}),
  };
  const result = await node.run(JSON.stringify(request));
  if (serviceAccountToken) {
    expect(result.stderr).not.toContain(serviceAccountToken);
    expect(result.stdout).not.toContain(serviceAccountToken);
  }
  return result;
}

/** Who the fake issued the answered password to. */
async function pullAs(p: Pull): Promise<{ principal: string | undefined; password: string }> {
  const password = parseResponse(await pull(p)).auth[HOST]!.password;
  return { principal: node.fake.issuedTokens().find((t) => t.password === password)?.principal, password };
}

describe('two ServiceAccounts on one node', () => {
  it.each([
    ['team-a first', [TEAM_A_PULL, TEAM_B_PULL]],
    ['team-b first', [TEAM_B_PULL, TEAM_A_PULL]],
  ])('never see each other’s credentials (%s, then both again from a warm cache)', async (_order, pulls) => {
    const first = await pullAs(pulls[0]!);
    const second = await pullAs(pulls[1]!);
    const againFirst = await pullAs(pulls[0]!);
    const againSecond = await pullAs(pulls[1]!);

    const principals = (p: Pull) => (p === TEAM_A_PULL ? 'role/team-a' : 'role/team-b');
    expect([first.principal, second.principal]).toEqual([principals(pulls[0]!), principals(pulls[1]!)]);
    expect(first.password).not.toBe(second.password);
    // The warm cache answers each with its own token, and asks nothing more of the cloud.
    expect(againFirst).toEqual(first);
    expect(againSecond).toEqual(second);
    expect(callCounts(node.fake)).toMatchObject({ AssumeRoleWithOIDC: 2, GetAuthorizationToken: 2 });
  });

  it('a ServiceAccount naming another team’s role is refused by the trust policy, even with that role’s token cached', async () => {
    await pullAs(TEAM_B_PULL);
    const result = await pull({ ...TEAM_A_PULL, annotations: { [ROLE_ARN]: TEAM_B.arn } });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`identity ServiceAccount team-a/builder (RRSA role ${TEAM_B.arn})`);
    expect(lines[0]).toContain('code AuthenticationFail.NoPermission');
    expect(lines[0]).toContain('"oidc:sub":"system:serviceaccount:team-a:builder"');
    expect(lines[0]).toContain(`"Federated":["${OIDC_ARN}"]`);
    expect(node.fake.issuedTokens().map((t) => t.principal)).toEqual(['role/team-b']);
  });

  it('the ServiceAccount token is the proof, never the password, and names the session', async () => {
    const { password } = await pullAs(TEAM_A_PULL);
    const exchange = node.fake.requests.find((r) => r.action === 'AssumeRoleWithOIDC')!;
    expect(exchange.params).toMatchObject({
      RoleArn: TEAM_A.arn,
      OIDCProviderArn: OIDC_ARN,
      RoleSessionName: 'team-a.builder',
      DurationSeconds: '3600',
    });
    expect(password).not.toMatch(/^eyJ/);
  });
});

describe('the node identity', () => {
  it('answers a ServiceAccount that names no role, and a request without a token', async () => {
    const unannotated = await pullAs({ token: { namespace: 'default', name: 'default' } });
    const staticPod = await pullAs({});
    expect(unannotated.principal).toBe(WORKER_PRINCIPAL);
    expect(staticPod).toEqual(unannotated);
    expect(node.fake.count('AssumeRoleWithOIDC')).toBe(0);
  });

  it('is refused to a ServiceAccount without a role when require-role is set', async () => {
    node.writeConfig(CONFIG(`enable: true\noidc-provider-arn: ${OIDC_ARN}\nrequire-role: true`));
    const result = await pull({ token: { namespace: 'default', name: 'default' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('code RoleRequired');
    expect(result.stderr).toContain('ServiceAccount default/default names no RAM role');
    expect(result.stderr).toContain(`kubectl annotate serviceaccount -n default default ${ROLE_ARN}=`);
    expect(node.fake.issuedTokens()).toHaveLength(0);
    // Pulls that are not a pod's (no token: static pods) still use the node's identity.
    expect((await pullAs({})).principal).toBe(WORKER_PRINCIPAL);
  });
});

describe('refusals name the ServiceAccount, the role and the fix', () => {
  it('an expired token is refused before the cache is consulted', async () => {
    await pullAs(TEAM_A_PULL);
    const result = await pull({ ...TEAM_A_PULL, token: { ...TEAM_A_PULL.token!, now: Date.now() - 7200_000 } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('code ServiceAccountTokenExpired');
    expect(result.stderr).toContain('the token of ServiceAccount team-a/builder expired at');
    expect(node.fake.count('AssumeRoleWithOIDC')).toBe(1);
  });

  it('a token for another audience is the kubelet configuration’s fault (exit 2)', async () => {
    const result = await pull({
      ...TEAM_A_PULL,
      token: { ...TEAM_A_PULL.token!, audience: 'https://kubernetes.default.svc' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('code ServiceAccountTokenAudience');
    expect(result.stderr).toContain('serviceAccountTokenAudience to sts.aliyuncs.com');
    expect(node.fake.requests).toHaveLength(0);
  });

  it.each([
    [
      'a role that does not exist',
      { [ROLE_ARN]: `acs:ram::${ACCOUNT}:role/gone` },
      'code EntityNotExist.Role',
      `Fix: the role acs:ram::${ACCOUNT}:role/gone does not exist: fix annotation ${ROLE_ARN} of ServiceAccount team-a/builder`,
    ],
    [
      'an OIDC provider RAM does not know',
      {
        [ROLE_ARN]: TEAM_A.arn,
        'acr-credential-provider.io/oidc-provider-arn': `acs:ram::${ACCOUNT}:oidc-provider/other`,
      },
      'code AuthenticationFail.NoPermission',
      `Fix: OIDC provider acs:ram::${ACCOUNT}:oidc-provider/other is not registered in RAM`,
    ],
    [
      'a role annotation that is not an ARN',
      { [ROLE_ARN]: 'team-a' },
      'code InvalidRoleAnnotation',
      `annotation ${ROLE_ARN} of ServiceAccount team-a/builder is \`team-a\`, not an ARN`,
    ],
  ])('%s', async (_what, annotations, code, words) => {
    const result = await pull({ token: TEAM_A_PULL.token!, annotations });
    expect(result.code).toBeGreaterThan(0);
    expect(result.stderr).toContain(code);
    expect(result.stderr).toContain(words);
    expect(node.fake.issuedTokens()).toHaveLength(0);
  });

  it('an issuer RAM does not trust for that provider', async () => {
    const stranger = createServiceAccountIssuer('https://oidc.other-cluster.test/beef');
    const result = await node.run(
      JSON.stringify({
        apiVersion: V1,
        kind: 'CredentialProviderRequest',
        image: `${HOST}/team/app`,
        serviceAccountToken: stranger.mint(TEAM_A_PULL.token!),
        serviceAccountAnnotations: TEAM_A_PULL.annotations,
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('code AuthenticationFail.OIDCToken.InvalidSignature');
    expect(result.stderr).toContain(`Fix: OIDC provider ${OIDC_ARN} is not this cluster's token issuer`);
  });
});
