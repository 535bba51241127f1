import {
  ApiException,
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type KubeConfig,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeApiserver, type FakeApiserver } from './index.js';

/** The Status body and HTTP code of a call that must fail. */
async function failure(call: Promise<unknown>): Promise<{
  code: number;
  status: { kind: string; status: string; reason: string; message: string; code: number; details?: object };
}> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    return { code: error.code, status: body };
  }
  throw new Error('the call succeeded');
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

type WatchEvent = { type: string; object: any };

/** Collects watch events until `until` says stop or the server ends the stream. */
function collect(
  config: KubeConfig,
  path: string,
  query: Record<string, string>,
  until: (events: WatchEvent[]) => boolean,
): Promise<{ events: WatchEvent[]; abort: () => void; ready: Promise<AbortController> }> {
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    let controller: AbortController | undefined;
    const ready = new Watch(config).watch(
      path,
      query,
      (type, object) => {
        events.push({ type, object });
        if (until(events)) {
          controller?.abort();
          resolve({ events, abort: () => controller?.abort(), ready });
        }
      },
      (error: Error | undefined) =>
        error && error.name !== 'AbortError' ? reject(error) : resolve({ events, abort: () => {}, ready }),
    );
    ready.then((c) => (controller = c), reject);
  });
}

describe('fake apiserver through @kubernetes/client-node', () => {
  let api: FakeApiserver;
  let core: CoreV1Api;
  beforeEach(async () => {
    api = await startFakeApiserver({ historyLimit: 5 });
    core = api.kubeConfig({ user: 'alice' }).makeApiClient(CoreV1Api);
  });
  afterEach(() => api.close());

  it('creates, gets and lists ConfigMaps with label selectors', async () => {
    const make = (name: string, labels: Record<string, string>) =>
      core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name, labels }, data: { k: name } } });
    const created = await make('a', { app: 'x', tier: 'web' });
    await make('b', { app: 'x', tier: 'db' });
    await make('c', { app: 'y' });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);

    expect((await core.readNamespacedConfigMap({ name: 'b', namespace: 'default' })).data).toEqual({ k: 'b' });
    const names = async (labelSelector: string) =>
      (await core.listNamespacedConfigMap({ namespace: 'default', labelSelector })).items.map((i) => i.metadata?.name);
    expect(await names('app=x')).toEqual(['a', 'b']);
    expect(await names('app=x,tier!=web')).toEqual(['b']);
    expect(await names('tier in (web,db)')).toEqual(['a', 'b']);
    expect(await names('!tier')).toEqual(['c']);
    expect(await names('tier')).toEqual(['a', 'b']);
    const byField = await core.listNamespacedConfigMap({ namespace: 'default', fieldSelector: 'metadata.name=c' });
    expect(byField.items.map((i) => i.metadata?.name)).toEqual(['c']);
    expect(byField.metadata?.resourceVersion).toBe(
      created.metadata && String(Number(created.metadata.resourceVersion) + 2),
    );
    expect(api.list('cm', 'default').map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
  });

  it('reports AlreadyExists, NotFound and a missing namespace with real Status bodies', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' } } });
    const duplicate = await failure(
      core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' } } }),
    );
    expect(duplicate).toEqual({
      code: 409,
      status: expect.objectContaining({
        kind: 'Status',
        status: 'Failure',
        reason: 'AlreadyExists',
        code: 409,
        message: 'configmaps "a" already exists',
      }),
    });
    const missing = await failure(core.readNamespacedSecret({ name: 'nope', namespace: 'default' }));
    expect(missing.status).toMatchObject({
      reason: 'NotFound',
      code: 404,
      message: 'secrets "nope" not found',
      details: { name: 'nope', kind: 'secrets' },
    });
    expect((await failure(core.deleteNamespacedConfigMap({ name: 'nope', namespace: 'default' }))).code).toBe(404);
    const noNamespace = await failure(
      core.createNamespacedServiceAccount({ namespace: 'team-a', body: { metadata: { name: 'sa' } } }),
    );
    expect(noNamespace.status).toMatchObject({ code: 404, message: 'namespaces "team-a" not found' });
    await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    await core.createNamespacedServiceAccount({ namespace: 'team-a', body: { metadata: { name: 'sa' } } });
    expect(api.get('serviceaccounts', 'team-a', 'sa')?.metadata.namespace).toBe('team-a');
  });

  it('rejects invalid objects with 422 and one cause per field', async () => {
    const rejected = await failure(
      core.createNamespacedSecret({
        namespace: 'default',
        body: { metadata: { name: 'ACR_pull' }, data: { 'bad/key': 'eA==' } },
      }),
    );
    expect(rejected.code).toBe(422);
    expect(rejected.status).toMatchObject({
      reason: 'Invalid',
      details: { name: 'ACR_pull', kind: 'Secret', causes: [{ field: 'metadata.name' }, { field: 'data' }] },
    });
    expect(rejected.status.message).toMatch(
      /^Secret "ACR_pull" is invalid: \[metadata\.name: Invalid value: "ACR_pull": a lowercase RFC 1123 subdomain .*, data: Invalid value: "bad\/key": .*\]$/,
    );
    expect(api.list('secrets')).toEqual([]);
  });

  it('rejects an update carrying a stale resourceVersion with 409 Conflict', async () => {
    const first = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cfg' }, data: { v: '1' } },
    });
    const second = await core.replaceNamespacedConfigMap({
      name: 'cfg',
      namespace: 'default',
      body: { ...first, data: { v: '2' } },
    });
    expect(Number(second.metadata?.resourceVersion)).toBeGreaterThan(Number(first.metadata?.resourceVersion));
    const stale = await failure(
      core.replaceNamespacedConfigMap({ name: 'cfg', namespace: 'default', body: { ...first, data: { v: '3' } } }),
    );
    expect(stale.code).toBe(409);
    expect(stale.status).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect(api.get('configmaps', 'default', 'cfg').data).toEqual({ v: '2' });
  });

  it('beforeNext lets a test slip a concurrent change in before a write, which then meets 409', async () => {
    api.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'default' },
      imagePullSecrets: [{ name: 'theirs' }],
    });
    const read = await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    api.beforeNext({ verb: 'update', resource: 'sa', name: 'default' }, () => {
      const current = api.get('sa', 'default', 'default');
      api.seed({ ...current, imagePullSecrets: [...current.imagePullSecrets, { name: 'someone-else' }] });
    });
    const write = () =>
      core.replaceNamespacedServiceAccount({
        name: 'default',
        namespace: 'default',
        body: { ...read, imagePullSecrets: [...read.imagePullSecrets!, { name: 'acr' }] },
      });
    expect((await failure(write())).status.reason).toBe('Conflict');
    const reread = await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    await core.replaceNamespacedServiceAccount({
      name: 'default',
      namespace: 'default',
      body: { ...reread, imagePullSecrets: [...reread.imagePullSecrets!, { name: 'acr' }] },
    });
    expect(api.get('sa', 'default', 'default').imagePullSecrets).toEqual([
      { name: 'theirs' },
      { name: 'someone-else' },
      { name: 'acr' },
    ]);
  });

  it('generates names and turns Secret stringData into base64 data', async () => {
    const secret = await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { generateName: 'pull-' }, stringData: { token: 'abc' }, data: { other: 'eA==' } },
    });
    expect(secret.metadata?.name).toMatch(/^pull-[a-z0-9]{5}$/);
    expect(api.get('secrets', 'default', secret.metadata!.name!)).toMatchObject({
      type: 'Opaque',
      data: { token: 'YWJj', other: 'eA==' },
    });
    expect(api.get('secrets', 'default', secret.metadata!.name!).stringData).toBeUndefined();
  });

  it('strategic merge patch of imagePullSecrets keeps the ones already there', async () => {
    api.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'default' },
      imagePullSecrets: [{ name: 'theirs' }, { name: 'mine' }],
    });
    const options = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    await core.patchNamespacedServiceAccount(
      { name: 'default', namespace: 'default', body: { imagePullSecrets: [{ name: 'acr' }, { name: 'mine' }] } },
      options,
    );
    expect(api.get('sa', 'default', 'default').imagePullSecrets).toEqual([
      { name: 'theirs' },
      { name: 'mine' },
      { name: 'acr' },
    ]);
    await core.patchNamespacedServiceAccount(
      { name: 'default', namespace: 'default', body: { imagePullSecrets: [{ name: 'mine', $patch: 'delete' }] } },
      options,
    );
    expect(api.get('sa', 'default', 'default').imagePullSecrets).toEqual([{ name: 'theirs' }, { name: 'acr' }]);
  });

  it('merge patch of ConfigMap data adds, replaces and removes keys', async () => {
    api.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'acr-configuration', namespace: 'kube-system' },
      data: { a: '1', b: '2' },
    });
    const patched = await core.patchNamespacedConfigMap(
      { name: 'acr-configuration', namespace: 'kube-system', body: { data: { b: '3', c: '4', a: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.data).toEqual({ b: '3', c: '4' });
  });

  it('a JSON patch that fails its test operation changes nothing', async () => {
    api.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } });
    const options = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
    const rejected = await failure(
      core.patchNamespacedConfigMap(
        {
          name: 'c',
          namespace: 'default',
          body: [
            { op: 'test', path: '/data/a', value: '2' },
            { op: 'remove', path: '/data/a' },
          ],
        },
        options,
      ),
    );
    expect(rejected.code).toBe(422);
    await core.patchNamespacedConfigMap(
      {
        name: 'c',
        namespace: 'default',
        body: [
          { op: 'test', path: '/data/a', value: '1' },
          { op: 'add', path: '/data/b', value: 'x' },
        ],
      },
      options,
    );
    expect(api.get('configmaps', 'default', 'c').data).toEqual({ a: '1', b: 'x' });
  });

  it('a watch from a resourceVersion sees the later update', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'w' }, data: { v: '1' } },
    });
    const watching = collect(
      api.kubeConfig(),
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: created.metadata!.resourceVersion! },
      (events) => events.length >= 1,
    );
    await core.replaceNamespacedConfigMap({ name: 'w', namespace: 'default', body: { ...created, data: { v: '2' } } });
    const { events } = await watching;
    expect(events.map((e) => [e.type, e.object.metadata.name, e.object.data])).toEqual([['MODIFIED', 'w', { v: '2' }]]);
  });

  it('a watch without a resourceVersion starts with the current objects, filtered by label', async () => {
    api.seed([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'in', namespace: 'default', labels: { pick: 'yes' } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'out', namespace: 'default' } },
    ]);
    const watching = collect(
      api.kubeConfig(),
      '/api/v1/configmaps',
      { labelSelector: 'pick=yes' },
      (events) => events.length >= 2,
    );
    // Without a resourceVersion the watch starts from "now", so the deletes must come after the server took the watch.
    await until(() => api.requests.some((r) => r.verb === 'watch' && r.status === 200));
    await core.deleteNamespacedConfigMap({ name: 'out', namespace: 'default' });
    await core.deleteNamespacedConfigMap({ name: 'in', namespace: 'default' });
    const { events } = await watching;
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'in'],
      ['DELETED', 'in'],
    ]);
  });

  it('a watch from a resourceVersion older than the history gets 410 Expired', async () => {
    const first = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'old' } } });
    for (let i = 0; i < 6; i++)
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `n${i}` } } });
    const { events } = await collect(
      api.kubeConfig(),
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: first.metadata!.resourceVersion! },
      (e) => e.length >= 1,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    expect(events[0]!.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('deny rules answer 403 Forbidden for the matching user and verb only', async () => {
    api.deny({ verb: 'patch', resource: 'serviceaccounts', user: 'alice' });
    api.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } });
    const patch = (client: CoreV1Api) =>
      client.patchNamespacedServiceAccount(
        { name: 'default', namespace: 'default', body: { metadata: { labels: { a: 'b' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    const refused = await failure(patch(core));
    expect(refused.code).toBe(403);
    expect(refused.status).toMatchObject({
      reason: 'Forbidden',
      message:
        'serviceaccounts "default" is forbidden: User "alice" cannot patch resource "serviceaccounts" in API group "" in the namespace "default"',
    });
    await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    await patch(api.kubeConfig({ user: 'bob' }).makeApiClient(CoreV1Api));
    api.clearDenies();
    await patch(core);
    expect(api.requests.filter((r) => r.verb === 'patch').map((r) => [r.user, r.status])).toEqual([
      ['alice', 403],
      ['bob', 200],
      ['alice', 200],
    ]);
  });

  it('deny rules take short names and refuse verbs that never occur', async () => {
    api.deny({ resource: 'cm', namespace: 'kube-system' });
    expect((await failure(core.listNamespacedConfigMap({ namespace: 'kube-system' }))).status.message).toBe(
      'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "kube-system"',
    );
    await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(() => api.deny({ verb: 'read' })).toThrow('deny: unknown verb "read"');
    expect(() => api.deny({ resource: 'configmap-typo' })).toThrow('unknown resource "configmap-typo"');
  });

  it('answers SelfSubjectAccessReviews from the deny rules', async () => {
    api.deny({ verb: 'update', resource: 'secrets', namespace: 'kube-system', user: 'alice' });
    const authz = api.kubeConfig({ user: 'alice' }).makeApiClient(AuthorizationV1Api);
    const ask = async (namespace: string) =>
      (
        await authz.createSelfSubjectAccessReview({
          body: { spec: { resourceAttributes: { verb: 'update', resource: 'secrets', namespace } } },
        })
      ).status?.allowed;
    expect(await ask('kube-system')).toBe(false);
    expect(await ask('default')).toBe(true);
    expect(api.list('selfsubjectaccessreviews')).toEqual([]);
  });

  it('serves apps/v1 with status kept apart from spec updates', async () => {
    const apps = api.kubeConfig().makeApiClient(AppsV1Api);
    api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'acr-system' } });
    const ds = await apps.createNamespacedDaemonSet({
      namespace: 'acr-system',
      body: {
        metadata: { name: 'installer' },
        spec: {
          selector: { matchLabels: { a: 'b' } },
          template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
        },
      },
    });
    expect(ds.metadata?.generation).toBe(1);
    api.seed({ ...api.get('ds', 'acr-system', 'installer'), status: { numberReady: 2, desiredNumberScheduled: 2 } });
    const read = await apps.readNamespacedDaemonSet({ name: 'installer', namespace: 'acr-system' });
    expect(read.status?.numberReady).toBe(2);
    await apps.replaceNamespacedDaemonSet({
      name: 'installer',
      namespace: 'acr-system',
      body: { ...read, spec: { ...read.spec!, minReadySeconds: 5 }, status: { numberReady: 0 } as never },
    });
    expect(api.get('daemonsets', 'acr-system', 'installer')).toMatchObject({
      metadata: { generation: 2 },
      spec: { minReadySeconds: 5 },
      status: { numberReady: 2 },
    });
  });

  it('pages a list with limit and continue', async () => {
    for (const name of ['c', 'a', 'd', 'b', 'e'])
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name } } });
    const first = await core.listNamespacedConfigMap({ namespace: 'default', limit: 2 });
    expect(first.items.map((i) => i.metadata?.name)).toEqual(['a', 'b']);
    expect(first.metadata?.remainingItemCount).toBe(3);
    const second = await core.listNamespacedConfigMap({
      namespace: 'default',
      limit: 2,
      _continue: first.metadata!._continue!,
    });
    const third = await core.listNamespacedConfigMap({
      namespace: 'default',
      limit: 2,
      _continue: second.metadata!._continue!,
    });
    expect([...second.items, ...third.items].map((i) => i.metadata?.name)).toEqual(['c', 'd', 'e']);
    expect(third.metadata?._continue).toBeUndefined();
    expect(third.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });

  it('dryRun=All validates and answers without storing', async () => {
    const answer = await core.createNamespacedConfigMap({
      namespace: 'default',
      dryRun: 'All',
      body: { metadata: { name: 'dry' } },
    });
    expect(answer.metadata?.name).toBe('dry');
    expect(api.get('configmaps', 'default', 'dry')).toBeUndefined();
    const conflict = await failure(
      core.createNamespacedConfigMap({ namespace: 'nowhere', dryRun: 'All', body: { metadata: { name: 'dry' } } }),
    );
    expect(conflict.code).toBe(404);
  });

  it('an informer follows adds, updates and deletes of ServiceAccounts in every namespace', async () => {
    const config = api.kubeConfig();
    const informer = makeInformer(config, '/api/v1/serviceaccounts', () => core.listServiceAccountForAllNamespaces());
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.namespace}/${o.metadata?.name}`));
    informer.on('update', (o) =>
      seen.push(`update ${o.metadata?.name} ${o.imagePullSecrets?.map((s) => s.name).join(',')}`),
    );
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    api.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'before', namespace: 'kube-system' } });
    await informer.start();
    await until(() => api.requests.some((r) => r.verb === 'watch' && r.status === 200));
    await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'default' } } });
    await core.patchNamespacedServiceAccount(
      { name: 'default', namespace: 'default', body: { imagePullSecrets: [{ name: 'acr' }] } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await core.deleteNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    await until(() => seen.length >= 4);
    await informer.stop();
    expect(seen).toEqual(['add kube-system/before', 'add default/default', 'update default acr', 'delete default']);
  });

  it('a watch with timeoutSeconds and bookmarks ends with a BOOKMARK at the current resourceVersion', async () => {
    const latest = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'not-a-secret' } },
    });
    const { events } = await collect(
      api.kubeConfig(),
      '/api/v1/namespaces/default/secrets',
      { timeoutSeconds: '1', allowWatchBookmarks: 'true', resourceVersion: '1' },
      () => false,
    );
    expect(events).toEqual([
      {
        type: 'BOOKMARK',
        object: { kind: 'Secret', apiVersion: 'v1', metadata: { resourceVersion: latest.metadata?.resourceVersion } },
      },
    ]);
  });

  it('answers 401 for a token it never issued and records anonymous requests', async () => {
    const response = await fetch(`${api.url}/api/v1/namespaces`, { headers: { authorization: 'Bearer forged' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    await fetch(`${api.url}/api/v1/namespaces/default`);
    expect(api.requests.at(-1)).toMatchObject({
      verb: 'get',
      resource: 'namespaces',
      name: 'default',
      user: 'anonymous',
      status: 200,
    });
  });
});
