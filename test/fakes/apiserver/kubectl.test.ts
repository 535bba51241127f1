import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runProcess, type RunResult } from '../../support/binaries.js';
import { startFakeApiserver, type FakeApiserver } from './index.js';

const kubectlBinary = process.env.KUBECTL ?? 'kubectl';

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('fake apiserver driven by the real kubectl', () => {
  let api: FakeApiserver;
  let dir: string;
  let kubeconfig: string;

  /** kubectl with nothing from the developer's environment: its own HOME, cache and kubeconfig. */
  const kubectl = (...args: string[]): Promise<RunResult> =>
    runProcess(kubectlBinary, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], {
      env: { HOME: dir },
    });

  const manifest = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fake-apiserver-kubectl-'));
    kubeconfig = join(dir, 'kubeconfig');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    api = await startFakeApiserver();
    api.writeKubeconfig(kubeconfig, { namespace: 'team-a', user: 'carol' });
  });
  afterEach(() => api.close());

  it('get --raw /version reports a 1.32 server', async () => {
    const result = await kubectl('get', '--raw', '/version');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.4' });
  });

  it('create token answers a TokenRequest signed by the issuer, for the audience and ServiceAccount asked', async () => {
    api.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'team-a' } },
    ]);
    const result = await kubectl('create', 'token', 'builder', '--audience', 'sts.aliyuncs.com', '--duration', '15m');
    expect(result.code).toBe(0);
    const claims = JSON.parse(Buffer.from(result.stdout.trim().split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({
      aud: ['sts.aliyuncs.com'],
      iss: api.serviceAccountIssuer.issuer,
      sub: 'system:serviceaccount:team-a:builder',
      'kubernetes.io': {
        serviceaccount: { name: 'builder', uid: api.get('serviceaccounts', 'team-a', 'builder').metadata.uid },
      },
    });
    expect(claims.exp - claims.iat).toBe(900);
    const missing = await kubectl('create', 'token', 'nobody');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('serviceaccounts "nobody" not found');
  });

  it('discovery lists every served resource with its short names', async () => {
    const result = await kubectl('api-resources', '--no-headers');
    expect(result.code).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).join(' '));
    expect(rows).toEqual(
      expect.arrayContaining([
        'configmaps cm v1 true ConfigMap',
        'serviceaccounts sa v1 true ServiceAccount',
        'secrets v1 true Secret',
        'daemonsets ds apps/v1 true DaemonSet',
        'deployments deploy apps/v1 true Deployment',
        'leases coordination.k8s.io/v1 true Lease',
        'mutatingwebhookconfigurations admissionregistration.k8s.io/v1 false MutatingWebhookConfiguration',
      ]),
    );
  });

  it('the kubeconfig is private and carries the context, namespace and user asked for', async () => {
    const file = join(dir, 'other-kubeconfig');
    api.writeKubeconfig(file, { context: 'ctx-b', namespace: 'kube-system', user: 'dave' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const view = await kubectl(
      '--kubeconfig',
      file,
      'config',
      'view',
      '-o',
      'jsonpath={.current-context} {.contexts[0].context.namespace} {.contexts[0].context.user}',
    );
    expect(view.stdout).toBe('ctx-b kube-system dave');
    expect((await kubectl('--kubeconfig', file, 'get', 'cm')).code).toBe(0);
    expect(api.requests.at(-1)).toMatchObject({ verb: 'list', namespace: 'kube-system', user: 'dave' });
  });

  it('gets ConfigMaps by short name, with label selectors, in another namespace', async () => {
    api.seed([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'acr-configuration', namespace: 'kube-system', labels: { app: 'acr' } },
        data: { 'watch-namespace': 'all' },
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'kube-system' } },
    ]);
    const table = await kubectl('get', 'cm', '-n', 'kube-system');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+DATA\s+AGE\nacr-configuration\s+1\s+\d+s\nother\s+0\s+\d+s\n$/);
    const selected = await kubectl('get', 'configmaps', '-n', 'kube-system', '-l', 'app in (acr,x)', '-o', 'name');
    expect(selected.stdout).toBe('configmap/acr-configuration\n');
    const json = await kubectl('get', 'cm', 'acr-configuration', '-n', 'kube-system', '-o', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'ConfigMap', data: { 'watch-namespace': 'all' } });
  });

  it('imperative creates (sent as protobuf) store what kubectl was told', async () => {
    expect(await kubectl('create', 'namespace', 'team-a')).toMatchObject({
      code: 0,
      stdout: 'namespace/team-a created\n',
    });
    expect((await kubectl('create', 'serviceaccount', 'sync', '-n', 'team-a')).code).toBe(0);
    expect(
      (
        await kubectl(
          'create',
          'configmap',
          'acr-configuration',
          '--from-literal=service-account=*',
          '--from-literal=empty=',
        )
      ).code,
    ).toBe(0);
    const docker = await kubectl(
      'create',
      'secret',
      'docker-registry',
      'acr-pull',
      '--docker-server=registry.example',
      '--docker-username=u',
      '--docker-password=p',
    );
    expect(docker.code).toBe(0);
    expect(api.get('namespaces', undefined, 'team-a').status).toEqual({ phase: 'Active' });
    expect(api.get('serviceaccounts', 'team-a', 'sync').metadata).toMatchObject({ name: 'sync', namespace: 'team-a' });
    expect(api.get('configmaps', 'team-a', 'acr-configuration').data).toEqual({ 'service-account': '*', empty: '' });
    const secret = api.get('secrets', 'team-a', 'acr-pull');
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    expect(JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString())).toEqual({
      auths: { 'registry.example': { username: 'u', password: 'p', auth: Buffer.from('u:p').toString('base64') } },
    });
    const unsupported = await kubectl('create', 'deployment', 'web', '--image=nginx');
    expect(unsupported.code).toBe(1);
    expect(unsupported.stderr).toContain(
      'decodes protobuf only for ConfigMap, Secret, Namespace, ServiceAccount, TokenRequest, SelfSubjectAccessReview, not Deployment',
    );
  });

  it('create -f makes every object of a manifest in the context namespace; a second create reports AlreadyExists', async () => {
    const file = manifest(
      'create.yaml',
      `apiVersion: v1
kind: Namespace
metadata:
  name: team-a
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: builder
imagePullSecrets:
- name: theirs
---
apiVersion: v1
kind: Secret
metadata:
  name: pull
stringData:
  password: hunter2
`,
    );
    const created = await kubectl('create', '-f', file);
    expect(created).toMatchObject({
      code: 0,
      stdout: 'namespace/team-a created\nserviceaccount/builder created\nsecret/pull created\n',
    });
    expect(api.get('secrets', 'team-a', 'pull').data).toEqual({ password: Buffer.from('hunter2').toString('base64') });
    const again = await kubectl('create', '-f', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error from server (AlreadyExists): error when creating');
    expect(again.stderr).toContain('namespaces "team-a" already exists');
  });

  it('patch: strategic merge keeps existing imagePullSecrets; merge and json patches edit ConfigMap data', async () => {
    api.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'deployer', namespace: 'team-a' },
        imagePullSecrets: [{ name: 'theirs' }],
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'team-a' }, data: { a: '1', b: '2' } },
    ]);
    const smp = await kubectl('patch', 'sa', 'deployer', '-p', '{"imagePullSecrets":[{"name":"acr-pull"}]}');
    expect(smp).toMatchObject({ code: 0, stdout: 'serviceaccount/deployer patched\n' });
    expect(api.get('serviceaccounts', 'team-a', 'deployer').imagePullSecrets).toEqual([
      { name: 'theirs' },
      { name: 'acr-pull' },
    ]);
    expect((await kubectl('patch', 'cm', 'cfg', '--type=merge', '-p', '{"data":{"a":null,"c":"3"}}')).code).toBe(0);
    expect(
      (await kubectl('patch', 'cm', 'cfg', '--type=json', '-p', '[{"op":"replace","path":"/data/b","value":"two"}]'))
        .code,
    ).toBe(0);
    expect(api.get('configmaps', 'team-a', 'cfg').data).toEqual({ b: 'two', c: '3' });
    const noop = await kubectl('patch', 'cm', 'cfg', '--type=merge', '-p', '{"data":{"c":"3"}}');
    expect(noop.stdout).toBe('configmap/cfg patched (no change)\n');
  });

  it('replace with a stale resourceVersion fails with the Conflict message', async () => {
    api.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'racy', namespace: 'team-a' }, data: { v: '1' } },
    ]);
    const fetched = JSON.parse((await kubectl('get', 'cm', 'racy', '-o', 'json')).stdout);
    const file = manifest('racy.json', JSON.stringify({ ...fetched, data: { v: 'mine' } }));
    api.seed({ ...api.get('cm', 'team-a', 'racy'), data: { v: 'theirs' } });
    const stale = await kubectl('replace', '-f', file);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(
      'the object has been modified; please apply your changes to the latest version and try again',
    );
    const fresh = manifest('fresh.json', JSON.stringify({ ...api.get('cm', 'team-a', 'racy'), data: { v: 'mine' } }));
    expect(await kubectl('replace', '-f', fresh)).toMatchObject({ code: 0, stdout: 'configmap/racy replaced\n' });
    expect(api.get('cm', 'team-a', 'racy').data).toEqual({ v: 'mine' });
  });

  it('apply creates, then updates a Deployment with a strategic merge patch', async () => {
    api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: sync
spec:
  selector: {matchLabels: {app: sync}}
  template:
    metadata: {labels: {app: sync}}
    spec:
      containers:
      - name: sync
        image: ${image}
`;
    expect(await kubectl('apply', '-f', manifest('deploy.yaml', deployment('sync:1')))).toMatchObject({
      code: 0,
      stdout: 'deployment.apps/sync created\n',
    });
    expect(await kubectl('apply', '-f', manifest('deploy.yaml', deployment('sync:2')))).toMatchObject({
      code: 0,
      stdout: 'deployment.apps/sync configured\n',
    });
    const stored = api.get('deploy', 'team-a', 'sync');
    expect(stored.spec.template.spec.containers).toEqual([{ name: 'sync', image: 'sync:2' }]);
    expect(stored.metadata.generation).toBe(2);
    expect(api.requests.filter((r) => r.resource === 'deployments' && r.verb === 'patch').map((r) => r.status)).toEqual(
      [200],
    );
  });

  it('apply --server-side creates and then updates', async () => {
    api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    const config = (value: string) =>
      manifest('ssa.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  key: "${value}"\n`);
    expect(await kubectl('apply', '--server-side', '-f', config('1'))).toMatchObject({
      code: 0,
      stdout: 'configmap/ssa serverside-applied\n',
    });
    expect(await kubectl('apply', '--server-side', '-f', config('2'))).toMatchObject({
      code: 0,
      stdout: 'configmap/ssa serverside-applied\n',
    });
    expect(api.get('configmaps', 'team-a', 'ssa').data).toEqual({ key: '2' });
  });

  it('rollout status reads the defaulted strategy and the seeded status of a DaemonSet', async () => {
    const spec = {
      selector: { matchLabels: { app: 'i' } },
      template: { metadata: { labels: { app: 'i' } }, spec: { containers: [{ name: 'i', image: 'i' }] } },
    };
    api.seed({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'installer', namespace: 'kube-system' },
      spec,
    });
    api.seed({
      ...api.get('ds', 'kube-system', 'installer'),
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 2,
        currentNumberScheduled: 2,
        updatedNumberScheduled: 2,
        numberAvailable: 2,
        numberReady: 2,
      },
    });
    const status = await kubectl('rollout', 'status', 'ds/installer', '-n', 'kube-system', '--timeout=10s');
    expect(status).toMatchObject({ code: 0, stdout: 'daemon set "installer" successfully rolled out\n' });
  });

  it('wait follows a watch until the condition holds', async () => {
    api.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'flag', namespace: 'kube-system' },
      data: { ready: 'no' },
    });
    const waiting = kubectl(
      'wait',
      '--for=jsonpath={.data.ready}=yes',
      'cm/flag',
      '-n',
      'kube-system',
      '--timeout=20s',
    );
    await until(() => api.requests.some((r) => r.verb === 'watch' && r.resource === 'configmaps' && r.status === 200));
    api.seed({ ...api.get('cm', 'kube-system', 'flag'), data: { ready: 'yes' } });
    expect(await waiting).toMatchObject({ code: 0, stdout: 'configmap/flag condition met\n' });
  });

  it('describe shows the events recorded for an object', async () => {
    api.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'acr-configuration', namespace: 'kube-system' },
      data: { a: 'b' },
    });
    const uid = api.get('cm', 'kube-system', 'acr-configuration').metadata.uid;
    api.seed({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'acr-configuration.1', namespace: 'kube-system' },
      involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', name: 'acr-configuration', namespace: 'kube-system', uid },
      reason: 'InvalidConfiguration',
      message: 'line 3: domains must be a comma list',
      type: 'Warning',
      source: { component: 'acr-sync' },
    });
    const described = await kubectl('describe', 'cm', 'acr-configuration', '-n', 'kube-system');
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(
      /Events:\n.*\n.*\n\s+Warning\s+InvalidConfiguration\s+\S+\s+acr-sync\s+line 3: domains must be a comma list\n/,
    );
  });

  it('delete removes the object; deleting it again is NotFound', async () => {
    api.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gone', namespace: 'team-a' } },
    ]);
    expect(await kubectl('delete', 'cm', 'gone')).toMatchObject({ code: 0, stdout: 'configmap "gone" deleted\n' });
    expect(api.get('configmaps', 'team-a', 'gone')).toBeUndefined();
    const again = await kubectl('delete', 'cm', 'gone');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('Error from server (NotFound): configmaps "gone" not found\n');
  });

  it('a deny rule makes kubectl fail with Forbidden', async () => {
    api.deny({ verb: 'list', resource: 'configmaps', namespace: 'kube-system', user: 'carol' });
    const refused = await kubectl('get', 'cm', '-n', 'kube-system');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'Error from server (Forbidden): configmaps is forbidden: User "carol" cannot list resource "configmaps" in API group "" in the namespace "kube-system"',
    );
    expect((await kubectl('get', 'sa', '-n', 'kube-system')).code).toBe(0);
    expect(api.requests.filter((r) => r.status === 403).map((r) => [r.verb, r.resource, r.namespace, r.user])).toEqual([
      ['list', 'configmaps', 'kube-system', 'carol'],
    ]);
    expect(await kubectl('auth', 'can-i', 'list', 'configmaps', '-n', 'kube-system')).toMatchObject({
      code: 1,
      stdout: 'no\n',
    });
    expect(await kubectl('auth', 'can-i', 'list', 'configmaps', '-n', 'default')).toMatchObject({
      code: 0,
      stdout: 'yes\n',
    });
  });
});
