// Everything a cache miss needs: the configuration (YAML parser), the
// registry resolution with its look-ups, the credential chain and the ACR
// token, each cached, under locks so that concurrent invocations share one
// fetch. Loaded lazily (a separate bundle in the executable): the cache-hit
// path never pays for the YAML parser or the cloud SDK.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigurationData, parseConfigurationFile } from './acr-configuration.js';
import type { AcrConfiguration, RegistryEntry } from './configuration-model.js';
import { credentialsForEntry, type CredentialContext } from './credential-chain.js';
import { secretsOf, type CloudCredentials } from './cloud/cloud-credentials.js';
import { CloudError } from './cloud/cloud-error.js';
import { getAuthorizationToken, getPersonalToken, listInstanceDomains, listInstances } from './cloud/cr-client.js';
import { EndpointOverrideError, endpointsFromEnvironment } from './cloud/endpoints.js';
import { fetchNodeCredentials, fetchNodeRegion, type MetadataOptions } from './cloud/metadata-client.js';
import { environmentCredentials } from './cloud/node-identity.js';
import type { CloudContext } from './cloud/openapi-call.js';
import { startBudget } from './cloud/retry.js';
import { singleFlight } from './file-lock.js';
import { formatProblem, type Problem } from './problem.js';
import type { ColdPath, ColdPathInput, ColdPathResult, Failed } from './provide-credentials.js';
import { formatFailure, type ProviderFailure } from './provider-error.js';
import { classifyHost, type AcrHost } from './registry-host.js';
import { instanceKey, resolveRegistry, type Facts, type Lookup, type TokenTarget } from './registry-resolution.js';
import { isCachedToken, isFresh, openCacheStore, type CacheStore, type CachedToken } from './token-cache.js';
import { ensureDirectory, writeFileAtomic } from './atomic-file.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Node credentials are reused while they outlive the token threshold by this much. */
const CREDENTIAL_MARGIN_MS = 5 * 60 * 1000;
/** Resolution asks for at most a few look-ups; this only stops a bug from looping. */
const MAX_LOOKUPS = 32;

type Loaded<T> = { ok: true; value: T } | { ok: false; failure: ProviderFailure };

// ---------------------------------------------------------------------------
// Configuration: the file, else the default; an invalid file falls back to
// the last valid one kept in the cache.

interface LoadedConfiguration {
  config: AcrConfiguration;
  /** Repeated on every answer while the file stays invalid. */
  notes: string[];
}

interface StoredConfiguration {
  text: string;
}

function isStoredConfiguration(value: unknown): value is StoredConfiguration {
  return typeof value === 'object' && value !== null && typeof (value as StoredConfiguration).text === 'string';
}


function lastValidKey(configPath: string): string[] {
  return ['last-valid', configPath];
}

function describeProblems(problems: Problem[], source: string): string {
  return problems.filter((p) => p.severity === 'error').map((p) => formatProblem(p, source)).join('; ');
}

function loadConfiguration(input: ColdPathInput, store: CacheStore): Loaded<LoadedConfiguration> {
  const { options, logger } = input;
  let text: string;
  try {
    text = readFileSync(options.configPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      logger.log('debug', `no configuration at ${options.configPath}: Personal Edition of the node's region with the node's identity`);
      const parsed = parseConfigurationData({});
      if (parsed.ok) return { ok: true, value: { config: parsed.config, notes: [] } };
      return { ok: false, failure: { exitCode: 2, message: `the default configuration is invalid: ${describeProblems(parsed.problems, 'default')}` } };
    }
    return fallBack(input, store, [`cannot read ${options.configPath} (${code ?? 'error'})`]);
  }
  const parsed = parseConfigurationFile(text);
  if (parsed.ok) {
    for (const problem of parsed.problems) logger.log('info', formatProblem(problem, options.configPath));
    const stored = store.read('configuration', lastValidKey(options.configPath), isStoredConfiguration);
    if (stored?.text !== text) store.write('configuration', lastValidKey(options.configPath), { text } satisfies StoredConfiguration);
    return { ok: true, value: { config: parsed.config, notes: [] } };
  }
  return fallBack(input, store, [describeProblems(parsed.problems, options.configPath)]);
}

function fallBack(input: ColdPathInput, store: CacheStore, reasons: string[]): Loaded<LoadedConfiguration> {
  const { options } = input;
  const stored = store.read('configuration', lastValidKey(options.configPath), isStoredConfiguration);
  const parsed = stored ? parseConfigurationFile(stored.text) : undefined;
  if (parsed?.ok) {
    const note = `acr-credential-provider: warning: the configuration ${options.configPath} is invalid, using the last valid one: ${reasons.join('; ')}`;
    return { ok: true, value: { config: parsed.config, notes: [note] } };
  }
  return {
    ok: false,
    failure: {
      exitCode: 2,
      message: `the configuration ${options.configPath} is invalid and there is no last valid one to use: ${reasons.join('; ')}`,
      fix: 'correct the acr-configuration ConfigMap (kubectl acr status shows each problem with its line)',
    },
  };
}

// ---------------------------------------------------------------------------
// Who calls ACR, as a stable key (before any network call: it names the
// lock) and as a label for messages (never a secret).

function identityKey(entry: RegistryEntry | undefined, env: Record<string, string | undefined>): string {
  const source = entry?.credentials ?? { kind: 'node' as const };
  const base =
    source.kind === 'access-key' ? `accessKey ${source.accessKeyId}`
    : source.kind === 'rrsa' ? `rrsa ${source.roleArn} ${source.oidcProviderArn}`
    : `node ${env['ALIBABA_CLOUD_ACCESS_KEY_ID'] ?? 'metadata'}`;
  return entry?.assumeRole ? `${base} -> ${entry.assumeRole.roleArn} ${entry.assumeRole.durationSeconds}` : base;
}

function identityLabel(entry: RegistryEntry | undefined, env: Record<string, string | undefined>): string {
  const source = entry?.credentials ?? { kind: 'node' as const };
  const base =
    source.kind === 'access-key' ? `AccessKey ${source.accessKeyId}`
    : source.kind === 'rrsa' ? `RRSA role ${source.roleArn}`
    : env['ALIBABA_CLOUD_ACCESS_KEY_ID'] ? `node AccessKey ${env['ALIBABA_CLOUD_ACCESS_KEY_ID']}`
    : "the node's RAM role";
  return entry?.assumeRole ? `${base} assuming ${entry.assumeRole.roleArn}` : base;
}

function describeTarget(target: TokenTarget): string {
  return target.edition === 'enterprise' ? `${target.instanceId} (${target.region})` : `Personal Edition (${target.region})`;
}

// ---------------------------------------------------------------------------
// The cloud, with the run's caches in front of it.

interface Session {
  input: ColdPathInput;
  store: CacheStore;
  config: AcrConfiguration;
  host: AcrHost;
  cloud: CloudContext;
  metadata: MetadataOptions;
  /** Values to strip from any message. */
  secrets: Set<string>;
  /** Credentials per identity key, fetched once per run. */
  credentials: Map<string, Promise<CloudCredentials>>;
  nodeRegion: string | undefined;
}

interface StoredCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string | undefined;
  expiresAt: number;
  identity: string;
}

function isStoredCredentials(value: unknown): value is StoredCredentials {
  const v = value as Partial<StoredCredentials> | null;
  return typeof v === 'object' && v !== null && typeof v.accessKeyId === 'string' && typeof v.accessKeySecret === 'string'
    && (v.securityToken === undefined || typeof v.securityToken === 'string') && typeof v.expiresAt === 'number' && typeof v.identity === 'string';
}

/** The node's RAM role credentials, from the cache while they are far from expiry. */
async function nodeCredentials(session: Session): Promise<CloudCredentials> {
  const { now, env } = session.input;
  const { store } = session;
  const fromEnvironment = environmentCredentials(env);
  if (fromEnvironment) {
    session.secrets.add(fromEnvironment.accessKeySecret);
    if (fromEnvironment.securityToken) session.secrets.add(fromEnvironment.securityToken);
    return fromEnvironment;
  }
  const key = ['node-credentials', session.metadata.baseUrl, String(session.metadata.allowImdsV1)];
  const fresh = (c: StoredCredentials | undefined) =>
    c !== undefined && c.expiresAt - session.config.expiringThresholdSeconds * 1000 - CREDENTIAL_MARGIN_MS > now() ? c : undefined;
  const stored = fresh(store.read('credentials', key, isStoredCredentials));
  const credentials: CloudCredentials = stored ?? (await fetchNodeCredentials(session.metadata));
  for (const secret of secretsOf(credentials)) session.secrets.add(secret);
  if (!stored && credentials.expiresAt !== undefined) {
    store.write('credentials', key, { ...credentials, expiresAt: credentials.expiresAt } satisfies StoredCredentials);
  }
  return credentials;
}

/** `region`: where STS is called for an entry without `regionId` (the region the credentials are for). */
function credentialsFor(session: Session, entry: RegistryEntry | undefined, region: string): Promise<CloudCredentials> {
  const key = identityKey(entry, session.input.env);
  let pending = session.credentials.get(key);
  if (!pending) {
    const context: CredentialContext = {
      cloud: session.cloud,
      defaultRegion: session.nodeRegion ?? region,
      secretsDir: join(session.input.options.configDir, 'secrets'),
      rrsaTokenFile: session.input.options.rrsaTokenFile,
      nodeCredentials: () => nodeCredentials(session),
    };
    if (entry?.credentials.kind === 'access-key' && entry.credentials.inlineSecret) session.secrets.add(entry.credentials.inlineSecret);
    pending = (entry ? credentialsForEntry(entry, context) : nodeCredentials(session)).then((credentials) => {
      for (const secret of secretsOf(credentials)) session.secrets.add(secret);
      return credentials;
    });
    session.credentials.set(key, pending);
  }
  return pending;
}

interface StoredLookup {
  value: string | string[];
  expiresAt: number;
}

function isStoredLookup(value: unknown): value is StoredLookup {
  const v = value as Partial<StoredLookup> | null;
  return typeof v === 'object' && v !== null && typeof v.expiresAt === 'number'
    && (typeof v.value === 'string' || (Array.isArray(v.value) && v.value.every((d) => typeof d === 'string')));
}

/** A look-up from the cache (a day) or from the cloud; returns when its answer stops being trusted. */
async function lookUp(session: Session, lookup: Lookup, facts: MutableFacts): Promise<number> {
  const { now, env } = session.input;
  const { store } = session;
  if (lookup.kind === 'node-region') {
    facts.nodeRegion = await nodeRegion(session);
    session.nodeRegion = facts.nodeRegion;
    return now() + DAY_MS;
  }
  const key = [lookup.kind, lookup.region, lookup.kind === 'instance-domains' ? lookup.instanceId : lookup.instanceName, env['ACR_PROVIDER_CR_ENDPOINT'] ?? ''];
  const stored = store.read('lookup', key, isStoredLookup);
  let found: StoredLookup | undefined = stored && stored.expiresAt > now() ? stored : undefined;
  if (!found) {
    if (lookup.kind === 'instance-domains') {
      const credentials = await credentialsFor(session, lookup.entry, lookup.region);
      const domains = await listInstanceDomains(credentials, lookup.instanceId, lookup.region, session.cloud);
      found = { value: domains.map((d) => d.domain), expiresAt: now() + DAY_MS };
    } else {
      const credentials = await credentialsFor(session, undefined, lookup.region);
      const instances = await listInstances(credentials, lookup.region, session.cloud, lookup.instanceName);
      // Not found is not cached: the instance may be created, or the role granted, any minute.
      if (instances[0] === undefined) {
        facts.instanceIds.set(instanceKey(lookup.region, lookup.instanceName), null);
        return now() + DAY_MS;
      }
      found = { value: instances[0].instanceId, expiresAt: now() + DAY_MS };
    }
    store.write('lookup', key, found);
  }
  if (lookup.kind === 'instance-domains') {
    facts.instanceDomains.set(instanceKey(lookup.region, lookup.instanceId), [found.value].flat());
  } else {
    facts.instanceIds.set(instanceKey(lookup.region, lookup.instanceName), typeof found.value === 'string' ? found.value : null);
  }
  return found.expiresAt;
}

/** --region, else the metadata service (cached), else — off Alibaba Cloud — the image host's region. */
async function nodeRegion(session: Session): Promise<string> {
  const { now, env, logger } = session.input;
  const { store } = session;
  const hostRegion = session.host.kind === 'other' ? undefined : session.host.region;
  if (environmentCredentials(env) && hostRegion) return hostRegion;
  const key = ['node-region', session.metadata.baseUrl];
  const stored = store.read('lookup', key, isStoredLookup);
  if (stored && stored.expiresAt > now() && typeof stored.value === 'string') return stored.value;
  try {
    const region = await fetchNodeRegion(session.metadata);
    store.write('lookup', key, { value: region, expiresAt: now() + DAY_MS } satisfies StoredLookup);
    return region;
  } catch (error) {
    if (!(error instanceof CloudError) || hostRegion === undefined) throw error;
    logger.log('info', `the node's region is unknown (${error.failure.code}); using ${hostRegion} from the image host. Pass --region to avoid the metadata call.`);
    return hostRegion;
  }
}

async function fetchToken(session: Session, target: TokenTarget, entry: RegistryEntry | undefined): Promise<CachedToken> {
  const credentials = await credentialsFor(session, entry, target.region);
  const token =
    target.edition === 'enterprise'
      ? await getAuthorizationToken(credentials, target.instanceId, target.region, session.cloud)
      : await getPersonalToken(credentials, target.region, session.cloud);
  session.secrets.add(token.password);
  return { username: token.username, password: token.password, expiresAt: token.expiresAt };
}

// ---------------------------------------------------------------------------

interface MutableFacts extends Facts {
  nodeRegion?: string | undefined;
  instanceDomains: Map<string, readonly string[]>;
  instanceIds: Map<string, string | null>;
}

function failureFrom(error: unknown, host: string, instance: string | undefined, identity: string | undefined): ProviderFailure {
  if (error instanceof CloudError) {
    const f = error.failure;
    return { exitCode: 1, host, instance, identity, code: f.code, requestId: f.requestId, message: f.message, fix: f.fix };
  }
  if (error instanceof EndpointOverrideError) return { exitCode: 2, host, message: error.message };
  return { exitCode: 1, host, instance, identity, code: 'InternalError', message: `unexpected failure: ${error instanceof Error ? error.message : String(error)}` };
}

async function decide(session: Session, notes: string[]): Promise<ColdPathResult> {
  const { input, config, host, store } = session;
  const { now, env, logger } = input;
  const facts: MutableFacts = { nodeRegion: input.options.region, instanceDomains: new Map(), instanceIds: new Map() };
  let validUntil = now() + DAY_MS;

  for (let step = 0; step < MAX_LOOKUPS; step++) {
    const resolution = resolveRegistry(host, config.registries, facts);
    if (resolution.kind === 'lookup') {
      try {
        validUntil = Math.min(validUntil, await lookUp(session, resolution.lookup, facts));
      } catch (error) {
        return failedIn(session, await lookupFailure(session, resolution.lookup, error));
      }
      continue;
    }
    if (resolution.kind === 'unknown-instance') {
      return failedIn(session, {
        exitCode: 1,
        host: host.host,
        instance: `${resolution.instanceName} (${resolution.region})`,
        identity: identityLabel(undefined, env),
        code: 'InstanceNotFound',
        message: `no Enterprise Edition instance named ${resolution.instanceName} in ${resolution.region} is visible to the node's identity`,
        fix: `add the instance to acr-registry-info (instanceId, regionId, and assumeRoleARN or customAccessKey if it belongs to another account), or grant the node's RAM role cr:ListInstance, cr:ListInstanceEndpoint, cr:GetAuthorizationToken and cr:PullRepository`,
      });
    }
    if (resolution.kind === 'not-served') {
      logger.log('debug', `${host.host} is neither an ACR registry nor a configured domain: answering without credentials`);
      const decision = { kind: 'not-served' as const, validUntil, notes };
      store.write('decision', input.decisionKey, decision);
      return { ok: true, kind: 'not-served', decision };
    }

    const { target, entry, authHosts } = resolution;
    const tokenKey = ['token', describeTarget(target), identityKey(entry, env), env['ACR_PROVIDER_CR_ENDPOINT'] ?? '', String(input.options.vpc)];
    const threshold = config.expiringThresholdSeconds;
    const decision = { kind: 'token' as const, tokenKey, authHosts, thresholdSeconds: threshold, validUntil, notes };
    const freshToken = () => {
      const token = store.read('token', tokenKey, isCachedToken);
      return token && isFresh(token, threshold, now()) ? token : undefined;
    };
    let fetched: CachedToken;
    try {
      fetched = await singleFlight(store.lockPath('token', tokenKey), {
        ready: freshToken,
        produce: async () => {
          const token = await fetchToken(session, target, entry);
          const written = store.write('token', tokenKey, token);
          if (!written.ok) logger.log('warn', `acr-credential-provider: warning: cannot cache the token in ${store.dir} (${written.error.code ?? 'error'}); every pull will fetch a new one`);
          return token;
        },
        onUnavailable: (error) => logger.log('warn', `acr-credential-provider: warning: cannot lock in ${store.dir} (${error.code ?? 'error'}); fetching without coordination`),
      });
    } catch (error) {
      const identity = (await settledIdentity(session, entry)) ?? identityLabel(entry, env);
      return failedIn(session, failureFrom(error, host.host, describeTarget(target), identity));
    }
    if (!isFresh(fetched, threshold, now())) {
      logger.log('warn', `acr-credential-provider: warning: the token for ${host.host} expires within the expiring-threshold (${threshold}s); answering with cacheDuration 0s`);
    }
    store.write('decision', input.decisionKey, decision);
    return { ok: true, kind: 'token', decision, token: fetched };
  }
  return failedIn(session, { exitCode: 1, host: host.host, code: 'InternalError', message: 'the registry resolution did not settle' });
}

async function lookupFailure(session: Session, lookup: Lookup, error: unknown): Promise<ProviderFailure> {
  const { env } = session.input;
  if (lookup.kind === 'node-region') return failureFrom(error, session.host.host, undefined, identityLabel(undefined, env));
  const entry = lookup.kind === 'instance-domains' ? lookup.entry : undefined;
  const instance = `${lookup.kind === 'instance-domains' ? lookup.instanceId : lookup.instanceName} (${lookup.region})`;
  return failureFrom(error, session.host.host, instance, (await settledIdentity(session, entry)) ?? identityLabel(entry, env));
}

/** The identity the credentials turned out to be (e.g. `role/KubernetesWorkerRole`), when they were obtained. */
async function settledIdentity(session: Session, entry: RegistryEntry | undefined): Promise<string | undefined> {
  const pending = session.credentials.get(identityKey(entry, session.input.env));
  return pending?.then((credentials) => credentials.identity, () => undefined);
}

function failedIn(session: Session, failure: ProviderFailure): ColdPathResult {
  return failed(session.input, session.store, failure, session.secrets);
}

/** The failure as printed, also kept for the processes that waited on this one. */
function failed(input: ColdPathInput, store: CacheStore, failure: ProviderFailure, secrets: Iterable<string> = []): ColdPathResult {
  const result: Failed = { exitCode: failure.exitCode, line: formatFailure(failure, [...secrets]), at: input.now() };
  store.write('failure', input.decisionKey, result);
  return { ok: false, ...result };
}

export const coldPath: ColdPath = async (input) => {
  const host = classifyHost(input.image.host);
  const store = openCacheStore(input.options.cacheDir, { writeFileAtomic, ensureDirectory });
  const prepared = store.prepare();
  if (prepared.ok) store.prune(input.now());
  else input.logger.log('warn', `acr-credential-provider: warning: the cache directory ${store.dir} is not usable (${prepared.error.code ?? 'error'}); answering without caching`);
  const configuration = loadConfiguration(input, store);
  if (!configuration.ok) return failed(input, store, { ...configuration.failure, host: host.host });
  const { config, notes } = configuration.value;
  for (const note of notes) input.logger.log('warn', note);

  let endpoints;
  try {
    endpoints = endpointsFromEnvironment(input.env, { vpc: input.options.vpc });
  } catch (error) {
    return failed(input, store, failureFrom(error, host.host, undefined, undefined));
  }
  const budget = startBudget();
  const session: Session = {
    input,
    store,
    config,
    host,
    cloud: { endpoints, budget },
    metadata: { baseUrl: endpoints.metadataBaseUrl, allowImdsV1: input.options.allowImdsV1, budget },
    secrets: new Set(config.registries.flatMap((e) => (e.credentials.kind === 'access-key' && e.credentials.inlineSecret ? [e.credentials.inlineSecret] : []))),
    credentials: new Map(),
    nodeRegion: input.options.region,
  };

  // A bug must still end in one line naming the registry, not a stack trace.
  return decide(session, notes).catch((error: unknown) => failedIn(session, failureFrom(error, host.host, undefined, undefined)));
};
