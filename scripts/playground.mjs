// `npm start`: the built acr-credential-provider against the fake cloud on
// loopback, the way the kubelet would run it — a few images cold, then warm —
// printing each answer (passwords redacted) and the cloud calls it made.
// Nothing leaves the machine: every endpoint points at the fake.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callCounts, describeCounts, loadFakeAlicloud, repoRoot, run } from '../test/bench/fake-cloud.mjs';

const WORKER = 'role/KubernetesWorkerRole';
const CONFIGURATION = `# acr-configuration as the ConfigMap's data (what node-setup mirrors to the node)
expiring-threshold: 15m
acr-registry-info: |
  - instanceId: ""
  - instanceId: cri-acme
    regionId: cn-hangzhou
`;
const IMAGES = [
  'registry.cn-hangzhou.aliyuncs.com/team/app',
  'acme-registry.cn-hangzhou.cr.aliyuncs.com/team/api',
  'images.acme.example/team/web',
  'docker.io/library/nginx',
];

function redacted(stdout) {
  if (!stdout) return '(no answer)';
  const response = JSON.parse(stdout);
  for (const auth of Object.values(response.auth ?? {})) auth.password = `<${auth.password.length} characters>`;
  return JSON.stringify(response, null, 2);
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'acr-playground-'));
  const startFakeAlicloud = await loadFakeAlicloud(work);
  const fake = await startFakeAlicloud({ region: 'cn-hangzhou' });
  try {
    fake.allowPersonal('cn-hangzhou', [WORKER]);
    fake.addInstance({
      instanceId: 'cri-acme',
      instanceName: 'acme',
      region: 'cn-hangzhou',
      domains: [
        { domain: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' },
        { domain: 'acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com', type: 'SYSTEM' },
        { domain: 'images.acme.example', type: 'USER' },
      ],
      allowedPrincipals: [WORKER],
    });
    const configDir = join(work, 'etc', 'kubernetes', 'acr');
    mkdirSync(configDir, { recursive: true });
    const config = join(configDir, 'acr-configuration.yaml');
    writeFileSync(config, CONFIGURATION);
    const cacheDir = join(work, 'var', 'lib', 'acr-credential-provider');
    const env = {
      ACR_PROVIDER_METADATA_ENDPOINT: fake.url,
      ACR_PROVIDER_CR_ENDPOINT: fake.url,
      ACR_PROVIDER_STS_ENDPOINT: fake.url,
    };
    const provider = join(repoRoot, 'dist', 'acr-credential-provider');

    console.log(`fake Alibaba Cloud at ${fake.url}; node role ${WORKER}; configuration ${config}:\n${CONFIGURATION}`);
    for (const round of ['cold', 'warm']) {
      for (const image of IMAGES) {
        fake.reset();
        const stdin = JSON.stringify({
          apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
          kind: 'CredentialProviderRequest',
          image,
        });
        const result = await run(provider, ['--config', config, '--cache-dir', cacheDir], { stdin, env });
        console.log(
          `--- ${round}: ${image} → exit ${result.code} in ${result.ms.toFixed(0)} ms; calls: ${describeCounts(callCounts(fake))}`,
        );
        if (result.stderr) console.log(`stderr: ${result.stderr.trim()}`);
        console.log(redacted(result.stdout));
      }
    }
  } finally {
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
