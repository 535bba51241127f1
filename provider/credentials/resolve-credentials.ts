// The one driver of "which ACR credentials answer this registry host": the
// provider runs it to answer the kubelet, `kubectl acr credentials` to explain
// a pull, and the Secret sync to get a token for an entry. It runs the pure
// resolution (registry/resolution.ts), does each look-up it asks for, then
// obtains the entry's credentials (credential-chain.ts) and the ACR token by
// edition. What differs between the callers is passed in: caches
// (`ResolutionIo`) and what they want to hear about each step
// (`ResolutionObserver`).
import { CloudError } from '../cloud/cloud-error.js';
import {
  getAuthorizationToken,
  getPersonalToken,
  listInstanceDomains,
  listInstances,
  type AcrToken,
} from '../cloud/cr-client.js';
import { environmentCredentials, environmentCredentialVariables } from '../cloud/node-identity.js';
import { failureFrom } from './operator-failure.js';
import type { Failure } from '../common/failure.js';
import type { RegistryEntry } from '../configuration/model.js';
import type { NodeRegionSource, ResolutionIo, ResolutionObserver, ResolutionResult, Settled } from './resolution-io.js';
import type { AcrHost } from '../registry/registry-host.js';
import { instanceKey, resolveEntry, resolveRegistry, type Lookup, type TokenTarget } from '../registry/resolution.js';
import { describeIdentity, describeTarget, identityKey } from './identity.js';
import { credentialsFor, inPhase, settledIdentity, type Run, type Subject } from './resolution-run.js';

/** How long a look-up's answer (node region, instance domains, instance id) is trusted. */
export const LOOKUP_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Resolution asks for at most a few look-ups; this only stops a bug from looping. */
export const MAX_LOOKUPS = 32;

const isText = (value: unknown): value is string => typeof value === 'string';
const isTextList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** --region, else off cloud the image host's region, else the metadata service (falling back to the image host). */
async function nodeRegion(run: Run): Promise<{ region: string; source: NodeRegionSource; metadataCode?: string }> {
  const { io } = run;
  if (io.region !== undefined) return { region: io.region, source: 'flag' };
  const hostRegion = run.subject.hostRegion;
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
      return io.now() + LOOKUP_LIFETIME_MS;
    }
    case 'instance-domains': {
      const { instanceId, region, entry } = lookup;
      let identity: string | undefined;
      const found = await io.remember(['instance-domains', region, instanceId, endpoint], isTextList, async () => {
        const credentials = await credentialsFor(run, entry, region).final;
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
        const credentials = await credentialsFor(run, undefined, region).final;
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

function lookupInstance(lookup: Lookup): string | undefined {
  if (lookup.kind === 'node-region') return undefined;
  return `${lookup.kind === 'instance-domains' ? lookup.instanceId : lookup.instanceName} (${lookup.region})`;
}

async function failed(run: Run, error: unknown, instance: string | undefined, entry: RegistryEntry | undefined) {
  const identity = (await settledIdentity(run, entry)) ?? describeIdentity(entry, run.io.env, run.io.workload);
  return {
    kind: 'failed' as const,
    failure: failureFrom(error, { host: run.subject.host, instance, identity }),
    secrets: [...run.secrets],
  };
}

/** The token phase, step by step: the credentials it signs with, the role they assume, the token. */
async function tokenFor(run: Run, target: TokenTarget, entry: RegistryEntry | undefined): Promise<AcrToken> {
  const { observer, io } = run;
  const acquired = credentialsFor(run, entry, target.region);
  let credentials = await inPhase(run, { phase: 'credentials', entry }, acquired.base);
  observer.step({ kind: 'credentials', entry, credentials });
  if (entry?.assumeRole) {
    credentials = await inPhase(run, { phase: 'assume-role', entry }, acquired.final);
    observer.step({ kind: 'assume-role', roleArn: entry.assumeRole.roleArn, credentials });
  }
  const token =
    target.edition === 'enterprise'
      ? getAuthorizationToken(credentials, target.instanceId, target.region, io.cloud)
      : getPersonalToken(credentials, target.region, io.cloud);
  return inPhase(run, { phase: 'token', entry }, token);
}

async function answer(run: Run, resolution: Settled, validUntil: number): Promise<ResolutionResult> {
  const { io } = run;
  switch (resolution.kind) {
    case 'not-served':
      return { kind: 'not-served', validUntil, secrets: [...run.secrets] };
    case 'unknown-instance': {
      const identity = (await settledIdentity(run, undefined)) ?? describeIdentity(undefined, io.env, io.workload);
      const failure: Failure = {
        exitCode: 1,
        host: run.subject.host,
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
        identityKey(entry, io.env, io.workload),
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
export function resolveCredentials(
  host: AcrHost,
  io: ResolutionIo,
  observer: ResolutionObserver = { step: () => undefined },
): Promise<ResolutionResult> {
  const subject: Subject = {
    host: host.host,
    hostRegion: host.kind === 'other' ? undefined : host.region,
    decide: (facts) => resolveRegistry(host, io.config.registries, facts),
  };
  return drive(subject, io, observer);
}

/** One configured entry as what a run resolves: every host its token answers. */
function entrySubject(entry: RegistryEntry): Subject {
  return {
    host: `acr-registry-info entry ${entry.index + 1}`,
    hostRegion: entry.regionId,
    decide: (facts) => resolveEntry(entry, facts),
  };
}

/**
 * The ACR credentials of one configured entry and every host they answer:
 * what the Secret sync writes into a pull Secret.
 */
export function resolveEntryCredentials(
  entry: RegistryEntry,
  io: ResolutionIo,
  observer: ResolutionObserver = { step: () => undefined },
): Promise<ResolutionResult> {
  return drive(entrySubject(entry), io, observer);
}

/**
 * Every host an entry's token answers, without fetching the token: the
 * look-ups alone (instance domains with the entry's own credentials, cached
 * like the provider's). What acr-node-setup writes into matchImages.
 */
export async function resolveEntryHosts(
  entry: RegistryEntry,
  io: ResolutionIo,
): Promise<{ kind: 'hosts'; hosts: string[] } | Extract<ResolutionResult, { kind: 'failed' }>> {
  const settled = await settle(entrySubject(entry), io, { step: () => undefined });
  if ('kind' in settled) return settled;
  const { resolution } = settled;
  return { kind: 'hosts', hosts: resolution.kind === 'registry' ? resolution.authHosts : [] };
}

async function drive(subject: Subject, io: ResolutionIo, observer: ResolutionObserver): Promise<ResolutionResult> {
  const settled = await settle(subject, io, observer);
  return 'kind' in settled ? settled : answer(settled.run, settled.resolution, settled.validUntil);
}

/** Runs the look-ups the resolution asks for until it settles (or one fails). */
async function settle(
  subject: Subject,
  io: ResolutionIo,
  observer: ResolutionObserver,
): Promise<{ run: Run; resolution: Settled; validUntil: number } | Extract<ResolutionResult, { kind: 'failed' }>> {
  const inline = io.config.registries.flatMap((e) =>
    e.credentials.kind === 'access-key' && e.credentials.inlineSecret ? [e.credentials.inlineSecret] : [],
  );
  // The environment's AccessKey secret and token: redacted even from a failure before they are used.
  const fromEnvironment = [environmentCredentialVariables.accessKeySecret, environmentCredentialVariables.securityToken]
    .map((name) => io.env[name])
    .filter((value): value is string => value !== undefined && value !== '');
  if (io.workload) fromEnvironment.push(io.workload.token);
  const run: Run = {
    subject,
    io,
    observer,
    nodeRegion: io.region,
    instanceDomains: new Map(),
    instanceIds: new Map(),
    credentials: new Map(),
    secrets: new Set([...inline, ...fromEnvironment]),
  };
  let validUntil = io.now() + LOOKUP_LIFETIME_MS;
  for (let step = 0; step < MAX_LOOKUPS; step++) {
    const resolution = subject.decide(run);
    if (resolution.kind !== 'lookup') {
      observer.step({ kind: 'decided', resolution });
      return { run, resolution, validUntil };
    }
    const { lookup } = resolution;
    const entry = lookup.kind === 'instance-domains' ? lookup.entry : undefined;
    try {
      validUntil = Math.min(validUntil, await inPhase(run, { phase: lookup.kind, entry, lookup }, lookUp(run, lookup)));
    } catch (error) {
      return failed(run, error, lookupInstance(lookup), entry);
    }
  }
  const failure = failureFrom(new Error('the registry resolution did not settle'), { host: subject.host });
  return { kind: 'failed', failure, secrets: [...run.secrets] };
}
