// Every scenario of the aliyun-acr-credential-helper documentation, run
// through the built executable against the fake cloud: the configuration a
// user already has must keep working unchanged.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callCounts, lastIssuedPassword, parseResponse, startNode, WORKER_PRINCIPAL, type Node } from './harness.js';

let node: Node;

beforeEach(async () => {
  node = await startNode();
});

afterEach(async () => {
  await node.close();
});

const ENTERPRISE_DOMAINS = [
  { domain: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' as const },
  { domain: 'acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' as const },
  { domain: 'images.acme.example', type: 'USER' as const },
];

function addAcme(allowedPrincipals: string[] = [WORKER_PRINCIPAL]): void {
  node.fake.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: ENTERPRISE_DOMAINS,
    allowedPrincipals,
  });
}

function expectAuthFor(hosts: string[], response: ReturnType<typeof parseResponse>, password: string): void {
  expect(Object.keys(response.auth).sort()).toEqual([...hosts].sort());
  for (const host of hosts) expect(response.auth[host]).toEqual({ username: 'cr_temp_user', password });
}

describe('Personal Edition', () => {
  it('without a configuration file serves the Personal Edition of the node region with the node RAM role, then from the cache', async () => {
    node.fake.allowPersonal('cn-hangzhou', [WORKER_PRINCIPAL]);
    const coldRun = await node.pull('registry.cn-hangzhou.aliyuncs.com/team/app');
    // Success is silent at the default log level: stderr is for what an operator must act on.
    expect(coldRun.stderr).toBe('');
    const cold = parseResponse(coldRun);
    expect(cold).toMatchObject({
      kind: 'CredentialProviderResponse',
      apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
      cacheKeyType: 'Registry',
    });
    // 1 h token minus the default 15 min threshold, give or take the run time.
    expect(Number(cold.cacheDuration!.replace('s', ''))).toBeGreaterThan(2650);
    expect(Number(cold.cacheDuration!.replace('s', ''))).toBeLessThanOrEqual(2700);
    expect(cold.auth['registry.cn-hangzhou.aliyuncs.com']).toEqual({
      username: 'cr_temp_user',
      password: lastIssuedPassword(node.fake),
    });
    expect(cold.auth['registry-vpc.cn-hangzhou.aliyuncs.com']).toEqual(cold.auth['registry.cn-hangzhou.aliyuncs.com']);
    expect(callCounts(node.fake)).toEqual({
      MetadataToken: 1,
      MetadataRole: 1,
      MetadataCredentials: 1,
      GetPersonalToken: 1,
    });
    expect(node.fake.requests.find((r) => r.action === 'GetPersonalToken')).toMatchObject({
      principal: WORKER_PRINCIPAL,
      region: 'cn-hangzhou',
    });

    node.fake.reset();
    const warm = parseResponse(await node.pull('registry-vpc.cn-hangzhou.aliyuncs.com/team/other'));
    expect(warm.auth['registry-vpc.cn-hangzhou.aliyuncs.com']).toEqual(cold.auth['registry.cn-hangzhou.aliyuncs.com']);
    expect(node.fake.requests).toEqual([]);
  });

  it('reads a whole ConfigMap manifest with the documented Personal Edition example', async () => {
    node.writeConfig(`apiVersion: v1
kind: ConfigMap
metadata:
  name: acr-configuration
  namespace: kube-system
data:
  acr-api-version: "2018-12-01"
  acr-registry-info: |-
    - instanceId: ""
      regionId: "cn-hangzhou"
  expiring-threshold: 15m
  service-account: default
  watch-namespace: all
`);
    node.fake.allowPersonal('cn-hangzhou', [WORKER_PRINCIPAL]);
    const response = parseResponse(
      await node.pull('registry.cn-hangzhou.aliyuncs.com/team/app', {
        apiVersion: 'credentialprovider.kubelet.k8s.io/v1beta1',
      }),
    );
    expect(response.apiVersion).toBe('credentialprovider.kubelet.k8s.io/v1beta1');
    expect(response.auth['registry.cn-hangzhou.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
  });

  it('pulls across regions (scenario 3): each region gets its own token', async () => {
    node.writeConfig(`service-account: "default"
watch-namespace: "all"
expiring-threshold: "15m"
notify-email: "cs@aliyuncs.com"
acr-registry-info: |
  - instanceId: ""
    regionId: "cn-beijing"
  - instanceId: ""
    regionId: "cn-hangzhou"
`);
    node.fake.allowPersonal('cn-beijing', [WORKER_PRINCIPAL]);
    node.fake.allowPersonal('cn-hangzhou', [WORKER_PRINCIPAL]);
    const beijing = parseResponse(
      await node.pull('registry.cn-beijing.aliyuncs.com/team/app', {
        apiVersion: 'credentialprovider.kubelet.k8s.io/v1alpha1',
      }),
    );
    expect(beijing.apiVersion).toBe('credentialprovider.kubelet.k8s.io/v1alpha1');
    expect(beijing.auth['registry.cn-beijing.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    const hangzhou = parseResponse(await node.pull('registry.cn-hangzhou.aliyuncs.com/team/app'));
    expect(hangzhou.auth['registry.cn-hangzhou.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.issuedTokens().map((t) => t.region)).toEqual(['cn-beijing', 'cn-hangzhou']);
    // The node's metadata credentials are cached between the two runs.
    expect(node.fake.count('MetadataCredentials')).toBe(1);
  });
});

describe('Enterprise Edition', () => {
  it('with explicit domains (scenario 1) answers for every listed domain with the instance token', async () => {
    node.writeConfig(`acr-registry-info: |
  - instanceId: "cri-acme"
    regionId: "cn-hangzhou"
    domains: "images.acme.example,acme-registry.cn-hangzhou.cr.aliyuncs.com"
`);
    addAcme();
    const response = parseResponse(await node.pull('images.acme.example/team/app'));
    expectAuthFor(
      ['images.acme.example', 'acme-registry.cn-hangzhou.cr.aliyuncs.com'],
      response,
      lastIssuedPassword(node.fake),
    );
    expect(callCounts(node.fake)).toEqual({
      MetadataToken: 1,
      MetadataRole: 1,
      MetadataCredentials: 1,
      GetAuthorizationToken: 1,
    });
    expect(node.fake.issuedTokens()[0]).toMatchObject({
      instanceId: 'cri-acme',
      region: 'cn-hangzhou',
      principal: WORKER_PRINCIPAL,
    });
  });

  it('without domains looks the instance domains up once (ListInstanceEndpoint) and serves all of them, custom domain included', async () => {
    node.writeConfig(`acr-registry-info: |
  - instanceId: "cri-acme"
    regionId: "cn-hangzhou"
`);
    addAcme();
    const response = parseResponse(await node.pull('acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com/team/app'));
    expectAuthFor(
      ENTERPRISE_DOMAINS.map((d) => d.domain),
      response,
      lastIssuedPassword(node.fake),
    );
    expect(node.fake.count('ListInstanceEndpoint')).toBe(1);

    node.fake.reset();
    const custom = parseResponse(await node.pull('images.acme.example/team/app'));
    expect(custom.auth['images.acme.example']?.password).toBe(lastIssuedPassword(node.fake));
    // Same instance, same identity: the cached token and the cached domains serve the custom domain.
    expect(node.fake.requests).toEqual([]);
  });

  it('serves an Enterprise host nobody configured with the node identity: ListInstance by name, then its domains', async () => {
    addAcme();
    const response = parseResponse(await node.pull('acme-registry.cn-hangzhou.cr.aliyuncs.com/team/app'));
    expect(response.auth['acme-registry.cn-hangzhou.cr.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    expect(response.auth['images.acme.example']).toBeDefined();
    expect(response.auth['acme-registry-vpc.distributed.cn-hangzhou.cr.aliyuncs.com:65001']).toBeDefined();
    expect(node.fake.requests.find((r) => r.action === 'ListInstance')?.params).toMatchObject({
      InstanceName: 'acme',
      RegionId: 'cn-hangzhou',
    });
    expect(node.fake.issuedTokens()[0]).toMatchObject({ instanceId: 'cri-acme', principal: WORKER_PRINCIPAL });
  });

  it('serves several instances and Personal Edition side by side (scenario 1, both editions)', async () => {
    node.writeConfig(`acr-registry-info: |
  - instanceId: ""
  - instanceId: "cri-acme"
  - instanceId: "cri-beta"
    regionId: "cn-shanghai"
`);
    addAcme();
    node.fake.addInstance({
      instanceId: 'cri-beta',
      instanceName: 'beta',
      region: 'cn-shanghai',
      domains: [{ domain: 'beta-registry.cn-shanghai.cr.aliyuncs.com', type: 'SYSTEM' }],
      allowedPrincipals: [WORKER_PRINCIPAL],
    });
    node.fake.allowPersonal('cn-hangzhou', [WORKER_PRINCIPAL]);
    const beta = parseResponse(await node.pull('beta-registry.cn-shanghai.cr.aliyuncs.com/team/app'));
    expect(beta.auth['beta-registry.cn-shanghai.cr.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    const acme = parseResponse(await node.pull('acme-registry.cn-hangzhou.cr.aliyuncs.com/team/app'));
    expect(acme.auth['acme-registry.cn-hangzhou.cr.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    const personal = parseResponse(await node.pull('registry.cn-hangzhou.aliyuncs.com/team/app'));
    expect(personal.auth['registry.cn-hangzhou.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.issuedTokens().map((t) => t.instanceId ?? `personal ${t.region}`)).toEqual([
      'cri-beta',
      'cri-acme',
      'personal cn-hangzhou',
    ]);
    // The entry for cri-acme has no regionId: the node's region came from the metadata service, once.
    expect(node.fake.count('MetadataRegion')).toBe(1);
  });
});

describe('other identities (scenario 4 and RRSA)', () => {
  it('assumes assumeRoleARN with DurationSeconds = expireDuration', async () => {
    const roleArn = 'acs:ram::5678:role/kubernetesworkerrole-test';
    node.writeConfig(`acr-registry-info: |
  - instanceId: ""
    regionId: "cn-beijing"
    domains: "registry.cn-beijing.aliyuncs.com"
    assumeRoleARN: "${roleArn}"
    expireDuration: 7200
`);
    node.fake.addRole({
      arn: roleArn,
      principal: 'role/kubernetesworkerrole-test@5678',
      trustedPrincipals: [WORKER_PRINCIPAL],
      maxSessionDuration: 43200,
    });
    node.fake.allowPersonal('cn-beijing', ['role/kubernetesworkerrole-test@5678']);
    const response = parseResponse(await node.pull('registry.cn-beijing.aliyuncs.com/team/app'));
    expect(response.auth['registry.cn-beijing.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.requests.find((r) => r.action === 'AssumeRole')?.params).toMatchObject({
      RoleArn: roleArn,
      DurationSeconds: '7200',
    });
    expect(node.fake.issuedTokens()[0]?.principal).toBe('role/kubernetesworkerrole-test@5678');
  });

  it('uses customAccessKey inline, as the documentation writes it (with // comments)', async () => {
    node.writeConfig(`acr-registry-info: |
  - instanceId: ""
    customAccessKey: "LTAI-puller" // Enter the AccessKey ID of the created RAM role.
    customAccessKeySecret: "puller-secret-value-1" // Enter the AccessKey secret of the created RAM role.
`);
    node.fake.addAccessKey({
      accessKeyId: 'LTAI-puller',
      accessKeySecret: 'puller-secret-value-1',
      principal: 'user/puller',
    });
    node.fake.allowPersonal('cn-hangzhou', ['user/puller']);
    const result = await node.pull('registry.cn-hangzhou.aliyuncs.com/team/app', { args: ['--region', 'cn-hangzhou'] });
    const response = parseResponse(result);
    expect(response.auth['registry.cn-hangzhou.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.issuedTokens()[0]?.principal).toBe('user/puller');
    // --region given and an AccessKey configured: the metadata service is not asked at all.
    expect(node.fake.requests.filter((r) => r.action.startsWith('Metadata'))).toEqual([]);
    expect(result.stderr).not.toContain('puller-secret-value-1');
  });

  it('accepts the Traditional Chinese documentation example verbatim (notify-email without a space, // comments, data: wrapper)', async () => {
    node.writeConfig(`data:
    service-account: "default"
    watch-namespace: "all"
    expiring-threshold: "15m"
    notify-email:"c*@aliyuncs.com"
    acr-registry-info: |
      - instanceId: ""
        customAccessKey: "LTAI-puller" // 此處填寫已創建的RAM用戶的AccessKey ID。
        customAccessKeySecret: "puller-secret-value-3" // 此處填寫已創建的RAM用戶的AccessKey Secret。
`);
    node.fake.addAccessKey({
      accessKeyId: 'LTAI-puller',
      accessKeySecret: 'puller-secret-value-3',
      principal: 'user/puller',
    });
    node.fake.allowPersonal('cn-hangzhou', ['user/puller']);
    const result = await node.pull('registry.cn-hangzhou.aliyuncs.com/team/app', { args: ['--region', 'cn-hangzhou'] });
    expect(parseResponse(result).auth['registry.cn-hangzhou.aliyuncs.com']?.password).toBe(
      lastIssuedPassword(node.fake),
    );
    expect(node.fake.issuedTokens()[0]?.principal).toBe('user/puller');
  });

  it('reads customAccessKeySecretRef from the mirrored Secret file', async () => {
    node.writeConfig(`acr-registry-info: |
  - instanceId: "cri-acme"
    regionId: "cn-hangzhou"
    domains: "images.acme.example"
    customAccessKey: "LTAI-puller"
    customAccessKeySecretRef: "puller"
`);
    node.writeSecret('puller', 'puller-secret-value-2\n');
    node.fake.addAccessKey({
      accessKeyId: 'LTAI-puller',
      accessKeySecret: 'puller-secret-value-2',
      principal: 'user/puller',
    });
    addAcme(['user/puller']);
    const response = parseResponse(await node.pull('images.acme.example/team/app'));
    expect(response.auth['images.acme.example']?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.issuedTokens()[0]?.principal).toBe('user/puller');
  });

  it('exchanges the RRSA token (AssumeRoleWithOIDC), then assumes the other account role', async () => {
    const rrsaRole = 'acs:ram::1111:role/a-user-role';
    const provider = 'acs:ram::1111:oidc-provider/ack-rrsa-c1';
    const crossRole = 'acs:ram::2222:role/b-user-role';
    node.writeConfig(`rrsa: |
  enable: true
acr-registry-info: |
  - instanceId: cri-acme
    regionId: cn-hangzhou
    rrsaRoleARN: ${rrsaRole}
    rrsaOIDCProviderRoleARN: ${provider}
    assumeRoleARN: ${crossRole}
    expireDuration: 3600
`);
    node.writeRrsaToken('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.rrsa-signature');
    node.fake.addOidcProvider({ arn: provider, token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.rrsa-signature' });
    node.fake.addRole({ arn: rrsaRole, principal: 'role/a-user-role@1111', trustedPrincipals: [provider] });
    node.fake.addRole({
      arn: crossRole,
      principal: 'role/b-user-role@2222',
      trustedPrincipals: ['role/a-user-role@1111'],
    });
    addAcme(['role/b-user-role@2222']);
    const response = parseResponse(await node.pull('acme-registry.cn-hangzhou.cr.aliyuncs.com/team/app'));
    expect(response.auth['acme-registry.cn-hangzhou.cr.aliyuncs.com']?.password).toBe(lastIssuedPassword(node.fake));
    // One set of credentials per run serves both the domain look-up and the token; no metadata call.
    expect(callCounts(node.fake)).toEqual({
      AssumeRoleWithOIDC: 1,
      AssumeRole: 1,
      ListInstanceEndpoint: 1,
      GetAuthorizationToken: 1,
    });
    expect(node.fake.issuedTokens()[0]?.principal).toBe('role/b-user-role@2222');
  });
});

describe('hosts that are not ours', () => {
  it('answers an unconfigured custom domain and Docker Hub with empty auth and cacheDuration 0s, without calling the cloud', async () => {
    for (const image of ['images.elsewhere.example/team/app', 'nginx']) {
      const response = parseResponse(await node.pull(image));
      expect(response).toEqual({
        kind: 'CredentialProviderResponse',
        apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
        cacheKeyType: 'Registry',
        cacheDuration: '0s',
        auth: {},
      });
    }
    expect(node.fake.requests).toEqual([]);
  });
});
