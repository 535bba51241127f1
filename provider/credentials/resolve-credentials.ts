// The one driver of "which ACR credentials answer this registry host": the
// provider runs it to answer the kubelet, `kubectl acr credentials` to explain
// a pull, and the Secret sync to get a token for an entry. It runs the pure
// resolution (registry/resolution.ts), does each look-up it asks for, then
// obtains the entry's credentials (credential-chain.ts) and the ACR token by
// edition. What differs between the callers is passed in: caches
// (`ResolutionIo`) and what they want to hear about each step
// (`ResolutionObserver`).
import { secretsOf, type CloudCredentials } from '../cloud/cloud-credentials.js';
import { CloudError } from '../cloud/cloud-error.js';
import {
  getAuthorizationToken,
  getPersonalToken,
  listInstanceDomains,
  listInstances,
  type AcrToken,
} from '../cloud/cr-client.js';
import { EndpointOverrideError } from '../cloud/endpoints.js';
import { environmentCredentials, environmentCredentialVariables } from '../cloud/node-identity.js';
import type { CloudContext } from '../cloud/openapi-call.js';
import type { Failure } from '../common/failure.js';
import type { AcrConfiguration, RegistryEntry } from '../configuration/model.js';
import type { AcrHost } from '../registry/registry-host.js';
import {
  instanceKey,
  resolveRegistry,
  type Lookup,
  type Resolution,
  type TokenTarget,
} from '../registry/resolution.js';
import { assumeEntryRole, entryBaseCredentials, type CredentialContext } from './credential-chain.js';
import { describeIdentity, describeTarget, identityKey } from './identity.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Resolution asks for at most a few look-ups; this only stops a bug from looping. */
export const MAX_LOOKUPS = 32;

type Env = Record<string, string | undefined>;
type CacheKey = readonly string[];

/** The edges the driver works through: the cloud, the clock, and the caller's caches. */
export interface ResolutionIo {
  config: AcrConfiguration;
  env: Env;
  cloud: CloudContext;
  /** `--region`: the node's region without asking the metadata service. */
  region: string | undefined;
  /** Part of the token's cache key: VPC endpoints are another set of endpoints. */
  vpc: boolean;
  /** The chain's files: mirrored Secret keys and the RRSA token. */
  secretsDir: string;
  rrsaTokenFile: string;
  /** STS RoleSessionName, visible in the ActionTrail of the role's account. */
  roleSessionName?: string;
  /** Names the metadata service in the cache key of its answers. */
  metadataBaseUrl: string;
  now(): number;
  /** The node's identity (ALIBABA_CLOUD_ACCESS_KEY_* or the ECS RAM role). */
  nodeCredentials(): Promise<CloudCredentials>;
  /** The node's region, from the ECS metadata service. */
  metadataRegion(): Promise<string>;
  /**
   * A look-up's answer: from the caller's cache while in date, else `fetch`
   * (kept unless undefined: "not found" may change any minute).
   */
  remember<T>(
    key: CacheKey,
    accept: (value: unknown) => value is T,
    fetch: () => Promise<T | undefined>,
  ): Promise<{ value: T | undefined; expiresAt: number }>;
  /** The token under `key`: from the caller's cache while fresh, else `fetch`. */
  token(key: CacheKey, fetch: () => Promise<AcrToken>): Promise<AcrToken>;
}

export type NodeRegionSource = 'flag' | 'metadata' | 'image-host' | 'image-host-after-metadata-failure';

/** What happened, step by step; a failure is reported once, in the step it happened in. */
export type ResolutionStep =
  | { kind: 'node-region'; region: string; source: NodeRegionSource; metadataCode?: string }
  | { kind: 'instance-domains'; instanceId: string; region: string; identity?: string; domains: readonly string[] }
  | { kind: 'instance-by-name'; instanceName: string; region: string; identity?: string; instanceId?: string }
  | { kind: 'decided'; resolution: Settled }
  | { kind: 'credentials'; entry: RegistryEntry | undefined; credentials: CloudCredentials }
  | { kind: 'assume-role'; roleArn: string; credentials: CloudCredentials }
  | { kind: 'token'; target: TokenTarget; token: AcrToken; authHosts: readonly string[] }
  | { kind: 'failed'; phase: Phase; entry: RegistryEntry | undefined; error: unknown };

export type Phase = Lookup['kind'] | 'credentials' | 'assume-role' | 'token';

export interface ResolutionObserver {
  step(step: ResolutionStep): void;
}

export type Settled = Exclude<Resolution, { kind: 'lookup' }>;

export type ResolutionResult =
  | {
      kind: 'served';
      target: TokenTarget;
      entry: RegistryEntry | undefined;
      authHosts: string[];
      token: AcrToken;
      tokenKey: CacheKey;
      /** epoch ms: when the look-ups this answer stands on stop being trusted. */
      validUntil: number;
      secrets: string[];
    }
  | { kind: 'not-served'; validUntil: number; secrets: string[] }
  | { kind: 'failed'; failure: Failure; secrets: string[] };

/** The run's state: what the look-ups found, credentials per identity, secrets met. */
interface Run {
  host: AcrHost;
  io: ResolutionIo;
  observer: ResolutionObserver;
  nodeRegion: string | undefined;
  instanceDomains: Map<string, readonly string[]>;
  instanceIds: Map<string, string | null>;
  credentials: Map<string, Promise<CloudCredentials>>;
  secrets: Set<string>;
  /** Errors already reported in their own step, so the outer one does not report them again. */
  reported: WeakSet<object>;
}

const isText = (value: unknown): value is string => typeof value === 'string';
const isTextList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Runs `work` as `phase`: a failure is reported once, in the innermost phase it happened in. */
async function inPhase<T>(
  run: Run,
  phase: Phase,
  entry: RegistryEntry | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(typeof error === 'object' && error !== null && run.reported.has(error))) {
      run.observer.step({ kind: 'failed', phase, entry, error });
      if (typeof error === 'object' && error !== null) run.reported.add(error);
    }
    throw error;
  }
}

function remember(run: Run, credentials: CloudCredentials): CloudCredentials {
  for (const secret of secretsOf(credentials)) run.secrets.add(secret);
  return credentials;
}

function credentialContext(run: Run, region: string): CredentialContext {
  const { io } = run;
  return {
    cloud: io.cloud,
    defaultRegion: run.nodeRegion ?? region,
    secretsDir: io.secretsDir,
    rrsaTokenFile: io.rrsaTokenFile,
    nodeCredentials: () => io.nodeCredentials(),
    ...(io.roleSessionName ? { roleSessionName: io.roleSessionName } : {}),
  };
}

/** The credentials of `entry` (the node's identity when undefined), fetched once per identity and run. */
function credentialsFor(run: Run, entry: RegistryEntry | undefined, region: string): Promise<CloudCredentials> {
  const key = identityKey(entry, run.io.env);
  let pending = run.credentials.get(key);
  if (!pending) {
    pending = obtainCredentials(run, entry, region);
    run.credentials.set(key, pending);
  }
  return pending;
}

async function obtainCredentials(
  run: Run,
  entry: RegistryEntry | undefined,
  region: string,
): Promise<CloudCredentials> {
  const context = credentialContext(run, region);
  const base = await inPhase(run, 'credentials', entry, async () =>
    remember(run, entry ? await entryBaseCredentials(entry, context) : await run.io.nodeCredentials()),
  );
  run.observer.step({ kind: 'credentials', entry, credentials: base });
  if (!entry?.assumeRole) return base;
  const roleArn = entry.assumeRole.roleArn;
  const assumed = await inPhase(run, 'assume-role', entry, async () =>
    remember(run, await assumeEntryRole(entry, base, context)),
  );
  run.observer.step({ kind: 'assume-role', roleArn, credentials: assumed });
  return assumed;
}

/** The identity the credentials turned out to be (e.g. `role/KubernetesWorkerRole`), once obtained. */
async function settledIdentity(run: Run, entry: RegistryEntry | undefined): Promise<string | undefined> {
  const pending = run.credentials.get(identityKey(entry, run.io.env));
  return pending?.then(
    (credentials) => credentials.identity,
    () => undefined,
  );
}

/** --region, else off cloud the image host's region, else the metadata service (falling back to the image host). */
async function nodeRegion(run: Run): Promise<{ region: string; source: NodeRegionSource; metadataCode?: string }> {
  const { io, host } = run;
  if (io.region !== undefined) return { region: io.region, source: 'flag' };
  const hostRegion = host.kind === 'other' ? undefined : host.region;
  if (environmentCredentials(io.env) && hostRegion) return { region: hostRegion, source: 'image-host' };
  try {
    const found = await io.remember(['node-region', io.metadataBaseUrl], isText, () => io.metadataRegion());
    if (found.value !== undefined) return { region: found.value, source: 'metadata' };
  } catch (error) {
    if (!(error instanceof CloudError) || hostRegion === undefined) throw error;
    return { region: hostRegion, source: 'image-host-after-metadata-failure', metadataCode: error.failure.code };
  }
  throw new Error('the metadata service named no region');
}

/** Does one look-up into the run's state; returns when its answer stops being trusted. */
async function lookUp(run: Run, lookup: Lookup): Promise<number> {
  const { io, observer } = run;
  const endpoint = io.env['ACR_PROVIDER_CR_ENDPOINT'] ?? '';
  switch (lookup.kind) {
    case 'node-region': {
      const found = await nodeRegion(run);
      run.nodeRegion = found.region;
      observer.step({ kind: 'node-region', ...found });
      return io.now() + DAY_MS;
    }
    case 'instance-domains': {
      const { instanceId, region, entry } = lookup;
      let identity: string | undefined;
      const found = await io.remember(['instance-domains', region, instanceId, endpoint], isTextList, async () => {
        const credentials = await credentialsFor(run, entry, region);
        identity = credentials.identity;
        return (await listInstanceDomains(credentials, instanceId, region, io.cloud)).map((d) => d.domain);
      });
      const domains = found.value ?? [];
      run.instanceDomains.set(instanceKey(region, instanceId), domains);
      observer.step({ kind: 'instance-domains', instanceId, region, domains, ...(identity ? { identity } : {}) });
      return found.expiresAt;
    }
    case 'instance-by-name': {
      const { instanceName, region } = lookup;
      let identity: string | undefined;
      const found = await io.remember(['instance-by-name', region, instanceName, endpoint], isText, async () => {
        const credentials = await credentialsFor(run, undefined, region);
        identity = credentials.identity;
        return (await listInstances(credentials, region, io.cloud, instanceName))[0]?.instanceId;
      });
      run.instanceIds.set(instanceKey(region, instanceName), found.value ?? null);
      observer.step({
        kind: 'instance-by-name',
        instanceName,
        region,
        ...(identity ? { identity } : {}),
        ...(found.value ? { instanceId: found.value } : {}),
      });
      return found.expiresAt;
    }
  }
}

/** The failure as an operator reads it, from whatever was thrown. */
export function failureFrom(error: unknown, context: Pick<Failure, 'host' | 'instance' | 'identity'>): Failure {
  if (error instanceof CloudError) {
    const f = error.failure;
    return { exitCode: 1, ...context, code: f.code, requestId: f.requestId, message: f.message, fix: f.fix };
  }
  if (error instanceof EndpointOverrideError) return { exitCode: 2, host: context.host, message: error.message };
  return {
    exitCode: 1,
    ...context,
    code: 'InternalError',
    message: `unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
  };
}

function lookupInstance(lookup: Lookup): string | undefined {
  if (lookup.kind === 'node-region') return undefined;
  return `${lookup.kind === 'instance-domains' ? lookup.instanceId : lookup.instanceName} (${lookup.region})`;
}

async function failed(run: Run, error: unknown, instance: string | undefined, entry: RegistryEntry | undefined) {
  const identity = (await settledIdentity(run, entry)) ?? describeIdentity(entry, run.io.env);
  return {
    kind: 'failed' as const,
    failure: failureFrom(error, { host: run.host.host, instance, identity }),
    secrets: [...run.secrets],
  };
}

function tokenFor(run: Run, target: TokenTarget, entry: RegistryEntry | undefined): Promise<AcrToken> {
  return inPhase(run, 'token', entry, async () => {
    const credentials = await credentialsFor(run, entry, target.region);
    return target.edition === 'enterprise'
      ? getAuthorizationToken(credentials, target.instanceId, target.region, run.io.cloud)
      : getPersonalToken(credentials, target.region, run.io.cloud);
  });
}

async function answer(run: Run, resolution: Settled, validUntil: number): Promise<ResolutionResult> {
  const { io, host } = run;
  switch (resolution.kind) {
    case 'not-served':
      return { kind: 'not-served', validUntil, secrets: [...run.secrets] };
    case 'unknown-instance': {
      const identity = (await settledIdentity(run, undefined)) ?? describeIdentity(undefined, io.env);
      const failure: Failure = {
        exitCode: 1,
        host: host.host,
        instance: `${resolution.instanceName} (${resolution.region})`,
        identity,
        code: 'InstanceNotFound',
        message: `no Enterprise Edition instance named ${resolution.instanceName} in ${resolution.region} is visible to ${identity}`,
        fix: `add the instance to acr-registry-info (kubectl acr configure --instance-id <cri-…> --region ${resolution.region}; with assumeRoleARN or customAccessKey if it belongs to another account), or grant the node's RAM role cr:ListInstance, cr:ListInstanceEndpoint, cr:GetAuthorizationToken and cr:PullRepository`,
      };
      return { kind: 'failed', failure, secrets: [...run.secrets] };
    }
    case 'registry': {
      const { target, entry, authHosts } = resolution;
      const tokenKey = [
        'token',
        describeTarget(target),
        identityKey(entry, io.env),
        io.env['ACR_PROVIDER_CR_ENDPOINT'] ?? '',
        String(io.vpc),
      ];
      let token: AcrToken;
      try {
        token = await io.token(tokenKey, () => tokenFor(run, target, entry));
      } catch (error) {
        return failed(run, error, describeTarget(target), entry);
      }
      run.secrets.add(token.password);
      run.observer.step({ kind: 'token', target, token, authHosts });
      return { kind: 'served', target, entry, authHosts, token, tokenKey, validUntil, secrets: [...run.secrets] };
    }
  }
}

/**
 * Resolves `host` to the ACR credentials that answer it: the entry that
 * claims it, the look-ups that takes, the entry's credentials and the token.
 */
export async function resolveCredentials(
  host: AcrHost,
  io: ResolutionIo,
  observer: ResolutionObserver = { step: () => undefined },
): Promise<ResolutionResult> {
  const inline = io.config.registries.flatMap((e) =>
    e.credentials.kind === 'access-key' && e.credentials.inlineSecret ? [e.credentials.inlineSecret] : [],
  );
  const fromEnvironment = io.env[environmentCredentialVariables.accessKeySecret];
  const run: Run = {
    host,
    io,
    observer,
    nodeRegion: io.region,
    instanceDomains: new Map(),
    instanceIds: new Map(),
    credentials: new Map(),
    secrets: new Set([...inline, ...(fromEnvironment ? [fromEnvironment] : [])]),
    reported: new WeakSet(),
  };
  let validUntil = io.now() + DAY_MS;
  for (let step = 0; step < MAX_LOOKUPS; step++) {
    const resolution = resolveRegistry(host, io.config.registries, run);
    if (resolution.kind !== 'lookup') {
      observer.step({ kind: 'decided', resolution });
      return answer(run, resolution, validUntil);
    }
    const { lookup } = resolution;
    const entry = lookup.kind === 'instance-domains' ? lookup.entry : undefined;
    try {
      validUntil = Math.min(validUntil, await inPhase(run, lookup.kind, entry, () => lookUp(run, lookup)));
    } catch (error) {
      return failed(run, error, lookupInstance(lookup), entry);
    }
  }
  const failure = failureFrom(new Error('the registry resolution did not settle'), { host: host.host });
  return { kind: 'failed', failure, secrets: [...run.secrets] };
}
