// `npm start`: the whole story on loopback, printed as a user would read it —
// the fake Alibaba Cloud and the fake cluster API, a real OCI registry and a
// real containerd: configure, status, node setup onto a temporary host root,
// a kubelet request answered by the provider, containerd pulling with it,
// `kubectl acr sync --once`, its Secret pulling too, and the cache hit.
// Passwords are never printed. `npm start -- --keep` leaves everything
// running for `kubectl acr …` by hand, until Ctrl-C.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  callCounts,
  describeCounts,
  loadFakeAlicloud,
  loadFakeApiserver,
  loadModule,
  repoRoot,
  run,
} from '../test/bench/fake-cloud.mjs';

const WORKER = 'role/KubernetesWorkerRole';
const keep = process.argv.includes('--keep');
const dist = (name) => join(repoRoot, 'dist', name);
const step = (title) => console.log(`\n=== ${title}`);
const indent = (text) => text.trimEnd().replace(/^/gm, '    ');

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'acr-playground-'));
  const stops = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const startFakeAlicloud = await loadFakeAlicloud(work);
    const startFakeApiserver = await loadFakeApiserver(work);
    const { startOciRegistry } = await loadModule(work, 'test/proof/oci-registry.ts');
    const { startContainerd } = await loadModule(work, 'test/proof/containerd.ts');
    const { makeHost } = await loadModule(work, 'test/node-setup/host-fixture.ts');
    const { kubeletImageMatches } = await loadModule(work, 'provider/registry/image-match.ts');
    const { askProvider, authFor, kubeletSetup, providerFor } = await loadModule(
      work,
      'test/proof/kubelet-emulation.ts',
    );

    step('Starting the parts (loopback only)');
    const cloud = await startFakeAlicloud({ region: 'cn-hangzhou' });
    stops.push(() => cloud.close());
    const api = await startFakeApiserver();
    stops.push(() => api.close());
    const registry = await startOciRegistry();
    stops.push(() => registry.close());
    const containerd = await startContainerd([registry.host]);
    stops.push(() => containerd.close());
    cloud.addInstance({
      instanceId: 'cri-demo',
      instanceName: 'demo',
      region: 'cn-hangzhou',
      domains: [
        { domain: 'demo-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' },
        { domain: registry.host, type: 'USER' },
      ],
      allowedPrincipals: [WORKER],
    });
    api.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } });
    const kubeconfig = join(work, 'kubeconfig');
    api.writeKubeconfig(kubeconfig);
    const env = {
      ACR_PROVIDER_METADATA_ENDPOINT: cloud.url,
      ACR_PROVIDER_CR_ENDPOINT: cloud.url,
      ACR_PROVIDER_STS_ENDPOINT: cloud.url,
    };
    console.log(
      indent(`fake Alibaba Cloud   ${cloud.url} (the node's RAM role: ${WORKER})
fake cluster API     ${api.url}
OCI registry         http://${registry.host} (docker-registry, htpasswd: only tokens the fake cloud issued)
containerd           CRI over a unix socket, pulling from ${registry.host} over plain HTTP`),
    );
    const kubectlAcr = async (...args) => {
      const result = await run(dist('kubectl-acr'), [...args, '--kubeconfig', kubeconfig], { env });
      console.log(`$ kubectl acr ${args.join(' ')}   (exit ${result.code})`);
      if (result.stdout.trim()) console.log(indent(result.stdout));
      if (result.stderr.trim()) console.log(indent(result.stderr));
      return result;
    };

    step('1. kubectl acr configure: the instance, with the registry as one of its domains');
    await kubectlAcr(
      'configure',
      '--instance-id',
      'cri-demo',
      '--region',
      'cn-hangzhou',
      '--domains',
      registry.host,
      '--watch-namespace',
      'default',
    );

    step('2. kubectl acr status');
    await kubectlAcr('status');

    step('3. acr-node-setup install onto a temporary host root');
    const host = makeHost({ layout: 'kubeadm-deb', glibc: '2.36' });
    stops.push(async () => host.cleanup());
    const configmap = join(host.work, 'configmap');
    mkdirSync(configmap);
    const data = api.get('configmaps', 'kube-system', 'acr-configuration').data;
    for (const [key, value] of Object.entries(data)) writeFileSync(join(configmap, key), value);
    const args = host.installArgs().map((arg) => (arg === host.providerBinary ? dist('acr-credential-provider') : arg));
    const installed = await run(dist('acr-node-setup'), ['install', ...args, '--configmap-dir', configmap]);
    console.log(indent(installed.stderr || installed.stdout));
    const setup = kubeletSetup(host);
    console.log(indent(`kubelet flags: ${setup.flags.trim()}\n${setup.configPath}:\n${host.read(setup.configPath)}`));

    step('4. The kubelet asks for credentials for an image');
    const image = `${registry.host}/team/app`;
    const provider = providerFor(setup, image);
    const ask = async () => {
      cloud.reset();
      const result = await askProvider(host, setup, provider, image, env);
      const response = JSON.parse(result.stdout);
      const [[key, login]] = authFor(response.auth, image);
      const shown = {
        ...response,
        auth: Object.fromEntries(
          Object.entries(response.auth).map(([k, a]) => [k, { ...a, password: `<${a.password.length} characters>` }]),
        ),
      };
      console.log(
        indent(
          `provider ${provider.name} (matchImages ${provider.matchImages.find((p) => kubeletImageMatches(p, image))}) → exit ${result.code} in ${result.ms.toFixed(0)} ms; cloud calls: ${describeCounts(callCounts(cloud))}\n${JSON.stringify(shown, null, 2)}\nauth entry used: ${key}`,
        ),
      );
      return login;
    };
    const login = await ask();

    step('5. containerd pulls the image with that answer (CRI PullImage, as the kubelet calls it)');
    // ACR accepts the token it issued; the registry here, the one login it is given.
    await registry.allow([login]);
    const digest = registry.push('team/app', '1.0', login);
    console.log(indent(`pushed ${image}:1.0 (manifest ${digest})`));
    const anonymous = await containerd.pull(`${image}:1.0`).then(
      () => 'pulled (unexpected)',
      (error) => `refused: ${error.message.replace(/.*: /, '')}`,
    );
    console.log(indent(`without credentials: ${anonymous}`));
    console.log(indent(`with the provider's answer: pulled, image ${await containerd.pull(`${image}:1.0`, login)}`));

    step('6. kubectl acr sync --once: the Secret-sync fallback');
    await kubectlAcr('sync', '--once', '--cache-dir', join(work, 'sync-cache'));
    const secret = api.list('secrets', 'default').find((s) => s.type === 'kubernetes.io/dockerconfigjson');
    const auths = JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString()).auths;
    const fromSecret = auths[registry.host];
    await registry.allow([fromSecret]);
    await containerd.remove(`${image}:1.0`);
    console.log(indent(`Secret default/${secret.metadata.name} holds auths for ${Object.keys(auths).join(', ')}`));
    console.log(
      indent(
        `containerd with the Secret's ${registry.host} entry: pulled, image ${await containerd.pull(`${image}:1.0`, { username: fromSecret.username, password: fromSecret.password })}`,
      ),
    );

    step('7. The next request: a cache hit, no cloud call');
    const again = await ask();
    await registry.allow([again]);
    await containerd.remove(`${image}:1.0`);
    console.log(
      indent(`containerd with the cached answer: pulled, image ${await containerd.pull(`${image}:1.0`, again)}`),
    );

    step('8. skopeo on the node reads the manifest through docker-credential-acr (credHelpers)');
    // Root on the node shares the provider's cache: same configuration, same token, no cloud call.
    const authFile = join(work, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ credHelpers: { [registry.host]: 'acr' } }));
    cloud.reset();
    const inspected = await run(
      'skopeo',
      ['inspect', '--authfile', authFile, '--tls-verify=false', `docker://${image}:1.0`],
      {
        env: {
          ...env,
          PATH: `${join(repoRoot, 'dist')}:${process.env.PATH}`,
          HOME: work,
          ACR_CREDENTIALS_CONFIG: join(host.root, 'etc/kubernetes/acr/acr-configuration.yaml'),
          ACR_CREDENTIALS_CACHE_DIR: join(host.root, 'var/lib/acr-credential-provider'),
        },
      },
    );
    console.log(
      indent(
        inspected.code === 0
          ? `skopeo inspect: digest ${JSON.parse(inspected.stdout).Digest}; cloud calls: ${describeCounts(callCounts(cloud))}`
          : `skopeo inspect failed: ${inspected.stderr}`,
      ),
    );

    if (keep) {
      step('Left running (Ctrl-C stops everything)');
      console.log(
        indent(
          `export KUBECONFIG=${kubeconfig}\n${Object.entries(env)
            .map(([k, v]) => `export ${k}=${v}`)
            .join(
              '\n',
            )}\nexport PATH=${join(repoRoot, 'dist')}:$PATH   # then: kubectl acr status, kubectl acr credentials ${image}`,
        ),
      );
      await new Promise(() => undefined);
    }
    console.log('\nDone: every step above ran on loopback; no password was printed.');
  } finally {
    // Reached at the end, or on a failure (with --keep too): nothing is left running.
    await stopAll();
  }
}

await main();
