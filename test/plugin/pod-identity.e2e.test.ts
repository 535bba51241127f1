// Pod identity through the built kubectl-acr against the fake apiserver and
// the fake cloud: configure turns it on (the key node-setup reads, the nodes'
// RBAC), status says who pulls with their own role, and credentials
// --service-account walks one pull as that ServiceAccount, with a token the
// fake apiserver issues and the fake STS verifies.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../fakes/alicloud/index.js';
import { configMap, startHarness, storedConfigMap, type PluginHarness } from './plugin-harness.js';

const OIDC = 'acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0ffee';
const TEAM_A_ROLE = 'acs:ram::1234567890123456:role/team-a';
const HOST = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';
const RBAC = 'acr-credential-provider-pod-identity';

let h: PluginHarness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const rbac = () => ({
  role: h.api.get('clusterroles', undefined, RBAC) as { rules?: unknown } | undefined,
  binding: h.api.get('clusterrolebindings', undefined, RBAC) as { subjects?: unknown; roleRef?: unknown } | undefined,
});

describe('configure --pod-identity', () => {
  test('writes pod-identity, grants the nodes the audience, is idempotent, and --no-pod-identity takes the grant back', async () => {
    const on = await h.run(['configure', '--pod-identity', '--oidc-provider-arn', OIDC]);
    expect(on.stderr).toBe('');
    expect(on.code).toBe(0);
    expect(on.stdout).toBe(
      [
        'configmap/acr-configuration created',
        `clusterrole.rbac.authorization.k8s.io/${RBAC} created`,
        `clusterrolebinding.rbac.authorization.k8s.io/${RBAC} created`,
        '',
      ].join('\n'),
    );
    expect(storedConfigMap(h.api)?.data).toEqual({
      'pod-identity': `enable: true\noidc-provider-arn: ${OIDC}\nrequire-role: false\n`,
    });
    expect(rbac().role?.rules).toEqual([
      { apiGroups: [''], resources: ['sts.aliyuncs.com'], verbs: ['request-serviceaccounts-token-audience'] },
    ]);
    expect(rbac().binding).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: RBAC },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' }],
    });

    const again = await h.run(['configure', '--pod-identity']);
    expect(again.stdout).toContain('configmap/acr-configuration unchanged');
    expect(again.stdout).toContain(`clusterrolebinding.rbac.authorization.k8s.io/${RBAC} unchanged`);

    const strict = await h.run(['configure', '--require-role']);
    expect(strict.code).toBe(0);
    expect(storedConfigMap(h.api)?.data?.['pod-identity']).toBe(
      `enable: true\noidc-provider-arn: ${OIDC}\nrequire-role: true\n`,
    );

    const off = await h.run(['configure', '--no-pod-identity']);
    expect(off.code).toBe(0);
    expect(off.stdout).toContain(`clusterrolebinding.rbac.authorization.k8s.io/${RBAC} deleted`);
    expect(rbac()).toEqual({ role: undefined, binding: undefined });
    expect(storedConfigMap(h.api)?.data?.['pod-identity']).toContain('enable: false');
  });

  test.each([
    [['--pod-identity'], 'pod-identity is enabled without `oidc-provider-arn`'],
    [['--pod-identity', '--oidc-provider-arn', 'ack-rrsa-c0ffee'], 'oidc-provider-arn `ack-rrsa-c0ffee` is not an ARN'],
  ])('%j is refused and changes nothing', async (flags, message) => {
    const result = await h.run(['configure', ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(storedConfigMap(h.api)).toBeUndefined();
    expect(rbac()).toEqual({ role: undefined, binding: undefined });
  });
});

describe('status and credentials --service-account', () => {
  let cloud: FakeAlicloud;
  let env: Record<string, string>;
  beforeEach(async () => {
    cloud = await startFakeAlicloud({ region: 'cn-hangzhou' });
    const issuer = h.api.serviceAccountIssuer;
    cloud.addOidcProvider({
      arn: OIDC,
      issuer: issuer.issuer,
      publicKey: issuer.publicKey,
      clientIds: ['sts.aliyuncs.com'],
    });
    cloud.addRole({
      arn: TEAM_A_ROLE,
      principal: 'role/team-a',
      trustedPrincipals: [OIDC],
      oidcSubjects: ['system:serviceaccount:team-a:builder'],
    });
    cloud.addInstance({
      instanceId: 'cri-acme',
      instanceName: 'acme',
      region: 'cn-hangzhou',
      domains: [{ domain: HOST, type: 'SYSTEM' }],
      allowedPrincipals: ['role/team-a', 'role/KubernetesWorkerRole'],
    });
    env = {
      ACR_PROVIDER_METADATA_ENDPOINT: cloud.url,
      ACR_PROVIDER_CR_ENDPOINT: cloud.url,
      ACR_PROVIDER_STS_ENDPOINT: cloud.url,
    };
    h.api.seed([
      configMap({
        'pod-identity': `enable: true\noidc-provider-arn: ${OIDC}`,
        'acr-registry-info': '- instanceId: cri-acme\n  regionId: cn-hangzhou\n',
      }),
      ...['team-a', 'team-b'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: 'builder',
          namespace: 'team-a',
          annotations: { 'acr-credential-provider.io/role-arn': TEAM_A_ROLE },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: 'intruder',
          namespace: 'team-b',
          annotations: { 'acr-credential-provider.io/role-arn': TEAM_A_ROLE },
        },
      },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'plain', namespace: 'team-b' } },
    ]);
  });
  afterEach(async () => {
    await cloud.close();
  });

  test('status lists each ServiceAccount’s role and flags the missing node grant', async () => {
    const result = await h.run(['status']);
    expect(result.stdout).toContain("Pod identity (on; nodes' sts.aliyuncs.com token audience: NOT granted)");
    expect(result.stdout).toMatch(
      /team-a\/builder\s+acs:ram::1234567890123456:role\/team-a\s+acr-credential-provider\.io\/role-arn/,
    );
    expect(result.stdout).toContain(
      'error (pod-identity): pod-identity is on, but nodes are not allowed to request ServiceAccount tokens for sts.aliyuncs.com',
    );
    const json = JSON.parse((await h.run(['status', '-o', 'json'])).stdout) as { podIdentity: { withoutRole: number } };
    expect(json.podIdentity.withoutRole).toBe(1);
  });

  test('a ServiceAccount with its role: the token from the API server, the role from STS, the ACR token as that role', async () => {
    const result = await h.run(['credentials', `${HOST}/team/app`, '--service-account', 'team-a/builder'], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `[ok]      ServiceAccount team-a/builder: ServiceAccount team-a/builder (RRSA role ${TEAM_A_ROLE}) from acr-credential-provider.io/role-arn`,
    );
    expect(result.stdout).toContain(
      `[ok]      credential source: ServiceAccount team-a/builder (RRSA role ${TEAM_A_ROLE})`,
    );
    expect(cloud.issuedTokens().map((t) => t.principal)).toEqual(['role/team-a']);
    expect(h.api.requests.some((r) => r.method === 'POST' && r.path.endsWith('/serviceaccounts/builder/token'))).toBe(
      true,
    );
    expect(result.stdout).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });

  test('another namespace claiming the same role is refused, with the trust statement that would allow it', async () => {
    const result = await h.run(['credentials', `${HOST}/team/app`, '--service-account', 'team-b/intruder'], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('code: AuthenticationFail.NoPermission');
    expect(result.stdout).toContain('"oidc:sub":"system:serviceaccount:team-b:intruder"');
    expect(cloud.issuedTokens()).toHaveLength(0);
  });

  test('a ServiceAccount without a role pulls with the node identity; a missing one is named', async () => {
    const plain = await h.run(['credentials', `${HOST}/team/app`, '--service-account', 'team-b/plain'], { env });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("[ok]      ServiceAccount team-b/plain: names no role: the node's identity answers");
    expect(cloud.issuedTokens().map((t) => t.principal)).toEqual(['role/KubernetesWorkerRole']);

    const missing = await h.run(['credentials', `${HOST}/team/app`, '--service-account', 'team-b/ghost'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('[FAILED]  ServiceAccount team-b/ghost: does not exist');
  });
});
