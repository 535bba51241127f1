// `npm run bench`, second part: the Secret sync at scale on the fake
// apiserver — 2,000 namespaces × 3 ServiceAccounts, 2 registry entries — and
// its admission webhook under 50 requests a second over TLS. Prints a
// markdown table for the README.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { loadFakeAlicloud, loadFakeApiserver, repoRoot as root } from './fake-cloud.mjs';

const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? 2000);
const ACCOUNTS = ['default', 'builder', 'deployer'];
const WORKER = 'role/KubernetesWorkerRole';
const RATE = 50;
const WEBHOOK_SECONDS = 10;
const RESYNC_SECONDS = 5;

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
async function until(check, timeoutMs, what) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`bench: ${what} not within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

function startSync(args, env) {
  const child = spawn(join(root, 'dist', 'kubectl-acr'), ['sync', ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
  return { child, output: () => output };
}

/** Peak resident set of a process, from the kernel's high-water mark. */
function peakRssMb(pid) {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function get(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d) => (text += d));
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
}

async function metric(port, name) {
  const text = await get(`http://127.0.0.1:${port}/metrics`);
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'acr-sync-bench-'));
  const startFakeAlicloud = await loadFakeAlicloud(work);
  const startFakeApiserver = await loadFakeApiserver(work);
  const cloud = await startFakeAlicloud({ region: 'cn-hangzhou' });
  const api = await startFakeApiserver({ historyLimit: 50_000 });
  let sync;
  try {
    cloud.addInstance({
      instanceId: 'cri-acme',
      instanceName: 'acme',
      region: 'cn-hangzhou',
      domains: [{ domain: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' }],
      allowedPrincipals: [WORKER],
    });
    cloud.allowPersonal('cn-hangzhou', [WORKER]);
    const names = Array.from({ length: NAMESPACES }, (_, i) => `team-${String(i).padStart(4, '0')}`);
    api.seed([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'acr-configuration', namespace: 'kube-system' },
        data: {
          'watch-namespace': names.join(','),
          'service-account': '*',
          'acr-registry-info':
            '- instanceId: cri-acme\n  regionId: cn-hangzhou\n- instanceId: ""\n  regionId: cn-hangzhou\n',
          'webhook-configuration': 'enable: true\nfailure-policy: Fail\ntimeout-seconds: 10\n',
        },
      },
      ...names.flatMap((ns) => [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        ...ACCOUNTS.map((name) => ({
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name, namespace: ns },
          imagePullSecrets: [{ name: 'mine' }],
        })),
      ]),
    ]);
    const kubeconfig = join(work, 'kubeconfig');
    api.writeKubeconfig(kubeconfig);
    const served = (ns) =>
      ACCOUNTS.every((name) => (api.get('serviceaccounts', ns, name)?.imagePullSecrets ?? []).length === 3);
    const writes = () => api.requests.filter((r) => r.method !== 'GET' && r.resource !== 'leases').length;

    const started = Date.now();
    sync = startSync(
      [
        '--kubeconfig',
        kubeconfig,
        '--cache-dir',
        join(work, 'cache'),
        '--metrics-address',
        '127.0.0.1:0',
        '--webhook-address',
        '127.0.0.1:0',
        '--resync-period',
        `${RESYNC_SECONDS}s`,
      ],
      {
        ACR_PROVIDER_METADATA_ENDPOINT: cloud.url,
        ACR_PROVIDER_CR_ENDPOINT: cloud.url,
        ACR_PROVIDER_STS_ENDPOINT: cloud.url,
      },
    );
    await until(() => /serving \/metrics.* on port (\d+)/.test(sync.output()), 30_000, 'metrics');
    const metricsPort = Number(/serving \/metrics.* on port (\d+)/.exec(sync.output())[1]);
    await until(() => /admission webhook on port (\d+)/.test(sync.output()), 30_000, 'webhook');
    const webhookPort = Number(/admission webhook on port (\d+)/.exec(sync.output())[1]);
    const firstPassMs = await until(() => names.every(served), 600_000, 'the first pass');
    const firstPassWall = Date.now() - started;
    await sleep(500);
    const firstWrites = writes();
    const tokenCalls = cloud.count('GetAuthorizationToken') + cloud.count('GetPersonalToken');

    // A resync with nothing changed.
    const passesBefore = await metric(metricsPort, 'acr_sync_passes_total');
    const writesBefore = writes();
    const resyncStarted = Date.now();
    while ((await metric(metricsPort, 'acr_sync_passes_total')) === passesBefore) {
      if (Date.now() - resyncStarted > 60_000) throw new Error('bench: no resync pass within 60 s');
      await sleep(200);
    }
    await sleep(500);
    const resyncWrites = writes() - writesBefore;

    // A namespace's creation to its Secret, one at a time.
    const latencies = [];
    for (let i = 0; i < 20; i++) {
      const ns = `late-${i}`;
      const data = api.get('configmaps', 'kube-system', 'acr-configuration').data;
      api.seed({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'acr-configuration', namespace: 'kube-system' },
        data: { ...data, 'watch-namespace': `${data['watch-namespace']},${ns}` },
      });
      await sleep(200);
      api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      latencies.push(await until(() => api.list('secrets', ns).length === 2, 30_000, `secrets in ${ns}`));
    }

    // The webhook: 50 requests a second over TLS for 10 s.
    const tls = api.get('secrets', 'kube-system', 'kubectl-acr-sync-webhook-tls');
    const ca = Buffer.from(tls.data['ca.crt'], 'base64').toString();
    const agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
    const review = (i) =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: {
            uid: `u${i}`,
            kind: { group: '', version: 'v1', kind: 'ServiceAccount' },
            operation: 'CREATE',
            namespace: names[i % names.length],
            object: { metadata: { name: `robot-${i}` } },
          },
        });
        const sent = process.hrtime.bigint();
        const req = https.request(
          {
            host: '127.0.0.1',
            port: webhookPort,
            path: '/mutate/serviceaccounts',
            method: 'POST',
            ca,
            agent,
            servername: 'kubectl-acr-sync.kube-system.svc',
            headers: { 'Content-Type': 'application/json' },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (d) => (text += d));
            res.on('end', () => {
              const answer = JSON.parse(text);
              if (!answer.response?.patch) reject(new Error('bench: the webhook did not patch'));
              resolve(Number(process.hrtime.bigint() - sent) / 1e6);
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const pending = [];
    const webhookStart = Date.now();
    for (let i = 0; i < RATE * WEBHOOK_SECONDS; i++) {
      const due = webhookStart + (i * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      pending.push(review(i));
    }
    const admission = await Promise.all(pending);
    agent.destroy();
    const rss = peakRssMb(sync.child.pid);

    const f = (ms) => `${ms.toFixed(1)} ms`;
    console.log(
      [
        `| Secret sync (${NAMESPACES} namespaces × ${ACCOUNTS.length} ServiceAccounts, 2 registry entries, fake apiserver) | figure |`,
        '|---|---|',
        `| first full pass: wall time from start | ${(firstPassWall / 1000).toFixed(1)} s (served ${(firstPassMs / 1000).toFixed(1)} s after the probes came up) |`,
        `| first full pass: API writes | ${firstWrites} (Secrets ${2 * NAMESPACES} + ServiceAccounts ${ACCOUNTS.length * NAMESPACES} = ${(2 + ACCOUNTS.length) * NAMESPACES}, plus the webhook's Secret and registration) |`,
        `| resync with nothing changed: API writes | ${resyncWrites} |`,
        `| token fetches (GetAuthorizationToken + GetPersonalToken) | ${tokenCalls} |`,
        `| namespace created → its Secrets, median / max of 20 | ${f(percentile(latencies, 50))} / ${f(Math.max(...latencies))} |`,
        `| controller peak RSS | ${rss.toFixed(0)} MB |`,
        `| webhook over TLS, ${RATE} requests/s for ${WEBHOOK_SECONDS} s: p50 / p99 | ${f(percentile(admission, 50))} / ${f(percentile(admission, 99))} |`,
      ].join('\n'),
    );
  } finally {
    sync?.child.kill('SIGTERM');
    await cloud.close();
    await api.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
