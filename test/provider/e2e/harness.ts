// What every end-to-end test of the provider needs: the fake cloud, a node's
// directories (configuration, mirrored secrets, cache) in a temp dir, and the
// built executable run the way the kubelet runs it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeAlicloud, type FakeAlicloud } from '../../fakes/alicloud/index.js';
import { runBinary, type RunResult } from '../../support/binaries.js';

export const V1 = 'credentialprovider.kubelet.k8s.io/v1';
export const WORKER_PRINCIPAL = 'role/KubernetesWorkerRole';

export interface ProviderResponse {
  kind: string;
  apiVersion: string;
  cacheKeyType: string;
  cacheDuration?: string;
  auth: Record<string, { username: string; password: string }>;
}

export interface Node {
  fake: FakeAlicloud;
  root: string;
  configPath: string;
  cacheDir: string;
  /** The environment the kubelet would give the provider: every endpoint on the fake. */
  env: Record<string, string>;
  writeConfig(text: string): void;
  writeSecret(key: string, value: string): void;
  writeRrsaToken(token: string): void;
  /** Runs the provider for one image with `--config`, `--cache-dir` and `extraArgs`. */
  pull(
    image: string,
    options?: { apiVersion?: string; args?: string[]; env?: Record<string, string | undefined> },
  ): Promise<RunResult>;
  run(stdin: string, args?: string[], env?: Record<string, string | undefined>): Promise<RunResult>;
  close(): Promise<void>;
}

export function requestFor(image: string, apiVersion = V1): string {
  return JSON.stringify({ apiVersion, kind: 'CredentialProviderRequest', image });
}

export async function startNode(): Promise<Node> {
  const fake = await startFakeAlicloud({ region: 'cn-hangzhou' });
  const root = mkdtempSync(join(tmpdir(), 'acr-provider-e2e-'));
  const configDir = join(root, 'etc', 'kubernetes', 'acr');
  mkdirSync(configDir, { recursive: true });
  const configPath = join(configDir, 'acr-configuration.yaml');
  const cacheDir = join(root, 'var', 'lib', 'acr-credential-provider');
  const env = {
    ACR_PROVIDER_METADATA_ENDPOINT: fake.url,
    ACR_PROVIDER_CR_ENDPOINT: fake.url,
    ACR_PROVIDER_STS_ENDPOINT: fake.url,
  };
  const run = (stdin: string, args: string[] = [], extraEnv: Record<string, string | undefined> = {}) =>
    runBinary('acr-credential-provider', ['--config', configPath, '--cache-dir', cacheDir, ...args], {
      stdin,
      env: { ...env, ...extraEnv },
      timeoutMs: 60_000,
    });
  return {
    fake,
    root,
    configPath,
    cacheDir,
    env,
    writeConfig: (text) => writeFileSync(configPath, text),
    writeSecret(key, value) {
      mkdirSync(join(configDir, 'secrets'), { recursive: true, mode: 0o700 });
      writeFileSync(join(configDir, 'secrets', key), value, { mode: 0o600 });
    },
    writeRrsaToken(token) {
      mkdirSync(join(configDir, 'rrsa'), { recursive: true, mode: 0o700 });
      writeFileSync(join(configDir, 'rrsa', 'token'), token, { mode: 0o600 });
    },
    pull: (image, options = {}) => run(requestFor(image, options.apiVersion), options.args, options.env),
    run,
    async close() {
      await fake.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function parseResponse(result: RunResult): ProviderResponse {
  if (result.code !== 0) throw new Error(`provider exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as ProviderResponse;
}

/** The registry password the fake issued last: the answer must carry exactly this. */
export function lastIssuedPassword(fake: FakeAlicloud): string {
  const tokens = fake.issuedTokens();
  const last = tokens[tokens.length - 1];
  if (!last) throw new Error('the fake issued no token');
  return last.password;
}

/** Counts of the calls that matter, for assertions on how many calls a request made. */
export function callCounts(fake: FakeAlicloud): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of fake.requests) counts[request.action] = (counts[request.action] ?? 0) + 1;
  return counts;
}
