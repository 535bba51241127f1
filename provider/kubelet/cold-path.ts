// Everything a cache miss needs: the configuration (YAML parser), the
// registry resolution with its look-ups, the credential chain and the ACR
// token, each cached, under locks so that concurrent invocations share one
// fetch. Loaded lazily (a separate bundle in the executable): the cache-hit
// path never pays for the YAML parser or the cloud SDK.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigurationData, parseConfigurationFile } from '../configuration/parse-configuration.js';
import type { AcrConfiguration, RegistryEntry } from '../configuration/model.js';
import { credentialsForEntry, type CredentialContext } from '../credentials/credential-chain.js';
import { secretsOf, type CloudCredentials } from '../cloud/cloud-credentials.js';
import { CloudError } from '../cloud/cloud-error.js';
import { getAuthorizationToken, getPersonalToken, listInstanceDomains, listInstances } from '../cloud/cr-client.js';
import { EndpointOverrideError, endpointsFromEnvironment } from '../cloud/endpoints.js';
import { fetchNodeCredentials, fetchNodeRegion, type MetadataOptions } from '../cloud/metadata-client.js';
import { environmentCredentials } from '../cloud/node-identity.js';
import type { CloudContext } from '../cloud/openapi-call.js';
import { startBudget } from '../cloud/retry.js';
import { singleFlight } from '../cache/file-lock.js';
import { formatProblem, type Problem } from '../common/problem.js';
import type { ColdPath, ColdPathInput, ColdPathResult, Failed } from './provide-credentials.js';
import { formatFailure, type ProviderFailure } from './provider-error.js';
import { classifyHost, type AcrHost } from '../registry/registry-host.js';
import {
  instanceKey,
  resolveRegistry,
  type Facts,
  type Lookup,
  type Resolution,
  type TokenTarget,
} from '../registry/resolution.js';
import { isCachedToken, isFresh, openCacheStore, type CacheStore, type CachedToken } from '../cache/cache-store.js';
import { ensureDirectory, writeFileAtomic } from '../cache/atomic-file.js';

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
  return problems
    .filter((p) => p.severity === 'error')
    .map((p) => formatProblem(p, source))
    .join('; ');
}

function loadConfiguration(input: ColdPathInput, store: CacheStore): Loaded<LoadedConfiguration> {
  const { options, logger } = input;
  let text: string;
  try {
    text = readFileSync(options.configPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      logger.log(
        'debug',
        `no configuration at ${options.configPath}: Personal Edition of the node's region with the node's identity`,
      );
      const parsed = parseConfigurationData({});
      if (parsed.ok) return { ok: true, value: { config: parsed.config, notes: [] } };
      return {
        ok: false,
        failure: {
          exitCode: 2,
          message: `the default configuration is invalid: ${describeProblems(parsed.problems, 'default')}`,
        },
      };
    }
    return fallBack(
      input,
      store,
      `cannot read ${options.configPath} (${code ?? 'error'})`,
      `let the provider (root on the node) read ${options.configPath}`,
    );
  }
  const parsed = parseConfigurationFile(text);
  if (parsed.ok) {
    for (const problem of parsed.problems) logger.log('info', formatProblem(problem, options.configPath));
    const stored = store.read('configuration', lastValidKey(options.configPath), isStoredConfiguration);
    if (stored?.text !== text)
      store.write('configuration', lastValidKey(options.configPath), { text } satisfies StoredConfiguration);
    return { ok: true, value: { config: parsed.config, notes: [] } };
  }
  // Each problem carries its own fix.
  return fallBack(input, store, describeProblems(parsed.problems, options.configPath), undefined);
}

function fallBack(
  input: ColdPathInput,
  store: CacheStore,
  reason: string,
  fix: string | undefined,
): Loaded<LoadedConfiguration> {
  const { options } = input;
  const stored = store.read('configuration', lastValidKey(options.configPath), isStoredConfiguration);
  const parsed = stored ? parseConfigurationFile(stored.text) : undefined;
  if (parsed?.ok) {
    const note = `acr-credential-provider: warning: the configuration ${options.configPath} is invalid, using the last valid one: ${reason}`;
    return { ok: true, value: { config: parsed.config, notes: [note] } };
  }
  return {
    ok: false,
    failure: {
      exitCode: 2,
      message: `the configuration ${options.configPath} is invalid and there is no last valid one to use: ${reason}`,
      fix,
    },
  };
}

// ---------------------------------------------------------------------------
// Who calls ACR, as a stable key (before any network call: it names the
// lock) and as a label for messages (never a secret).

function identityKey(entry: RegistryEntry | undefined, env: Record<string, string | undefined>): string {
  const source = entry?.credentials ?? { kind: 'node' as const };
  const base =
    source.kind === 'access-key'
      ? `accessKey ${source.accessKeyId}`
      : source.kind === 'rrsa'
        ? `rrsa ${source.roleArn} ${source.oidcProviderArn}`
        : `node ${env['ALIBABA_CLOUD_ACCESS_KEY_ID'] ?? 'metadata'}`;
  return entry?.assumeRole ? `${base} -> ${entry.assumeRole.roleArn} ${entry.assumeRole.durationSeconds}` : base;
}

function identityLabel(entry: RegistryEntry | undefined, env: Record<string, string | undefined>): string {
  const source = entry?.credentials ?? { kind: 'node' as const };
  const base =
    source.kind === 'access-key'
      ? `AccessKey ${source.accessKeyId}`
      : source.kind === 'rrsa'
        ? `RRSA role ${source.roleArn}`
        : env['ALIBABA_CLOUD_ACCESS_KEY_ID']
          ? `node AccessKey ${env['ALIBABA_CLOUD_ACCESS_KEY_ID']}`
          : "the node's RAM role";
  return entry?.assumeRole ? `${base} assuming ${entry.assumeRole.roleArn}` : base;
}

function describeTarget(target: TokenTarget): string {
  return target.edition === 'enterprise'
    ? `${target.instanceId} (${target.region})`
    : `Personal Edition (${target.region})`;
}

// ---------------------------------------------------------------------------
// The cloud, with the run's caches in front of it.

interface MutableFacts extends Facts {
  nodeRegion?: string | undefined;
  instanceDomains: Map<string, readonly string[]>;
  instanceIds: Map<string, string | null>;
}

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
  /** What the look-ups of this run found out. */
  facts: MutableFacts;
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
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.accessKeyId === 'string' &&
    typeof v.accessKeySecret === 'string' &&
    (v.securityToken === undefined || typeof v.securityToken === 'string') &&
    typeof v.expiresAt === 'number' &&
    typeof v.identity === 'string'
  );
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
    c !== undefined && c.expiresAt - session.config.expiringThresholdSeconds * 1000 - CREDENTIAL_MARGIN_MS > now()
      ? c
      : undefined;
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
      defaultRegion: session.facts.nodeRegion ?? region,
      secretsDir: join(session.input.options.configDir, 'secrets'),
      rrsaTokenFile: session.input.options.rrsaTokenFile,
      nodeCredentials: () => nodeCredentials(session),
    };
    if (entry?.credentials.kind === 'access-key' && entry.credentials.inlineSecret)
      session.secrets.add(entry.credentials.inlineSecret);
    pending = (entry ? credentialsForEntry(entry, context) : nodeCredentials(session)).then((credentials) => {
      for (const secret of secretsOf(credentials)) session.secrets.add(secret);
      return credentials;
    });
    session.credentials.set(key, pending);
  }
  return pending;
}

/** A look-up's answer as cached: an instance id, a region, or an instance's domains. */
interface StoredLookup<T> {
  value: T;
  expiresAt: number;
}

function isStoredText(value: unknown): value is StoredLookup<string> {
  const v = value as Partial<StoredLookup<unknown>> | null;
  return typeof v === 'object' && v !== null && typeof v.expiresAt === 'number' && typeof v.value === 'string';
}

function isStoredList(value: unknown): value is StoredLookup<string[]> {
  const v = value as Partial<StoredLookup<unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.expiresAt === 'number' &&
    Array.isArray(v.value) &&
    v.value.every((d) => typeof d === 'string')
  );
}

/** A cached answer still in date, else a fresh one from `fetch` (cached unless undefined: "not found" may change any minute). */
async function cachedLookup<T>(
  session: Session,
  key: string[],
  accept: (value: unknown) => value is StoredLookup<NonNullable<T>>,
  fetch: () => Promise<T>,
): Promise<StoredLookup<T>> {
  const { store, input } = session;
  const stored = store.read('lookup', key, accept);
  if (stored && stored.expiresAt > input.now()) return stored;
  const fresh = { value: await fetch(), expiresAt: input.now() + DAY_MS };
  if (fresh.value !== undefined) store.write('lookup', key, fresh);
  return fresh;
}

/** Does one look-up (from the cache for a day) into the run's facts; returns when its answer stops being trusted. */
async function lookUp(session: Session, lookup: Lookup): Promise<number> {
  const { now, env } = session.input;
  const { facts } = session;
  const endpoint = env['ACR_PROVIDER_CR_ENDPOINT'] ?? '';
  switch (lookup.kind) {
    case 'node-region':
      facts.nodeRegion = await nodeRegion(session);
      return now() + DAY_MS;
    case 'instance-domains': {
      const found = await cachedLookup(
        session,
        [lookup.kind, lookup.region, lookup.instanceId, endpoint],
        isStoredList,
        async () => {
          const credentials = await credentialsFor(session, lookup.entry, lookup.region);
          const domains = await listInstanceDomains(credentials, lookup.instanceId, lookup.region, session.cloud);
          return domains.map((d) => d.domain);
        },
      );
      facts.instanceDomains.set(instanceKey(lookup.region, lookup.instanceId), found.value);
      return found.expiresAt;
    }
    case 'instance-by-name': {
      const found = await cachedLookup(
        session,
        [lookup.kind, lookup.region, lookup.instanceName, endpoint],
        isStoredText,
        async () => {
          const credentials = await credentialsFor(session, undefined, lookup.region);
          const instances = await listInstances(credentials, lookup.region, session.cloud, lookup.instanceName);
          return instances[0]?.instanceId;
        },
      );
      facts.instanceIds.set(instanceKey(lookup.region, lookup.instanceName), found.value ?? null);
      return found.expiresAt;
    }
  }
}

/** --region, else the metadata service (cached), else — off Alibaba Cloud — the image host's region. */
async function nodeRegion(session: Session): Promise<string> {
  const { env, logger } = session.input;
  const hostRegion = session.host.kind === 'other' ? undefined : session.host.region;
  if (environmentCredentials(env) && hostRegion) return hostRegion;
  try {
    return (
      await cachedLookup(session, ['node-region', session.metadata.baseUrl], isStoredText, () =>
        fetchNodeRegion(session.metadata),
      )
    ).value;
  } catch (error) {
    if (!(error instanceof CloudError) || hostRegion === undefined) throw error;
    logger.log(
      'info',
      `the node's region is unknown (${error.failure.code}); using ${hostRegion} from the image host. Pass --region to avoid the metadata call.`,
    );
    return hostRegion;
  }
}

async function fetchToken(
  session: Session,
  target: TokenTarget,
  entry: RegistryEntry | undefined,
): Promise<CachedToken> {
  const credentials = await credentialsFor(session, entry, target.region);
  const token =
    target.edition === 'enterprise'
      ? await getAuthorizationToken(credentials, target.instanceId, target.region, session.cloud)
      : await getPersonalToken(credentials, target.region, session.cloud);
  session.secrets.add(token.password);
  return { username: token.username, password: token.password, expiresAt: token.expiresAt };
}

// ---------------------------------------------------------------------------

function failureFrom(
  error: unknown,
  host: string,
  instance: string | undefined,
  identity: string | undefined,
): ProviderFailure {
  if (error instanceof CloudError) {
    const f = error.failure;
    return {
      exitCode: 1,
      host,
      instance,
      identity,
      code: f.code,
      requestId: f.requestId,
      message: f.message,
      fix: f.fix,
    };
  }
  if (error instanceof EndpointOverrideError) return { exitCode: 2, host, message: error.message };
  return {
    exitCode: 1,
    host,
    instance,
    identity,
    code: 'InternalError',
    message: `unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
  };
}

type Settled = Exclude<Resolution, { kind: 'lookup' }>;

/** Resolves the host, doing the look-ups it asks for; with the time its answer stops being trusted. */
async function settle(
  session: Session,
): Promise<{ ok: true; resolution: Settled; validUntil: number } | { ok: false; result: ColdPathResult }> {
  let validUntil = session.input.now() + DAY_MS;
  for (let step = 0; step < MAX_LOOKUPS; step++) {
    const resolution = resolveRegistry(session.host, session.config.registries, session.facts);
    if (resolution.kind !== 'lookup') return { ok: true, resolution, validUntil };
    try {
      validUntil = Math.min(validUntil, await lookUp(session, resolution.lookup));
    } catch (error) {
      return { ok: false, result: failedIn(session, await lookupFailure(session, resolution.lookup, error)) };
    }
  }
  return {
    ok: false,
    result: failedIn(session, {
      exitCode: 1,
      host: session.host.host,
      code: 'InternalError',
      message: 'the registry resolution did not settle',
    }),
  };
}

async function decide(session: Session, notes: string[]): Promise<ColdPathResult> {
  const { input, host, store } = session;
  const settled = await settle(session);
  if (!settled.ok) return settled.result;
  const { resolution, validUntil } = settled;
  switch (resolution.kind) {
    case 'unknown-instance':
      return failedIn(session, {
        exitCode: 1,
        host: host.host,
        instance: `${resolution.instanceName} (${resolution.region})`,
        identity: identityLabel(undefined, input.env),
        code: 'InstanceNotFound',
        message: `no Enterprise Edition instance named ${resolution.instanceName} in ${resolution.region} is visible to the node's identity`,
        fix: `add the instance to acr-registry-info (instanceId, regionId, and assumeRoleARN or customAccessKey if it belongs to another account), or grant the node's RAM role cr:ListInstance, cr:ListInstanceEndpoint, cr:GetAuthorizationToken and cr:PullRepository`,
      });
    case 'not-served': {
      input.logger.log(
        'debug',
        `acr-credential-provider: ${host.host} is neither an ACR registry nor a configured domain: answering without credentials`,
      );
      const decision = { kind: 'not-served' as const, validUntil, notes };
      store.write('decision', input.decisionKey, decision);
      return { ok: true, kind: 'not-served', decision };
    }
    case 'registry':
      return answerWithToken(session, resolution, validUntil, notes);
  }
}

/** The token for a resolved registry: from the cache, or fetched by one process per token key. */
async function answerWithToken(
  session: Session,
  resolution: Extract<Resolution, { kind: 'registry' }>,
  validUntil: number,
  notes: string[],
): Promise<ColdPathResult> {
  const { input, config, host, store } = session;
  const { now, env, logger } = input;
  const { target, entry, authHosts } = resolution;
  const tokenKey = [
    'token',
    describeTarget(target),
    identityKey(entry, env),
    env['ACR_PROVIDER_CR_ENDPOINT'] ?? '',
    String(input.options.vpc),
  ];
  const threshold = config.expiringThresholdSeconds;
  let token: CachedToken;
  try {
    token = await singleFlight(store.lockPath('token', tokenKey), {
      ready: () => {
        const cached = store.read('token', tokenKey, isCachedToken);
        return cached && isFresh(cached, threshold, now()) ? cached : undefined;
      },
      produce: async () => {
        const fetched = await fetchToken(session, target, entry);
        const written = store.write('token', tokenKey, fetched);
        if (!written.ok)
          logger.log(
            'warn',
            `acr-credential-provider: warning: cannot cache the token in ${store.dir} (${written.error.code ?? 'error'}); every pull will fetch a new one`,
          );
        return fetched;
      },
      onUnavailable: (error) =>
        logger.log(
          'debug',
          `acr-credential-provider: no lock in ${store.dir} (${error.code ?? 'error'}); fetching without coordination`,
        ),
    });
  } catch (error) {
    const identity = (await settledIdentity(session, entry)) ?? identityLabel(entry, env);
    return failedIn(session, failureFrom(error, host.host, describeTarget(target), identity));
  }
  if (!isFresh(token, threshold, now())) {
    logger.log(
      'warn',
      `acr-credential-provider: warning: the token for ${host.host} expires within the expiring-threshold (${threshold}s); answering with cacheDuration 0s`,
    );
  }
  const decision = { kind: 'token' as const, tokenKey, authHosts, thresholdSeconds: threshold, validUntil, notes };
  store.write('decision', input.decisionKey, decision);
  return { ok: true, kind: 'token', decision, token };
}

async function lookupFailure(session: Session, lookup: Lookup, error: unknown): Promise<ProviderFailure> {
  const { env } = session.input;
  if (lookup.kind === 'node-region')
    return failureFrom(error, session.host.host, undefined, identityLabel(undefined, env));
  const entry = lookup.kind === 'instance-domains' ? lookup.entry : undefined;
  const instance = `${lookup.kind === 'instance-domains' ? lookup.instanceId : lookup.instanceName} (${lookup.region})`;
  return failureFrom(
    error,
    session.host.host,
    instance,
    (await settledIdentity(session, entry)) ?? identityLabel(entry, env),
  );
}

/** The identity the credentials turned out to be (e.g. `role/KubernetesWorkerRole`), when they were obtained. */
async function settledIdentity(session: Session, entry: RegistryEntry | undefined): Promise<string | undefined> {
  const pending = session.credentials.get(identityKey(entry, session.input.env));
  return pending?.then(
    (credentials) => credentials.identity,
    () => undefined,
  );
}

function failedIn(session: Session, failure: ProviderFailure): ColdPathResult {
  return failed(session.input, session.store, failure, session.secrets);
}

/** The failure as printed, also kept for the processes that waited on this one. */
function failed(
  input: ColdPathInput,
  store: CacheStore,
  failure: ProviderFailure,
  secrets: Iterable<string> = [],
): ColdPathResult {
  const result: Failed = { exitCode: failure.exitCode, line: formatFailure(failure, [...secrets]), at: input.now() };
  store.write('failure', input.decisionKey, result);
  return { ok: false, ...result };
}

export const coldPath: ColdPath = async (input) => {
  const host = classifyHost(input.image.host);
  const store = openCacheStore(input.options.cacheDir, { writeFileAtomic, ensureDirectory });
  const prepared = store.prepare();
  if (prepared.ok) store.prune(input.now());
  else
    input.logger.log(
      'warn',
      `acr-credential-provider: warning: the cache directory ${store.dir} is not usable (${prepared.error.code ?? 'error'}); answering without caching`,
    );
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
    secrets: new Set(
      config.registries.flatMap((e) =>
        e.credentials.kind === 'access-key' && e.credentials.inlineSecret ? [e.credentials.inlineSecret] : [],
      ),
    ),
    credentials: new Map(),
    facts: { nodeRegion: input.options.region, instanceDomains: new Map(), instanceIds: new Map() },
  };

  // A bug must still end in one line naming the registry, not a stack trace.
  return decide(session, notes).catch((error: unknown) =>
    failedIn(session, failureFrom(error, host.host, undefined, undefined)),
  );
};
