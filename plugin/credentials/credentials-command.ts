// `kubectl acr credentials IMAGE`: run the provider's chain from where this
// runs and print every step with its outcome. Exit 0 credentials (or not an
// ACR image), 1 a step failed, 2 bad image or invalid configuration.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  parseConfigurationData,
  parseConfigurationFile,
  type ParseResult,
} from '../../provider/configuration/parse-configuration.js';
import { endpointsFromEnvironment } from '../../provider/cloud/endpoints.js';
import { fetchNodeRegion, type MetadataOptions } from '../../provider/cloud/metadata-client.js';
import { nodeIdentity } from '../../provider/cloud/node-identity.js';
import { startBudget } from '../../provider/cloud/retry.js';
import { CONFIGURATION_SECRETS_NAME, type RegistryEntry } from '../../provider/configuration/model.js';
import { formatProblem } from '../../provider/common/problem.js';
import {
  CONFIGMAP_NAME,
  CONFIGMAP_NAMESPACE,
  mirrorSecretKeys,
  readConfigMap,
  readConfigurationSecret,
  usesSecretRef,
  type SecretObject,
} from '../configuration-store.js';
import { walkCredentials, type Walk } from './credentials-walk.js';
import { connect, KubeApiError } from '../kube-client.js';
import { render } from '../output.js';
import type { CredentialsArgs } from './credentials-flags.js';
import { REDACTED, redactSecrets, secretValuesIn } from '../../provider/common/redaction.js';
import { connectionFlags, type Runtime } from '../runtime.js';
import { EXIT, UsageError, type ExitCode } from '../../provider/common/exit-codes.js';
import { ACK_RRSA_TOKEN_FILE, RRSA_TOKEN_PATH, SECRETS_DIR_NAME } from '../../provider/common/paths.js';
import { registryLogin } from './registry-login.js';
import { serviceAccountPull } from './service-account-pull.js';

interface LoadedConfiguration {
  parsed: ParseResult;
  source: string;
  secretsDir: string | undefined;
  /** Secret values of the configuration's own text, for redaction. */
  inlineSecrets: string[];
  /** In cluster mode: what is known about the Secret the `secret-ref` keys live in. */
  secretState: 'read' | 'absent' | 'forbidden' | undefined;
  cleanup: () => void;
}

/** The cluster's Secret keys as files, as node-setup mirrors them, in a private temporary directory. */
function materializeSecret(secret: SecretObject | undefined): { dir: string; values: string[]; cleanup: () => void } {
  // Always a fresh private directory: a missing key must not be found in a path someone else could create.
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-acr-secrets-'));
  const values = mirrorSecretKeys(dir, secret);
  return { dir, values, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The configuration as the node's mirror (`--config`) or the cluster's ConfigMap has it. */
async function loadWalkConfiguration(args: CredentialsArgs, runtime: Runtime): Promise<LoadedConfiguration> {
  if (args.config !== undefined) {
    let text: string | undefined;
    try {
      text = runtime.readFile(args.config);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // As on the node: no mirrored file means the defaults, not an error.
      if (code !== 'ENOENT') throw new UsageError(`Cannot read --config ${args.config}: ${code ?? 'unreadable'}.`);
    }
    const parsed = text === undefined ? parseConfigurationData({}) : parseConfigurationFile(text);
    return {
      parsed,
      source: text === undefined ? `${args.config} is absent, defaults apply` : args.config,
      secretsDir: join(dirname(args.config), SECRETS_DIR_NAME),
      inlineSecrets: parsed.ok ? secretValuesIn(parsed.config.data) : [],
      secretState: undefined,
      cleanup: () => undefined,
    };
  }
  const client = connect(connectionFlags(args), runtime.env);
  const configMap = await readConfigMap(client);
  const parsed = parseConfigurationData(configMap?.data ?? {});
  let secret: SecretObject | undefined;
  let secretState: LoadedConfiguration['secretState'];
  if (parsed.ok && usesSecretRef(parsed.config)) {
    try {
      secret = await readConfigurationSecret(client);
      secretState = secret ? 'read' : 'absent';
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 403)) throw error;
      secretState = 'forbidden';
    }
  }
  const files = materializeSecret(secret);
  const source = configMap
    ? `${CONFIGMAP_NAMESPACE}/${CONFIGMAP_NAME} (resourceVersion ${configMap.metadata.resourceVersion ?? '?'})`
    : `${CONFIGMAP_NAMESPACE}/${CONFIGMAP_NAME} is absent, defaults apply`;
  return {
    parsed,
    source,
    secretsDir: files.dir,
    inlineSecrets: [...secretValuesIn(configMap?.data ?? {}), ...files.values],
    secretState,
    cleanup: files.cleanup,
  };
}

function explainMissingSecret(
  state: 'read' | 'absent' | 'forbidden',
  entry: RegistryEntry,
  key: string,
): { detail: string; fix: string } {
  const where = `Secret ${CONFIGMAP_NAMESPACE}/${CONFIGURATION_SECRETS_NAME}`;
  const detail = {
    read: `${where} has no key ${key}`,
    absent: `${where} does not exist`,
    forbidden: `${where} cannot be read with your credentials`,
  }[state];
  if (state === 'forbidden')
    return { detail, fix: 'Run this with a user that may get Secrets in kube-system, or on a node with --config.' };
  const select =
    entry.edition === 'enterprise'
      ? `--instance-id ${entry.instanceId}`
      : `--personal${entry.regionId ? ` --region ${entry.regionId}` : ''}`;
  const accessKeyId = entry.credentials.kind === 'access-key' ? entry.credentials.accessKeyId : '<id>';
  return {
    detail,
    fix: `Store the secret: \`kubectl acr configure ${select} --access-key-id ${accessKeyId} --access-key-secret-stdin\`.`,
  };
}

const marks = { ok: '[ok]     ', failed: '[FAILED] ', skipped: '[skipped]' } as const;

export function renderWalkTable(walk: Walk, showPassword: boolean): string {
  const lines = [`Image: ${walk.image}`, ''];
  for (const step of walk.steps) {
    lines.push(`${marks[step.outcome]} ${step.step}: ${step.detail}`);
    if (step.code)
      lines.push(`          code: ${step.code}${step.requestId ? `   request ID: ${step.requestId}` : ''}`);
    if (step.fix) lines.push(`          fix: ${step.fix}`);
  }
  lines.push('');
  const result = {
    credentials: 'the provider would answer with these credentials',
    'not-served': 'not served: the provider answers with no credentials',
    failed: 'failed: the pull gets no ACR credentials',
    'invalid-image': 'invalid image reference',
  }[walk.result];
  lines.push(`Result: ${result}`);
  if (walk.token) {
    lines.push(`Username: ${walk.token.username}`);
    lines.push(`Password: ${showPassword ? walk.token.password : `${REDACTED} (add --show-password to print it)`}`);
  }
  return lines.join('\n') + '\n';
}

function exitCodeFor(walk: Walk): ExitCode {
  switch (walk.result) {
    case 'credentials':
    case 'not-served':
      return EXIT.ok;
    case 'failed':
      return EXIT.failure;
    case 'invalid-image':
      return EXIT.usage;
  }
}

export async function runCredentials(args: CredentialsArgs, runtime: Runtime): Promise<ExitCode> {
  const env = runtime.env;
  const cloud = { endpoints: endpointsFromEnvironment(env, { vpc: args.vpc ?? false }), budget: startBudget() };
  const loaded = await loadWalkConfiguration(args, runtime);
  try {
    if (!loaded.parsed.ok) {
      for (const problem of loaded.parsed.problems) runtime.stderr(`${formatProblem(problem, loaded.source)}\n`);
      runtime.stderr(
        'error: the configuration is invalid; the provider keeps using the last valid one. Fix it first (kubectl acr status shows every problem).\n',
      );
      return EXIT.usage;
    }
    const metadata: MetadataOptions = {
      baseUrl: cloud.endpoints.metadataBaseUrl,
      allowImdsV1: args['allow-imdsv1'] ?? false,
      budget: cloud.budget,
    };
    const config = loaded.parsed.config;
    const now = runtime.now().getTime();
    const asServiceAccount =
      args['service-account'] === undefined
        ? undefined
        : await serviceAccountPull(
            connect(connectionFlags(args), runtime.env),
            args['service-account'],
            config.podIdentity,
            now,
          );
    const rrsaTokenFile =
      args['rrsa-token-file'] ??
      (args.config
        ? join(dirname(args.config), RRSA_TOKEN_PATH)
        : (env.ALIBABA_CLOUD_OIDC_TOKEN_FILE ?? ACK_RRSA_TOKEN_FILE));
    const walk = await walkCredentials(args.image, {
      io: {
        config,
        ...(asServiceAccount?.workload ? { workload: asServiceAccount.workload } : {}),
        env,
        cloud,
        region: args.region,
        vpc: args.vpc ?? false,
        secretsDir: loaded.secretsDir ?? '',
        rrsaTokenFile,
        roleSessionName: 'kubectl-acr-credentials',
        metadataBaseUrl: metadata.baseUrl,
        now: () => runtime.now().getTime(),
        nodeCredentials: () => nodeIdentity(env, metadata),
        metadataRegion: () => fetchNodeRegion(metadata),
        // Nothing cached: this explains the pull as it would happen now.
        remember: async (_key, _accept, fetch) => ({ value: await fetch(), expiresAt: runtime.now().getTime() }),
        token: (_key, fetch) => fetch(),
      },
      configSource: loaded.source,
      ...(asServiceAccount ? { serviceAccount: asServiceAccount.step } : {}),
      ...(loaded.secretState
        ? {
            explainMissingSecret: (entry: RegistryEntry, key: string) =>
              explainMissingSecret(loaded.secretState!, entry, key),
          }
        : {}),
      ...(args.check ? { checkRegistry: registryLogin(env) } : {}),
    });
    const showPassword = args['show-password'] ?? false;
    const printable = {
      ...walk,
      secrets: undefined,
      token: walk.token ? { ...walk.token, password: showPassword ? walk.token.password : REDACTED } : undefined,
    };
    // The walk's secrets include the token's password: asked for, it is printed.
    const shown = showPassword ? walk.token?.password : undefined;
    const secrets = [
      ...walk.secrets.filter((secret) => secret !== shown),
      ...loaded.inlineSecrets,
      ...(asServiceAccount?.token ? [asServiceAccount.token] : []),
    ];
    runtime.stdout(
      redactSecrets(
        render(args.output, printable, () => renderWalkTable(walk, showPassword)),
        secrets,
      ),
    );
    return exitCodeFor(walk);
  } finally {
    loaded.cleanup();
  }
}
