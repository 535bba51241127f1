// `kubectl acr sync`: the Secret-sync fallback for clusters whose nodes cannot
// run the provider. `--once` makes one pass and exits; without it the
// controller runs until SIGTERM, from a workstation or in-cluster as the
// Deployment kube-system/kubectl-acr-sync (with --leader-elect).
import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import type { SyncArgs } from './sync-flags.js';
import { ensureDirectory, writeFileAtomic } from '../../provider/cache/atomic-file.js';
import { openCacheStore } from '../../provider/cache/cache-store.js';
import { endpointsFromEnvironment } from '../../provider/cloud/endpoints.js';
import { fetchNodeRegion, type MetadataOptions } from '../../provider/cloud/metadata-client.js';
import { startBudget } from '../../provider/cloud/retry.js';
import { EXIT, UsageError, type ExitCode } from '../../provider/common/exit-codes.js';
import { ACK_RRSA_TOKEN_FILE, SECRETS_DIR_NAME } from '../../provider/common/paths.js';
import { redactSecrets } from '../../provider/common/redaction.js';
import type { AcrConfiguration } from '../../provider/configuration/model.js';
import type { ResolutionIo } from '../../provider/credentials/resolution-io.js';
import { cachedCloud } from '../../provider/kubelet/cached-cloud.js';
import {
  mirrorSecretKeys,
  readConfigMap,
  readConfigurationSecret,
  usesSecretRef,
  type ConfigMapObject,
} from '../configuration-store.js';
import {
  allowPlainHttp,
  createKubeClient,
  loadKubeConfig,
  parseRequestTimeout,
  resourcePath,
  type KubeClient,
} from '../kube-client.js';
import { connectionFlags, type Runtime } from '../runtime.js';
import { HELPER_DEPLOYMENT, SYNC_DEPLOYMENT } from '../status/status-model.js';
import { listClusterObjects } from './cluster-view.js';
import { entryTokens } from './entry-tokens.js';
import { runElection, type Elector } from './leader-election.js';
import { describeEntry } from './pull-secret.js';
import { startController } from './sync-controller.js';
import { configurationInForce, type ConfigurationState } from './sync-configuration.js';
import { createSyncMetrics, serveProbes, type SyncMetrics } from './sync-metrics.js';
import { syncIdentity } from './sync-identity.js';
import { runPass } from './sync-pass.js';
import { ensureWebhookTls, reconcileWebhook } from './webhook-registration.js';
import { serveWebhook } from './webhook-server.js';
import { parseGoDuration } from '../../provider/common/go-duration.js';

const MIGRATION = [
  `error: ${HELPER_DEPLOYMENT} runs in this cluster (Deployment kube-system/${HELPER_DEPLOYMENT}); two controllers would fight over the same ServiceAccounts.`,
  'To migrate to kubectl acr sync:',
  `  1. kubectl -n kube-system scale deployment ${HELPER_DEPLOYMENT} --replicas=0`,
  '  2. kubectl acr sync --once --take-over        # writes its own Secrets; your other imagePullSecrets stay',
  '  3. kubectl acr status                          # every namespace in scope served',
  `  4. kubectl -n kube-system delete deployment ${HELPER_DEPLOYMENT}`,
  'Or pass --take-over to run anyway.',
].join('\n');

interface Edges {
  env: Record<string, string | undefined>;
  args: SyncArgs;
  cacheDir: string;
  metrics: SyncMetrics;
  warn: (line: string) => void;
  now: () => number;
}

/** The driver's edges for one pass: the provider's caches in --cache-dir, the sync's own identity, a fresh budget. */
function passIo(edges: Edges, config: AcrConfiguration): ResolutionIo {
  const { env, args, cacheDir } = edges;
  const vpc = args.vpc ?? false;
  const cloud = { endpoints: endpointsFromEnvironment(env, { vpc }), budget: startBudget() };
  const metadata: MetadataOptions = {
    baseUrl: cloud.endpoints.metadataBaseUrl,
    allowImdsV1: args['allow-imdsv1'] ?? false,
    budget: cloud.budget,
  };
  const store = openCacheStore(cacheDir, { writeFileAtomic, ensureDirectory });
  store.prepare();
  const io = cachedCloud({
    input: {
      env,
      now: edges.now,
      logger: { log: (level, message) => (level === 'warn' || level === 'error' ? edges.warn(message) : undefined) },
      options: {
        region: args.region,
        vpc,
        configDir: join(cacheDir, 'configuration'),
        rrsaTokenFile: args['rrsa-token-file'] ?? env.ALIBABA_CLOUD_OIDC_TOKEN_FILE ?? ACK_RRSA_TOKEN_FILE,
      },
    },
    store,
    config,
    cloud,
    metadata,
  });
  const region = () => (args.region ? Promise.resolve(args.region) : fetchNodeRegion(metadata));
  return {
    ...io,
    roleSessionName: 'kubectl-acr-sync',
    nodeCredentials: () => syncIdentity(env, metadata, cloud, region),
    token: (key, fetch) =>
      io.token(key, () => {
        edges.metrics.tokensFetched.inc({ entry: key[1] ?? '' });
        return fetch();
      }),
  };
}

async function helperRuns(client: KubeClient): Promise<boolean> {
  const path = resourcePath({ group: 'apps', version: 'v1', plural: 'deployments' }, 'kube-system', HELPER_DEPLOYMENT);
  return (await client.get(path)) !== undefined;
}

export async function runSync(args: SyncArgs, runtime: Runtime): Promise<ExitCode> {
  const env = runtime.env;
  const resyncSeconds = parseGoDuration(args['resync-period'] ?? '5m');
  if (resyncSeconds === undefined || resyncSeconds < 1)
    throw new UsageError(`--resync-period ${JSON.stringify(args['resync-period'])} is not a duration of 1s or more.`);
  const flags = connectionFlags(args);
  const kubeConfig = allowPlainHttp(loadKubeConfig(flags, env));
  const client = createKubeClient(kubeConfig, parseRequestTimeout(flags.requestTimeout));
  if (!args['take-over'] && (await helperRuns(client))) {
    runtime.stderr(`${MIGRATION}\n`);
    return EXIT.usage;
  }
  const secrets = new Set<string>();
  const say = (write: (text: string) => void) => (line: string) =>
    write(`${redactSecrets(`${new Date(runtime.now()).toISOString()} ${line}`, [...secrets])}\n`);
  const log = say((text) => runtime.stdout(text));
  const warn = say((text) => runtime.stderr(text));
  const metrics = createSyncMetrics();
  const now = () => runtime.now().getTime();
  const cacheDir =
    args['cache-dir'] ?? join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache'), 'kubectl-acr', 'sync');
  const edges: Edges = { env, args, cacheDir, metrics, warn, now };
  const state: ConfigurationState = { lastValid: undefined, reported: undefined };

  let inForce: AcrConfiguration | undefined;
  const configuration = (configMap: ConfigMapObject | undefined) => {
    const read = configurationInForce(configMap, state, warn);
    inForce = read.ok ? read.config : undefined;
    return Promise.resolve(inForce);
  };
  const tokens = async (config: AcrConfiguration) => {
    if (usesSecretRef(config)) {
      const secret = await readConfigurationSecret(client);
      for (const value of mirrorSecretKeys(join(cacheDir, 'configuration', SECRETS_DIR_NAME), secret))
        secrets.add(value);
    }
    const found = await entryTokens(config, passIo(edges, config));
    for (const secret of found.secrets) secrets.add(secret);
    return found;
  };

  if (args.once) {
    const config = await configuration(await readConfigMap(client));
    if (!config) return EXIT.usage;
    const objects = await listClusterObjects(client);
    const byName = new Map(objects.serviceAccounts.map((sa) => [`${sa.metadata.namespace}/${sa.metadata.name}`, sa]));
    const result = await runPass(
      { client, tokens, readServiceAccount: (ns, name) => byName.get(`${ns}/${name}`), log, warn, metrics, now },
      config,
      objects,
    );
    log(
      `pass done: ${result.writes} write(s), ${config.registries.length} registry entr${config.registries.length === 1 ? 'y' : 'ies'} (${config.registries.map(describeEntry).join('; ')}), ${result.failures} failure(s)`,
    );
    return result.failures > 0 ? EXIT.failure : EXIT.ok;
  }

  let elector: Elector | undefined;
  let controllerReady = () => false;
  const address = args['metrics-address'];
  const probes = address ? await serveProbes(metrics, parseAddress(address), () => controllerReady()) : undefined;
  if (probes) log(`serving /metrics, /healthz and /readyz on port ${probes.port}`);
  const webhook = args['webhook-address']
    ? await startWebhook(args['webhook-address'], client, metrics, log, () => inForce)
    : undefined;
  let schedule = (): void => undefined;
  if (args['leader-elect']) {
    const identity = args.identity ?? env.POD_NAME ?? hostname();
    elector = runElection(client, { namespace: 'kube-system', name: SYNC_DEPLOYMENT }, identity, (leading, holder) => {
      metrics.leader.set(leading ? 1 : 0);
      log(leading ? `leading as ${identity}` : `not leading${holder ? `: ${holder} leads` : ''}`);
      if (leading) schedule();
    });
  } else metrics.leader.set(1);
  const controller = await startController({
    kubeConfig,
    client,
    configuration,
    tokens,
    log,
    warn,
    metrics,
    now,
    resyncMs: resyncSeconds * 1000,
    isLeader: () => elector?.isLeader() ?? true,
    ...(webhook ? { beforePass: (config: AcrConfiguration) => webhook.reconcile(config, warn) } : {}),
  });
  schedule = () => controller.schedule(0);
  controllerReady = controller.ready;
  log(`watching namespaces, ServiceAccounts and kube-system/acr-configuration on ${client.server}`);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log(`${signal}: stopping`);
  await controller.stop();
  await webhook?.close();
  await elector?.stop();
  await probes?.close();
  return EXIT.ok;
}

const TLS_CHECK_MS = 10 * 60 * 1000;

/** The webhook of this replica: served from the configuration in force, its certificate checked every ten minutes. */
async function startWebhook(
  address: string,
  client: KubeClient,
  metrics: SyncMetrics,
  log: (line: string) => void,
  config: () => AcrConfiguration | undefined,
) {
  let tls = await ensureWebhookTls(client, Date.now(), log);
  const server = await serveWebhook(parseAddress(address), tls, config, (seconds, patched) =>
    metrics.admission.observe({ patched: String(patched) }, seconds),
  );
  log(`serving the admission webhook on port ${server.port}`);
  const refresh = setInterval(() => {
    ensureWebhookTls(client, Date.now(), log).then(
      (next) => {
        if (next.cert !== tls.cert) server.setTls(next);
        tls = next;
      },
      () => undefined,
    );
  }, TLS_CHECK_MS);
  return {
    async reconcile(current: AcrConfiguration, warn: (line: string) => void) {
      try {
        const changed = await reconcileWebhook(client, current, tls);
        if (changed) log(changed);
      } catch (error) {
        warn(`webhook registration: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    async close() {
      clearInterval(refresh);
      await server.close();
    },
  };
}

function parseAddress(text: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(text);
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port > 65535) throw new UsageError(`--metrics-address ${JSON.stringify(text)} is not HOST:PORT.`);
  return { host: match[1] === '' ? '0.0.0.0' : match[1]!, port };
}
