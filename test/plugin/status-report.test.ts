import { describe, expect, test } from 'vitest';
import type { ConfigMapObject } from '../../plugin/configuration-store.js';
import { buildStatusReport, exitCodeFor } from '../../plugin/status/status-report.js';
import type { ClusterSnapshot } from '../../plugin/status/status-model.js';
import {
  acrImage,
  deployment,
  helperDeployment,
  namespace,
  node,
  providerPod,
  pullSecret,
  serviceAccount,
} from './cluster-objects.js';

const now = new Date('2026-11-24T09:00:00Z');

function snapshot(parts: Partial<ClusterSnapshot> & { data?: Record<string, string> }): ClusterSnapshot {
  const { data, ...rest } = parts;
  const configMap: ConfigMapObject | undefined = data
    ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'acr-configuration', namespace: 'kube-system' }, data }
    : undefined;
  return {
    configMap,
    accessKeySecret: undefined,
    namespaces: ['default', 'kube-system', 'apps'].map(namespace),
    serviceAccounts: [],
    pullSecrets: [],
    nodes: [node('n1'), node('n2')],
    nodeSetupPods: [providerPod('n1', true), providerPod('n2', true)],
    nodeSetup: { installed: true, image: 'registry.example.com/acr-node-setup:1', desired: 2, ready: 2, updated: 2 },
    deployments: [],
    daemonSets: [],
    pods: [],
    podIdentityBinding: undefined,
    now,
    ...rest,
  };
}

const healthyData = {
  'watch-namespace': 'default',
  'acr-registry-info': '- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n',
};

describe('status verdicts', () => {
  const cases: {
    name: string;
    snapshot: ClusterSnapshot;
    health: 'healthy' | 'problems' | 'invalid';
    codes: string[];
  }[] = [
    {
      name: 'provider ready on every node, clean configuration',
      snapshot: snapshot({ data: healthyData }),
      health: 'healthy',
      codes: [],
    },
    {
      name: 'legacy keys from the docs are notes, not problems',
      snapshot: snapshot({
        data: { ...healthyData, 'notify-email': 'cs@aliyuncs.com', 'acr-api-version': '2018-12-01' },
      }),
      health: 'healthy',
      codes: [],
    },
    { name: 'no ConfigMap: defaults apply', snapshot: snapshot({}), health: 'healthy', codes: [] },
    {
      name: 'a mis-indented registry entry',
      snapshot: snapshot({ data: { 'acr-registry-info': '- instanceId: "cri-abc123"\n regionId: "cn-hangzhou"\n' } }),
      health: 'invalid',
      codes: ['key-outside-list-item'],
    },
    {
      name: 'watch-namespace: all reaches kube-system',
      snapshot: snapshot({ data: { ...healthyData, 'watch-namespace': 'all' } }),
      health: 'problems',
      codes: ['watch-namespace-kube-system'],
    },
    {
      name: 'unknown key',
      snapshot: snapshot({ data: { ...healthyData, 'watch-namespaces': 'apps' } }),
      health: 'problems',
      codes: ['unknown-key'],
    },
    {
      name: 'plain-text secret',
      snapshot: snapshot({
        data: {
          'watch-namespace': 'default',
          'acr-registry-info': '- instanceId: ""\n  customAccessKey: "LTAIid"\n  customAccessKeySecret: "abcdefgh"\n',
        },
      }),
      health: 'problems',
      codes: ['plaintext-secret'],
    },
    {
      name: 'a secret reference whose Secret is missing',
      snapshot: snapshot({
        data: {
          'watch-namespace': 'default',
          'acr-registry-info':
            '- instanceId: ""\n  customAccessKey: "LTAIid"\n  customAccessKeySecretRef: "access-key-personal"\n',
        },
      }),
      health: 'problems',
      codes: ['access-key-secret-missing'],
    },
    {
      name: 'a secret reference whose key is in the Secret',
      snapshot: snapshot({
        data: {
          'watch-namespace': 'default',
          'acr-registry-info':
            '- instanceId: ""\n  customAccessKey: "LTAIid"\n  customAccessKeySecretRef: "access-key-personal"\n',
        },
        accessKeySecret: {
          metadata: { name: 'acr-configuration-secrets', namespace: 'kube-system' },
          data: { 'access-key-personal': 'c2VjcmV0' },
        },
      }),
      health: 'healthy',
      codes: [],
    },
    {
      name: 'nothing serves credentials',
      snapshot: snapshot({ data: healthyData, nodeSetupPods: [] }),
      health: 'problems',
      codes: ['no-credential-source'],
    },
    {
      name: 'provider pods exist but none is ready',
      snapshot: snapshot({ data: healthyData, nodeSetupPods: [providerPod('n1', false)] }),
      health: 'problems',
      codes: ['no-credential-source'],
    },
    {
      name: 'one node without the provider and no sync',
      snapshot: snapshot({ data: healthyData, nodeSetupPods: [providerPod('n1', true)] }),
      health: 'problems',
      codes: ['node-without-provider'],
    },
    {
      name: 'Secret sync only, everything synced',
      snapshot: snapshot({
        data: healthyData,
        nodeSetupPods: [],
        deployments: [helperDeployment(true)],
        pullSecrets: [pullSecret('default', 'acr-credential-abc', { expiresAt: '2026-11-24T10:00:00Z' })],
        serviceAccounts: [serviceAccount('default', 'default', ['acr-credential-abc'])],
      }),
      health: 'healthy',
      codes: [],
    },
    {
      name: 'Secret sync with an expired token and an unpatched ServiceAccount',
      snapshot: snapshot({
        data: healthyData,
        nodeSetupPods: [],
        deployments: [helperDeployment(true)],
        pullSecrets: [pullSecret('default', 'acr-credential-abc', { expiresAt: '2026-11-24T08:00:00Z' })],
        serviceAccounts: [serviceAccount('default', 'default')],
      }),
      health: 'problems',
      codes: ['sync-token-expired', 'service-account-not-patched'],
    },
    {
      name: 'Secret sync running but a watched namespace has no Secret',
      snapshot: snapshot({
        data: healthyData,
        nodeSetupPods: [],
        deployments: [helperDeployment(true)],
        serviceAccounts: [serviceAccount('default', 'default')],
      }),
      health: 'problems',
      codes: ['sync-secret-missing'],
    },
    {
      name: 'helper Deployment not ready counts as no sync',
      snapshot: snapshot({ data: healthyData, nodeSetupPods: [], deployments: [helperDeployment(false)] }),
      health: 'problems',
      codes: ['no-credential-source'],
    },
    {
      name: 'a workload with its own imagePullSecrets, where it depends on the sync',
      snapshot: snapshot({
        data: healthyData,
        nodeSetupPods: [],
        deployments: [
          helperDeployment(true),
          deployment('default', 'web', {
            imagePullSecrets: [{ name: 'regcred' }],
            containers: [{ name: 'web', image: acrImage }],
          }),
        ],
        pullSecrets: [pullSecret('default', 'acr-credential-abc')],
        serviceAccounts: [serviceAccount('default', 'default', ['acr-credential-abc'])],
      }),
      health: 'problems',
      codes: ['workload-own-pull-secrets'],
    },
    {
      name: 'a custom ServiceAccount not covered, where it depends on the sync',
      snapshot: snapshot({
        data: healthyData,
        nodeSetupPods: [],
        deployments: [
          helperDeployment(true),
          deployment('default', 'web', {
            serviceAccountName: 'builder',
            containers: [{ name: 'web', image: acrImage }],
          }),
        ],
        pullSecrets: [pullSecret('default', 'acr-credential-abc')],
        serviceAccounts: [serviceAccount('default', 'default', ['acr-credential-abc'])],
      }),
      health: 'problems',
      codes: ['service-account-not-covered'],
    },
    {
      name: 'pods of other controllers stand for their owner, once',
      snapshot: snapshot({
        data: healthyData,
        nodeSetupPods: [],
        deployments: [helperDeployment(true)],
        pullSecrets: [pullSecret('default', 'acr-credential-abc')],
        serviceAccounts: [serviceAccount('default', 'default', ['acr-credential-abc'])],
        pods: [0, 1].map((i) => ({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `db-${i}`, namespace: 'default', ownerReferences: [{ kind: 'StatefulSet', name: 'db' }] },
          spec: { serviceAccountName: 'db', containers: [{ name: 'db', image: acrImage }] },
        })),
      }),
      health: 'problems',
      codes: ['service-account-not-covered'],
    },
    {
      name: 'workloads do not matter where the provider runs on every node',
      snapshot: snapshot({
        data: healthyData,
        deployments: [
          deployment('default', 'web', {
            serviceAccountName: 'builder',
            imagePullSecrets: [{ name: 'regcred' }],
            containers: [{ name: 'web', image: acrImage }],
          }),
        ],
      }),
      health: 'healthy',
      codes: [],
    },
    {
      name: 'workloads outside the watched namespaces or without ACR images are not reported',
      snapshot: snapshot({
        data: healthyData,
        nodeSetupPods: [],
        deployments: [
          helperDeployment(true),
          deployment('apps', 'api', { serviceAccountName: 'builder', containers: [{ name: 'api', image: acrImage }] }),
          deployment('default', 'nginx', {
            serviceAccountName: 'builder',
            containers: [{ name: 'nginx', image: 'nginx:1.27' }],
          }),
        ],
        pullSecrets: [pullSecret('default', 'acr-credential-abc')],
        serviceAccounts: [serviceAccount('default', 'default', ['acr-credential-abc'])],
      }),
      health: 'healthy',
      codes: [],
    },
  ];
  test.each(cases)('$name', ({ snapshot: s, health, codes: expected }) => {
    const report = buildStatusReport(s);
    expect(report.problems.map((p) => p.code)).toEqual(expected);
    expect(report.health).toBe(health);
    expect(exitCodeFor(report.health)).toBe({ healthy: 0, problems: 1, invalid: 2 }[health]);
    for (const problem of report.problems) expect(problem.fix.length).toBeGreaterThan(10);
  });
});

describe('status report content', () => {
  test('describes each registry with edition, region, domains and credential source', () => {
    const report = buildStatusReport(
      snapshot({
        data: {
          'acr-registry-info':
            '- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n  domains: "reg.example.com"\n  assumeRoleARN: "acs:ram::123456789012:role/puller"\n- instanceId: ""\n  regionId: "cn-beijing"\n  customAccessKey: "LTAIid"\n  customAccessKeySecretRef: "access-key-personal-cn-beijing"\n',
        },
      }),
    );
    expect(report.configuration.registries).toEqual([
      {
        edition: 'enterprise',
        instanceId: 'cri-abc123',
        region: 'cn-hangzhou',
        domains: 'reg.example.com',
        credentials: "node's identity (ALIBABA_CLOUD_ACCESS_KEY_* or the ECS RAM role)",
        assumeRole: 'acs:ram::123456789012:role/puller (3600s)',
      },
      {
        edition: 'personal',
        region: 'cn-beijing',
        domains: 'registry[-vpc].cn-beijing.aliyuncs.com',
        credentials:
          'AccessKey LTAIid (Secret kube-system/acr-configuration-secrets, key access-key-personal-cn-beijing)',
      },
    ]);
  });

  test('problems in the configuration carry the key, line and column', () => {
    const report = buildStatusReport(
      snapshot({ data: { 'acr-registry-info': '- instanceId: "cri-abc123"\n  domains: "a.com","b.com"\n' } }),
    );
    const problem = report.problems.find((p) => p.key === 'acr-registry-info');
    expect(problem).toMatchObject({ key: 'acr-registry-info', line: 2 });
    expect(problem?.column).toBeGreaterThan(0);
  });

  test('the plain-text secret problem names the command that moves it', () => {
    const report = buildStatusReport(
      snapshot({
        data: {
          'acr-registry-info': '- instanceId: ""\n  customAccessKey: "LTAIid"\n  customAccessKeySecret: "abcdefgh"\n',
        },
      }),
    );
    expect(report.problems.find((p) => p.code === 'plaintext-secret')?.fix).toContain(
      'kubectl acr configure --move-inline-secrets',
    );
    expect(JSON.stringify(report)).not.toContain('abcdefgh');
  });

  test('a StatefulSet is named in the problem, not its pods', () => {
    const report = buildStatusReport(
      snapshot({
        data: healthyData,
        nodeSetupPods: [],
        deployments: [helperDeployment(true)],
        pods: [
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'db-0', namespace: 'default', ownerReferences: [{ kind: 'StatefulSet', name: 'db' }] },
            spec: { serviceAccountName: 'db', containers: [{ name: 'db', image: acrImage }] },
          },
        ],
      }),
    );
    expect(report.problems.find((p) => p.code === 'service-account-not-covered')?.message).toContain(
      'StatefulSet default/db',
    );
  });

  test('nodes: ready, not ready and missing provider pods', () => {
    const report = buildStatusReport(
      snapshot({
        data: healthyData,
        nodes: [node('a'), node('b'), node('c')],
        nodeSetupPods: [providerPod('a', true), providerPod('b', false)],
      }),
    );
    expect(report.nodes).toEqual([
      { node: 'a', provider: 'ready', pod: 'acr-node-setup-a', version: '1' },
      { node: 'b', provider: 'not-ready', pod: 'acr-node-setup-b', version: '1' },
      { node: 'c', provider: 'missing' },
    ]);
  });

  test('nodes whose pod runs another image than the DaemonSet lag behind the rollout', () => {
    const report = buildStatusReport(
      snapshot({
        data: healthyData,
        nodes: [node('a'), node('b')],
        nodeSetupPods: [
          providerPod('a', true, 'registry.example.com/acr-node-setup:2'),
          providerPod('b', false, 'registry.example.com/acr-node-setup:1'),
        ],
        nodeSetup: {
          installed: true,
          image: 'registry.example.com/acr-node-setup:2',
          desired: 2,
          ready: 1,
          updated: 1,
        },
      }),
    );
    expect(report.nodes).toEqual([
      { node: 'a', provider: 'ready', pod: 'acr-node-setup-a', version: '2' },
      { node: 'b', provider: 'not-ready', pod: 'acr-node-setup-b', version: '1', lagging: true },
    ]);
    expect(report.problems.find((p) => p.code === 'node-provider-lagging')?.message).toBe(
      "b (1) still runs an older acr-node-setup than the DaemonSet's registry.example.com/acr-node-setup:2.",
    );
  });

  test('Secret sync per namespace: Secret, token expiry from a JWT password, ServiceAccounts patched', () => {
    const exp = Math.floor(Date.parse('2026-11-24T09:30:00Z') / 1000);
    const jwt = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;
    const report = buildStatusReport(
      snapshot({
        data: { 'watch-namespace': 'default,apps,gone', 'service-account': 'default,ci' },
        deployments: [deployment('kube-system', 'kubectl-acr-sync', { containers: [{ name: 's', image: 'x' }] })],
        pullSecrets: [
          pullSecret('default', 'acr-pull', { managed: true, password: jwt }),
          pullSecret('apps', 'someone-elses'),
        ],
        serviceAccounts: [
          serviceAccount('default', 'default', ['acr-pull']),
          serviceAccount('default', 'ci'),
          serviceAccount('default', 'other'),
        ],
      }),
    );
    expect(report.secretSync.helper).toBe('absent');
    expect(report.secretSync.sync).toBe('running');
    expect(report.secretSync.namespaces).toEqual([
      {
        namespace: 'default',
        exists: true,
        secret: 'acr-pull',
        tokenExpiresAt: '2026-11-24T09:30:00.000Z',
        tokenExpired: false,
        serviceAccounts: [
          { name: 'default', patched: true },
          { name: 'ci', patched: false },
        ],
      },
      { namespace: 'apps', exists: true, serviceAccounts: [] },
      { namespace: 'gone', exists: false, serviceAccounts: [] },
    ]);
    expect(JSON.stringify(report)).not.toContain(jwt);
  });

  test('with nothing serving credentials, the fix depends on whether the node setup is installed', () => {
    const missing = buildStatusReport(
      snapshot({
        data: healthyData,
        nodeSetupPods: [],
        nodeSetup: { installed: false, image: undefined, desired: 0, ready: 0, updated: 0 },
      }),
    );
    expect(missing.problems[0]?.fix).toContain('`kubectl acr install`');
    const broken = buildStatusReport(snapshot({ data: healthyData, nodeSetupPods: [providerPod('n1', false)] }));
    expect(broken.problems[0]?.fix).toContain('the DaemonSet is installed but no pod is ready');
  });

  test('an invalid configuration still reports the nodes', () => {
    const report = buildStatusReport(snapshot({ data: { 'expiring-threshold': 'soon' } }));
    expect(report.health).toBe('invalid');
    expect(report.configuration.valid).toBe(false);
    expect(report.nodes.map((n) => n.provider)).toEqual(['ready', 'ready']);
  });
});

describe('pod identity in status', () => {
  const OIDC = 'acs:ram::1234567890:oidc-provider/ack-rrsa-c0ffee';
  const annotated = (ns: string, n: string, annotations: Record<string, string>) => ({
    ...serviceAccount(ns, n),
    metadata: { ...serviceAccount(ns, n).metadata, annotations },
  });
  const accounts = [
    annotated('team-a', 'builder', { 'acr-credential-provider.io/role-arn': 'acs:ram::1234567890:role/team-a' }),
    annotated('team-b', 'app', { 'pod-identity.alibabacloud.com/role-name': 'team-b' }),
    annotated('team-c', 'bad', { 'acr-credential-provider.io/role-arn': 'team-c' }),
    serviceAccount('default', 'default'),
  ];
  const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'x' } };

  test('lists who pulls with their own role, refuses a bad annotation, and counts the rest', () => {
    const report = buildStatusReport(
      snapshot({
        data: { ...healthyData, 'pod-identity': `enable: true\noidc-provider-arn: ${OIDC}` },
        serviceAccounts: accounts,
        podIdentityBinding: binding,
      }),
    );
    expect(report.podIdentity).toEqual({
      enabled: true,
      requireRole: false,
      oidcProviderArn: OIDC,
      nodeAccess: 'granted',
      serviceAccounts: [
        {
          serviceAccount: 'team-a/builder',
          role: 'acs:ram::1234567890:role/team-a',
          annotation: 'acr-credential-provider.io/role-arn',
        },
        {
          serviceAccount: 'team-b/app',
          role: 'acs:ram::1234567890:role/team-b',
          annotation: 'pod-identity.alibabacloud.com/role-name',
        },
        {
          serviceAccount: 'team-c/bad',
          refused: expect.stringContaining('is `team-c`, not an ARN') as unknown as string,
        },
      ],
      withoutRole: 1,
    });
    expect(report.problems.map((p) => p.code)).toEqual(['pod-identity-role-invalid']);
  });

  test.each([
    ['on without the nodes’ RBAC', `enable: true\noidc-provider-arn: ${OIDC}`, undefined, ['pod-identity-node-access']],
    ['off while ServiceAccounts name roles', 'enable: false', binding, ['pod-identity-off']],
    ['on, RBAC unreadable: not a problem', `enable: true\noidc-provider-arn: ${OIDC}`, 'forbidden' as const, []],
  ])('%s', (_what, setting, podIdentityBinding, codes) => {
    const report = buildStatusReport(
      snapshot({
        data: { ...healthyData, 'pod-identity': setting },
        serviceAccounts: accounts.slice(0, 2),
        podIdentityBinding,
      }),
    );
    expect(report.problems.map((p) => p.code)).toEqual(codes);
  });

  test('require-role says how many ServiceAccounts will be refused', () => {
    const report = buildStatusReport(
      snapshot({
        data: { ...healthyData, 'pod-identity': `enable: true\noidc-provider-arn: ${OIDC}\nrequire-role: true` },
        serviceAccounts: accounts.slice(0, 2).concat([serviceAccount('default', 'default')]),
        podIdentityBinding: binding,
      }),
    );
    expect(report.notes).toContain(
      "1 ServiceAccount(s) name no role: with require-role, pulls of their pods are refused (static pods still pull with the node's identity).",
    );
  });
});
