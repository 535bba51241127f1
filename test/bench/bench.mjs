// `npm run bench`: how fast a cache hit answers compared with an empty
// single-executable built from the same Node (also in pod-identity mode, with
// a ServiceAccount token), how many cloud calls a cold and a warm request
// make, and what 32 concurrent cold requests for one registry cost. Prints a
// markdown table for the README.
//
// Plain .mjs run by Node 24: the TypeScript fake cloud is bundled with
// esbuild to a temp module first.
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  callCounts as counts,
  describeCounts,
  loadFakeAlicloud,
  repoRoot as root,
  run,
  timeSync,
} from './fake-cloud.mjs';

const provider = join(root, 'dist', 'acr-credential-provider');
const emptySea = join(root, 'dist', 'empty-sea');
const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const CONCURRENT = 32;
const HOST = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';
const WORKER = 'role/KubernetesWorkerRole';
const OIDC = 'acs:ram::1234567890:oidc-provider/ack-rrsa-bench';
const TEAM_ROLE = 'acs:ram::1234567890:role/team';
const ISSUER = 'https://oidc.bench.test';

/** An RS256 ServiceAccount token for RRSA's audience, as the API server issues it to the kubelet. */
function serviceAccountToken(privateKey) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${encode({ alg: 'RS256' })}.${encode({
    iss: ISSUER,
    sub: 'system:serviceaccount:team:builder',
    aud: ['sts.aliyuncs.com'],
    exp: now + 3600,
    iat: now,
    'kubernetes.io': { serviceaccount: { name: 'builder', uid: 'bench-uid' } },
  })}`;
  return `${body}.${sign('sha256', Buffer.from(body), privateKey).toString('base64url')}`;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'acr-bench-'));
  const startFakeAlicloud = await loadFakeAlicloud(work);
  const fake = await startFakeAlicloud({ region: 'cn-hangzhou' });
  try {
    fake.addInstance({
      instanceId: 'cri-acme',
      instanceName: 'acme',
      region: 'cn-hangzhou',
      domains: [{ domain: HOST, type: 'SYSTEM' }],
      allowedPrincipals: [WORKER, 'role/team'],
    });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    fake.addOidcProvider({ arn: OIDC, issuer: ISSUER, publicKey, clientIds: ['sts.aliyuncs.com'] });
    fake.addRole({ arn: TEAM_ROLE, principal: 'role/team', trustedPrincipals: [OIDC] });
    const configDir = join(work, 'etc');
    mkdirSync(configDir);
    const config = join(configDir, 'acr-configuration.yaml');
    writeFileSync(
      config,
      `pod-identity: |\n  enable: true\n  oidc-provider-arn: ${OIDC}\nacr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n    domains: ${HOST}\n`,
    );
    const env = {
      ACR_PROVIDER_METADATA_ENDPOINT: fake.url,
      ACR_PROVIDER_CR_ENDPOINT: fake.url,
      ACR_PROVIDER_STS_ENDPOINT: fake.url,
    };
    const stdin = JSON.stringify({
      apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
      kind: 'CredentialProviderRequest',
      image: `${HOST}/team/app`,
    });
    const podStdin = JSON.stringify({
      ...JSON.parse(stdin),
      serviceAccountToken: serviceAccountToken(privateKey),
      serviceAccountAnnotations: { 'acr-credential-provider.io/role-arn': TEAM_ROLE },
    });
    const args = (cache) => ['--config', config, '--cache-dir', cache];
    const check = (result, what) => {
      if (result.code !== 0) throw new Error(`${what}: exit ${result.code}: ${result.stderr}`);
      const password = JSON.parse(result.stdout).auth?.[HOST]?.password;
      if (!fake.issuedTokens().some((t) => t.password === password))
        throw new Error(`${what}: answer carries no issued token`);
      return result;
    };

    // Cold, then warm: the calls each makes.
    const cache = join(work, 'cache');
    const coldRun = check(await run(provider, args(cache), { stdin, env }), 'cold');
    const cold = counts(fake);
    fake.reset();
    check(await run(provider, args(cache), { stdin, env }), 'warm');
    const warm = counts(fake);
    fake.reset();
    const podColdRun = check(await run(provider, args(cache), { stdin: podStdin, env }), 'pod cold');
    const podCold = counts(fake);
    fake.reset();

    // Cache hit vs empty SEA, interleaved so that machine noise hits both alike.
    for (let i = 0; i < 3; i++) {
      timeSync(emptySea, [], { stdin });
      timeSync(provider, args(cache), { stdin, env });
    }
    const emptyMs = [];
    const hitMs = [];
    const podHitMs = [];
    for (let i = 0; i < RUNS; i++) {
      emptyMs.push(timeSync(emptySea, [], { stdin }).ms);
      hitMs.push(check(timeSync(provider, args(cache), { stdin, env }), 'hit').ms);
      podHitMs.push(check(timeSync(provider, args(cache), { stdin: podStdin, env }), 'pod hit').ms);
    }
    if (fake.requests.length !== 0) throw new Error(`cache hits called the cloud: ${describeCounts(counts(fake))}`);

    // 32 concurrent cold requests for one registry (different images), fresh cache.
    fake.reset();
    const stormCache = join(work, 'storm');
    const storm = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        run(provider, args(stormCache), { stdin: stdin.replace('team/app', `team/app-${i}`), env }),
      ),
    );
    const stormTokens = fake.count('GetAuthorizationToken');
    const issued = new Set(fake.issuedTokens().map((t) => t.password));
    const correct = storm.filter((r) => r.code === 0 && issued.has(JSON.parse(r.stdout).auth?.[HOST]?.password)).length;

    const median = (v) => percentile(v, 50);
    const p90 = (v) => percentile(v, 90);
    const f = (ms) => `${ms.toFixed(1)} ms`;
    const lines = [
      `| measure (${RUNS} runs each, node ${process.version}) | figure |`,
      '|---|---|',
      `| empty SEA wall time, median / p90 | ${f(median(emptyMs))} / ${f(p90(emptyMs))} |`,
      `| cache hit wall time, median / p90 | ${f(median(hitMs))} / ${f(p90(hitMs))} |`,
      `| cache hit / empty SEA (median) | ${(median(hitMs) / median(emptyMs)).toFixed(2)}× |`,
      `| pod-identity cache hit (ServiceAccount token), median / p90 | ${f(median(podHitMs))} / ${f(p90(podHitMs))} |`,
      `| pod-identity cache hit / empty SEA (median) | ${(median(podHitMs) / median(emptyMs)).toFixed(2)}× |`,
      `| cold request: wall time | ${f(coldRun.ms)} |`,
      `| cold request: calls | ${describeCounts(cold)} |`,
      `| pod-identity cold request: wall time / calls | ${f(podColdRun.ms)} / ${describeCounts(podCold)} |`,
      `| warm request: calls | ${describeCounts(warm)} |`,
      `| ${CONCURRENT} concurrent cold requests, one registry: GetAuthorizationToken calls | ${stormTokens} |`,
      `| ${CONCURRENT} concurrent cold requests: correct answers | ${correct} / ${CONCURRENT} |`,
      `| ${CONCURRENT} concurrent cold requests: slowest wall time | ${f(Math.max(...storm.map((r) => r.ms)))} |`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
