// `kubectl acr sync` as a controller, through the built executable: served
// within seconds through its informers, the last valid configuration kept,
// probes and metrics, one writer among two replicas, and a pass killed
// halfway that converges on restart.
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from '../../fakes/alicloud/index.js';
import { startBinary, type RunningProcess } from '../../support/binaries.js';
import { configMap, startHarness, type PluginHarness } from '../plugin-harness.js';

const WORKER = 'role/KubernetesWorkerRole';
const REGISTRY_INFO = '- instanceId: "cri-acme"\n  regionId: "cn-hangzhou"\n';

let h: PluginHarness;
let cloud: FakeAlicloud;
let cacheDir: string;
let env: Record<string, string>;
const running: RunningProcess[] = [];

beforeEach(async () => {
  h = await startHarness();
  cloud = await startFakeAlicloud({ region: 'cn-hangzhou' });
  cloud.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [{ domain: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' }],
    allowedPrincipals: [WORKER],
  });
  cacheDir = mkdtempSync(join(tmpdir(), 'acr-sync-cache-'));
  env = {
    ACR_PROVIDER_METADATA_ENDPOINT: cloud.url,
    ACR_PROVIDER_CR_ENDPOINT: cloud.url,
    ACR_PROVIDER_STS_ENDPOINT: cloud.url,
  };
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')));
  await cloud.close();
  await h.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

function start(args: string[] = [], kubeconfig = h.kubeconfig): RunningProcess {
  const process = startBinary('kubectl-acr', ['sync', '--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
    env,
  });
  running.push(process);
  return process;
}

const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const serviceAccount = (ns: string, name = 'default', refs: string[] = []) => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace: ns },
  imagePullSecrets: refs.map((ref) => ({ name: ref })),
});
const refs = (ns: string, name = 'default') =>
  ((h.api.get('sa', ns, name) as { imagePullSecrets?: { name: string }[] } | undefined)?.imagePullSecrets ?? []).map(
    (ref) => ref.name,
  );

/** Waits for `check`; the bound only stops a broken run, it is no speed target. */
async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('a new namespace is served without waiting for a resync; a broken edit keeps the last valid configuration', async () => {
  h.api.seed([
    configMap({ 'watch-namespace': 'all', 'acr-registry-info': REGISTRY_INFO }),
    namespace('team-a'),
    serviceAccount('team-a', 'default', ['mine']),
  ]);
  const sync = start();
  await sync.waitFor(/ServiceAccount team-a\/default: added acr-credential-/);
  expect(refs('team-a')).toHaveLength(2);
  expect(refs('team-a')[0]).toBe('mine');

  h.api.seed([namespace('team-new'), serviceAccount('team-new')]);
  // Served through the informers, with no resync due (its latency is a figure of `npm run bench`).
  await eventually(() => refs('team-new').length === 1);

  h.api.seed(configMap({ 'watch-namespace': 'all', 'acr-registry-info': '- instanceId: "cri-acme"\n regionId: x\n' }));
  await sync.waitFor(/is invalid: the last valid configuration stays in force/);
  h.api.seed([namespace('team-later'), serviceAccount('team-later')]);
  await eventually(() => refs('team-later').length === 1);
  // Reported once for this version of the ConfigMap, however many passes ran.
  expect(sync.stderr().match(/stays in force/g)).toHaveLength(1);
  expect(cloud.count('GetAuthorizationToken')).toBe(1);
  expect(await sync.stop()).toBe(0);
  const password = cloud.issuedTokens()[0]!.password;
  expect(sync.stdout() + sync.stderr()).not.toContain(password);
});

test('metrics and probes: /readyz once listed, tokens fetched and writes counted, leader 1', async () => {
  h.api.seed([
    configMap({ 'watch-namespace': 'team-a', 'acr-registry-info': REGISTRY_INFO }),
    namespace('team-a'),
    serviceAccount('team-a'),
  ]);
  const sync = start(['--metrics-address', '127.0.0.1:0']);
  const [, port] = await sync.waitFor(/serving \/metrics, \/healthz and \/readyz on port (\d+)/);
  await sync.waitFor(/ServiceAccount team-a\/default: added/);
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, text: await response.text() };
  };
  expect((await get('/healthz')).status).toBe(200);
  expect((await get('/readyz')).status).toBe(200);
  const metrics = (await get('/metrics')).text;
  expect(metrics).toMatch(/^acr_sync_tokens_fetched_total\{entry="cri-acme \(cn-hangzhou\)"\} 1$/m);
  expect(metrics).toMatch(/^acr_sync_secret_writes_total\{action="created"\} 1$/m);
  expect(metrics).toMatch(/^acr_sync_service_account_writes_total 1$/m);
  expect(metrics).toMatch(/^acr_sync_leader 1$/m);
  expect(metrics).toMatch(/^acr_sync_token_expiry_seconds\{entry="instance cri-acme in cn-hangzhou"\} \d+$/m);
  expect((await get('/nothing')).status).toBe(404);
});

test('two replicas: only the leader writes; when it stops the other takes over', async () => {
  h.api.seed([
    configMap({ 'watch-namespace': 'all', 'acr-registry-info': REGISTRY_INFO }),
    namespace('team-a'),
    serviceAccount('team-a'),
  ]);
  const second = join(h.dir, 'kubeconfig-b');
  h.api.writeKubeconfig(second, { user: 'replica-b' });
  const a = start(['--leader-elect', '--identity', 'replica-a']);
  await a.waitFor(/leading as replica-a/);
  const b = start(['--leader-elect', '--identity', 'replica-b'], second);
  await b.waitFor(/watching namespaces/);
  await eventually(() => refs('team-a').length === 1);
  h.api.seed([namespace('team-b'), serviceAccount('team-b')]);
  await eventually(() => refs('team-b').length === 1);
  const writesBy = (user: string) =>
    h.api.requests.filter((r) => r.user === user && r.method !== 'GET' && r.resource !== 'leases');
  expect(writesBy('replica-b')).toEqual([]);
  expect(b.stdout()).not.toMatch(/leading as/);

  expect(await a.stop()).toBe(0);
  await b.waitFor(/leading as replica-b/, 10_000);
  h.api.seed([namespace('team-c'), serviceAccount('team-c')]);
  await eventually(() => refs('team-c').length === 1);
  expect(writesBy('replica-b').length).toBeGreaterThan(0);
});

test('a pass killed halfway converges on restart: no duplicate references, no orphan Secrets', async () => {
  const names = Array.from({ length: 40 }, (_, i) => `ns-${String(i).padStart(2, '0')}`);
  h.api.seed([
    configMap({ 'watch-namespace': 'all', 'acr-registry-info': REGISTRY_INFO }),
    ...names.flatMap((ns) => [namespace(ns), serviceAccount(ns, 'default', ['mine'])]),
  ]);
  const first = start();
  await first.waitFor(/created Secret ns-08\//);
  await first.stop('SIGKILL');
  const second = start();
  await eventually(() => names.every((ns) => refs(ns).length === 2), 20_000);
  await second.stop();
  for (const ns of names) {
    expect(refs(ns)[0]).toBe('mine');
    expect(h.api.list('secrets', ns)).toHaveLength(1);
  }
});

test('a namespace deleted while the pass writes to it is skipped, the others are served', async () => {
  h.api.seed([
    configMap({ 'watch-namespace': 'all', 'acr-registry-info': REGISTRY_INFO }),
    namespace('doomed'),
    serviceAccount('doomed'),
    namespace('team-z'),
    serviceAccount('team-z'),
  ]);
  h.api.beforeNext({ verb: 'create', resource: 'secrets', namespace: 'doomed' }, () =>
    h.api.delete('namespaces', undefined, 'doomed'),
  );
  const sync = start();
  await eventually(() => refs('team-z').length === 1);
  await sync.stop();
  expect(sync.stderr()).not.toMatch(/failed/);
  expect(h.api.get('namespaces', undefined, 'doomed')).toBeUndefined();
});

test('the webhook: registered with its CA, patches over TLS as configured, removed when disabled', async () => {
  const webhookOn = 'enable: true\nfailure-policy: Ignore\ntimeout-seconds: 2\n';
  h.api.seed([
    configMap({ 'watch-namespace': 'team-a', 'acr-registry-info': REGISTRY_INFO, 'webhook-configuration': webhookOn }),
    namespace('team-a'),
  ]);
  const sync = start(['--webhook-address', '127.0.0.1:0']);
  const [, port] = await sync.waitFor(/serving the admission webhook on port (\d+)/);
  await sync.waitFor(/webhook kubectl-acr-sync registered \(failure policy Ignore, timeout 2s\)/);
  const tlsSecret = h.api.get('secrets', 'kube-system', 'kubectl-acr-sync-webhook-tls') as {
    data: Record<string, string>;
  };
  const registered = h.api.get('mutatingwebhookconfigurations', undefined, 'kubectl-acr-sync') as {
    webhooks: { clientConfig: { caBundle: string } }[];
  };
  expect(registered.webhooks.map((w) => w.clientConfig.caBundle)).toEqual([
    tlsSecret.data['ca.crt'],
    tlsSecret.data['ca.crt'],
  ]);
  const ca = Buffer.from(tlsSecret.data['ca.crt']!, 'base64').toString();

  const review = (request: object) =>
    new Promise<{ response: { patch?: string; allowed: boolean } }>((resolve, reject) => {
      const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request });
      const req = https.request(
        {
          host: '127.0.0.1',
          port: Number(port),
          path: '/mutate/pods',
          method: 'POST',
          ca,
          servername: 'kubectl-acr-sync.kube-system.svc',
          headers: { 'Content-Type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => resolve(JSON.parse(text)));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const patchOf = (answer: { response: { patch?: string } }) =>
    JSON.parse(Buffer.from(answer.response.patch ?? 'W10=', 'base64').toString());
  const secretName =
    (await eventually(() => h.api.list('secrets', 'team-a').length === 1),
    (h.api.list('secrets', 'team-a')[0] as { metadata: { name: string } }).metadata.name);

  const podAnswer = await review({
    uid: 'p1',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    operation: 'CREATE',
    namespace: 'team-a',
    object: { metadata: { name: 'app' }, spec: { imagePullSecrets: [{ name: 'mine' }] } },
  });
  expect(podAnswer.response.allowed).toBe(true);
  expect(patchOf(podAnswer)).toEqual([{ op: 'add', path: '/spec/imagePullSecrets/-', value: { name: secretName } }]);
  const saAnswer = await review({
    uid: 's1',
    kind: { group: '', version: 'v1', kind: 'ServiceAccount' },
    operation: 'CREATE',
    namespace: 'team-a',
    object: { metadata: { name: 'default' } },
  });
  expect(patchOf(saAnswer)).toEqual([{ op: 'add', path: '/imagePullSecrets', value: [{ name: secretName }] }]);

  h.api.seed(configMap({ 'watch-namespace': 'team-a', 'acr-registry-info': REGISTRY_INFO }));
  await sync.waitFor(/webhook kubectl-acr-sync removed/);
  expect(h.api.get('mutatingwebhookconfigurations', undefined, 'kubectl-acr-sync')).toBeUndefined();
});
