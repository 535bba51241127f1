// `npm run bench`, start-up part: each role of the one executable against an
// empty single executable of the same Node, measured side by side in one run
// (interleaved, so machine noise hits all alike). Budgets (issue 13):
// provider cache hit ≤ 1.2×; kubectl acr --help, --version and completion
// ≤ 1.5×; acr-node-setup --help no slower than before the one executable.
// `kubectl acr status` against the fake apiserver and a docker-credential-acr
// `get` from the cache are reported beside them. Prints a markdown table.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFakeAlicloud, loadFakeApiserver, repoRoot as root, run, timeSync } from './fake-cloud.mjs';

const dist = join(root, 'dist');
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const HOST = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';

/** Wall time of a run that must succeed (see timeSync). */
function timed(file, args, options) {
  const result = timeSync(file, args, options);
  if (result.code !== 0)
    throw new Error(`${file} ${args.join(' ')}: exit ${result.code}: ${result.stderr}${result.stdout}`);
  return result.ms;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'acr-start-bench-'));
  const fake = await (await loadFakeAlicloud(work))({ region: 'cn-hangzhou' });
  const api = await (await loadFakeApiserver(work))();
  try {
    fake.addInstance({
      instanceId: 'cri-acme',
      instanceName: 'acme',
      region: 'cn-hangzhou',
      domains: [{ domain: HOST, type: 'SYSTEM' }],
      allowedPrincipals: ['role/KubernetesWorkerRole', 'user/ana'],
    });
    fake.addAccessKey({ accessKeyId: 'LTAI-bench', accessKeySecret: 'bench-secret-value', principal: 'user/ana' });
    const config = join(work, 'acr-configuration.yaml');
    writeFileSync(
      config,
      `acr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n    domains: ${HOST}\n`,
    );
    const cache = join(work, 'cache');
    mkdirSync(join(work, 'home'));
    // A laptop's home: the shared credentials file @alicloud/credentials reads.
    mkdirSync(join(work, 'laptop', '.alibabacloud'), { recursive: true });
    writeFileSync(
      join(work, 'laptop', '.alibabacloud', 'credentials'),
      '[default]\ntype = access_key\naccess_key_id = LTAI-bench\naccess_key_secret = bench-secret-value\n',
    );
    const laptop = { HOME: join(work, 'laptop') };
    const env = {
      HOME: join(work, 'home'),
      ACR_PROVIDER_METADATA_ENDPOINT: fake.url,
      ACR_PROVIDER_CR_ENDPOINT: fake.url,
      ACR_PROVIDER_STS_ENDPOINT: fake.url,
      ACR_CREDENTIALS_CONFIG: config,
      ACR_CREDENTIALS_CACHE_DIR: cache,
    };
    const request = JSON.stringify({
      apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
      kind: 'CredentialProviderRequest',
      image: `${HOST}/team/app`,
    });
    const providerArgs = ['--config', config, '--cache-dir', cache];
    // Warm the cache both the provider and the helper answer from.
    const warm = await run(join(dist, 'acr-credential-provider'), providerArgs, { stdin: request, env });
    if (warm.code !== 0) throw new Error(`cold request failed: ${warm.stderr}`);
    const warmLaptop = await run(join(dist, 'docker-credential-acr'), ['get'], {
      stdin: HOST,
      env: { ...env, ...laptop },
    });
    if (warmLaptop.code !== 0) throw new Error(`laptop get failed: ${warmLaptop.stdout}`);
    fake.reset();

    const cases = [
      { name: 'empty executable (same Node)', file: 'empty-sea', args: [] },
      {
        name: 'acr-credential-provider cache hit',
        file: 'acr-credential-provider',
        args: providerArgs,
        stdin: request,
      },
      { name: 'kubectl acr --help', file: 'kubectl-acr', args: ['--help'] },
      { name: 'kubectl acr --version', file: 'kubectl-acr', args: ['--version'] },
      { name: 'kubectl acr completion (TAB after `kubectl acr st`)', file: 'kubectl-acr', args: ['__complete', 'st'] },
      {
        name: 'kubectl acr completion of a flag (`configure --inst`)',
        file: 'kubectl-acr',
        args: ['__complete', 'configure', '--inst'],
      },
      { name: 'acr-node-setup --help', file: 'acr-node-setup', args: ['--help'] },
      {
        name: 'docker-credential-acr get, from the cache (a node: the ECS role)',
        file: 'docker-credential-acr',
        args: ['get'],
        stdin: HOST,
      },
      {
        name: 'docker-credential-acr get, from the cache (a laptop: ~/.alibabacloud/credentials)',
        file: 'docker-credential-acr',
        args: ['get'],
        stdin: HOST,
        env: laptop,
      },
    ];
    const times = cases.map(() => []);
    for (let round = -3; round < RUNS; round++) {
      cases.forEach((c, i) => {
        const ms = timed(join(dist, c.file), c.args, { stdin: c.stdin, env: { ...env, ...c.env } });
        if (round >= 0) times[i].push(ms);
      });
    }
    if (fake.requests.length !== 0) throw new Error('a cache hit called the cloud');

    // `status` makes API calls: the fake apiserver answers in this process, so it runs asynchronously.
    const kubeconfig = join(work, 'kubeconfig');
    api.writeKubeconfig(kubeconfig);
    const statusMs = [];
    for (let i = 0; i < Math.min(RUNS, 15); i++) {
      const result = await run(join(dist, 'kubectl-acr'), ['status', '--kubeconfig', kubeconfig], { env });
      if (result.code === null || result.code > 1) throw new Error(`status: exit ${result.code}: ${result.stderr}`);
      statusMs.push(result.ms);
    }

    // linux/arm64 under qemu-user-static: only the ratio to an empty arm64 executable in the same run means anything.
    const ARM64_RUNS = Math.min(RUNS, 15);
    const qemu = ['-L', '/usr/aarch64-linux-gnu'];
    const armEmpty = [];
    const armHit = [];
    for (let round = -1; round < ARM64_RUNS; round++) {
      const e = timed('qemu-aarch64-static', [...qemu, join(dist, 'linux-arm64', 'empty-sea')]);
      const h = timed(
        'qemu-aarch64-static',
        [...qemu, join(dist, 'linux-arm64', 'acr-credential-provider'), ...providerArgs],
        {
          stdin: request,
          env,
        },
      );
      if (round >= 0) {
        armEmpty.push(e);
        armHit.push(h);
      }
    }
    if (fake.requests.length !== 0) throw new Error('an arm64 cache hit called the cloud');

    // The npm package as a laptop gets it: pack, then install the tarball into an empty prefix (no network).
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, stdio: 'pipe' });
    const tarball = join(
      work,
      `acr-credentials-${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}.tgz`,
    );
    const installStarted = process.hrtime.bigint();
    execFileSync(
      'npm',
      ['install', '--global', '--prefix', join(work, 'prefix'), '--offline', '--no-audit', '--no-fund', tarball],
      {
        stdio: 'pipe',
      },
    );
    const installMs = Number(process.hrtime.bigint() - installStarted) / 1e6;

    const empty = median(times[0]);
    const f = (ms) => `${ms.toFixed(1)} ms`;
    const mb = (path) => `${(statSync(path).size / 1e6).toFixed(1)} MB`;
    const lines = [
      `| start-up (${RUNS} interleaved runs each, median, node ${process.version}) | wall time | vs. empty |`,
      '|---|---|---|',
      ...cases.map((c, i) => `| ${c.name} | ${f(median(times[i]))} | ${(median(times[i]) / empty).toFixed(2)}× |`),
      `| kubectl acr status against the fake apiserver (${statusMs.length} runs) | ${f(median(statusMs))} | ${(median(statusMs) / empty).toFixed(2)}× |`,
      `| linux/arm64 under qemu (${ARM64_RUNS} runs): provider cache hit / empty arm64 executable | ${f(median(armHit))} / ${f(median(armEmpty))} | ${(median(armHit) / median(armEmpty)).toFixed(2)}× |`,
      `| npm package: \`npm install -g\` of the local tarball (${mb(tarball)}) into an empty prefix | ${f(installMs)} | |`,
      `| executable, linux/amd64 (dist/acr-credentials) | ${mb(join(dist, 'acr-credentials'))} | |`,
      `| executable, linux/arm64 (dist/linux-arm64/acr-credentials) | ${mb(join(dist, 'linux-arm64', 'acr-credentials'))} | |`,
      `| executable, windows/amd64 (dist/windows-amd64/acr-credentials.exe) | ${mb(join(dist, 'windows-amd64', 'acr-credentials.exe'))} | |`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await api.close();
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
