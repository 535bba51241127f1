// Which configured entry, instance and region serve an image's registry host,
// decided over data only. What cannot be decided without asking Alibaba Cloud
// (the node's region, an instance's domains, an instance's id from its name)
// comes back as the one look-up to do next; the caller does it, adds the
// answer to the facts and asks again.
import type { RegistryEntry } from '../configuration/model.js';
import { classicRegionHosts, sameRegistryHosts, type AcrHost, type AcrRegistryHost } from './registry-host.js';

/** What an ACR token is requested for. */
export type TokenTarget =
  { edition: 'personal'; region: string } | { edition: 'enterprise'; instanceId: string; region: string };

export type Lookup =
  | { kind: 'node-region' }
  /** ListInstanceEndpoint, with the credentials of `entry` (the node's identity when undefined). */
  | { kind: 'instance-domains'; instanceId: string; region: string; entry: RegistryEntry | undefined }
  /** ListInstance by name, with the node's identity. */
  | { kind: 'instance-by-name'; instanceName: string; region: string };

export interface Facts {
  nodeRegion?: string | undefined;
  /** `instanceKey(region, instanceId)` → the instance's registry domains, lower-case host[:port]. */
  instanceDomains: ReadonlyMap<string, readonly string[]>;
  /** `instanceKey(region, instanceName)` → the instance id, or null when the identity sees no such instance. */
  instanceIds: ReadonlyMap<string, string | null>;
}

export type Resolution =
  | { kind: 'not-served' }
  | { kind: 'lookup'; lookup: Lookup }
  | { kind: 'unknown-instance'; instanceName: string; region: string }
  | {
      kind: 'registry';
      target: TokenTarget;
      /** The configured entry whose credentials are used; undefined = the node's identity. */
      entry: RegistryEntry | undefined;
      /** Response auth keys: the image's host first, then the other hosts of the same registry. */
      authHosts: string[];
    };

export function instanceKey(region: string, idOrName: string): string {
  return `${region}/${idOrName}`;
}

/** Credentials that are the node's own, with nothing assumed on top: same result as no entry at all. */
function usesNodeIdentity(entry: RegistryEntry): boolean {
  return entry.credentials.kind === 'node' && entry.assumeRole === undefined;
}

function unique(hosts: readonly string[]): string[] {
  return [...new Set(hosts)];
}

const NODE_REGION: Resolution = { kind: 'lookup', lookup: { kind: 'node-region' } };

/** An entry's region, or the node's; `undefined` while the node's region is not known yet. */
function entryRegion(entry: RegistryEntry, facts: Facts): string | undefined {
  return entry.regionId ?? facts.nodeRegion;
}

function registryRegion(host: AcrHost): string | undefined {
  return host.kind === 'other' ? undefined : host.region;
}

function targetFor(entry: RegistryEntry, region: string): TokenTarget {
  return entry.edition === 'enterprise'
    ? { edition: 'enterprise', instanceId: entry.instanceId, region }
    : { edition: 'personal', region };
}

/** Step 1: an entry that lists the host in `domains` wins, whatever the host's shape. */
function byExplicitDomains(host: AcrHost, entries: readonly RegistryEntry[], facts: Facts): Resolution | undefined {
  const entry = entries.find((e) => e.domains?.includes(host.host));
  if (!entry) return undefined;
  const region = entry.regionId ?? registryRegion(host) ?? facts.nodeRegion;
  if (region === undefined) return NODE_REGION;
  return {
    kind: 'registry',
    target: targetFor(entry, region),
    entry,
    authHosts: unique([host.host, ...(entry.domains ?? [])]),
  };
}

/** Step 2: an Enterprise entry without `domains` serves every domain of its instance. */
function byInstanceDomains(host: AcrHost, entries: readonly RegistryEntry[], facts: Facts): Resolution | undefined {
  if (host.kind === 'personal-classic') return undefined;
  const hostRegion = registryRegion(host);
  for (const entry of entries) {
    if (entry.edition !== 'enterprise' || entry.domains !== undefined) continue;
    const region = entryRegion(entry, facts);
    if (region === undefined) return NODE_REGION;
    // An instance's registry domains carry its region; only custom domains can be anywhere.
    if (hostRegion !== undefined && hostRegion !== region) continue;
    const domains = facts.instanceDomains.get(instanceKey(region, entry.instanceId));
    if (domains === undefined)
      return { kind: 'lookup', lookup: { kind: 'instance-domains', instanceId: entry.instanceId, region, entry } };
    if (domains.includes(host.host)) {
      return { kind: 'registry', target: targetFor(entry, region), entry, authHosts: unique([host.host, ...domains]) };
    }
  }
  return undefined;
}

/** Step 3: a Personal Edition entry without `domains` serves the Personal Edition registries of its region. */
function byPersonalRegion(
  host: AcrRegistryHost,
  entries: readonly RegistryEntry[],
  facts: Facts,
): Resolution | undefined {
  if (host.kind !== 'personal-classic' && host.kind !== 'personal-crpi') return undefined;
  const candidates = entries.filter((e) => e.edition === 'personal' && e.domains === undefined);
  for (const [i, entry] of candidates.entries()) {
    const region = entryRegion(entry, facts);
    if (region === undefined) {
      // The default entry (node identity, node region) gives the same answer as
      // no match, unless a later entry could claim this host: then the node's
      // region decides which one wins.
      const laterMayClaim = candidates
        .slice(i + 1)
        .some((e) => !usesNodeIdentity(e) && (e.regionId === undefined || e.regionId === host.region));
      if (usesNodeIdentity(entry) && !laterMayClaim) continue;
      return NODE_REGION;
    }
    if (region === host.region) {
      return {
        kind: 'registry',
        target: { edition: 'personal', region },
        entry,
        authHosts: unique([host.host, ...sameRegistryHosts(host)]),
      };
    }
  }
  return undefined;
}

/** Step 4: an ACR host no entry claims is served with the node's identity. */
function byNodeIdentity(host: AcrRegistryHost, facts: Facts): Resolution {
  if (host.kind !== 'enterprise') {
    return {
      kind: 'registry',
      target: { edition: 'personal', region: host.region },
      entry: undefined,
      authHosts: unique([host.host, ...sameRegistryHosts(host)]),
    };
  }
  const instanceId = facts.instanceIds.get(instanceKey(host.region, host.instanceName));
  if (instanceId === undefined)
    return {
      kind: 'lookup',
      lookup: { kind: 'instance-by-name', instanceName: host.instanceName, region: host.region },
    };
  if (instanceId === null) return { kind: 'unknown-instance', instanceName: host.instanceName, region: host.region };
  const domains = facts.instanceDomains.get(instanceKey(host.region, instanceId));
  if (domains === undefined)
    return { kind: 'lookup', lookup: { kind: 'instance-domains', instanceId, region: host.region, entry: undefined } };
  return {
    kind: 'registry',
    target: { edition: 'enterprise', instanceId, region: host.region },
    entry: undefined,
    authHosts: unique([host.host, ...domains, ...sameRegistryHosts(host)]),
  };
}

/** Resolves `host` against the configured entries in order: the first entry that claims the host wins. */
export function resolveRegistry(host: AcrHost, entries: readonly RegistryEntry[], facts: Facts): Resolution {
  const configured = byExplicitDomains(host, entries, facts) ?? byInstanceDomains(host, entries, facts);
  if (configured) return configured;
  if (host.kind === 'other') return { kind: 'not-served' };
  return byPersonalRegion(host, entries, facts) ?? byNodeIdentity(host, facts);
}

/**
 * What one configured entry serves, for callers that start from the entry
 * rather than an image (the Secret sync): its target and every host its
 * token answers — the listed `domains`, else the instance's domains, else the
 * classic Personal Edition hosts of its region (a `crpi-` host carries an id
 * no API gives: list it in `domains`).
 */
export function resolveEntry(entry: RegistryEntry, facts: Facts): Resolution {
  const region = entryRegion(entry, facts);
  if (region === undefined) return NODE_REGION;
  if (entry.domains !== undefined)
    return { kind: 'registry', target: targetFor(entry, region), entry, authHosts: unique(entry.domains) };
  if (entry.edition === 'personal')
    return { kind: 'registry', target: targetFor(entry, region), entry, authHosts: classicRegionHosts(region) };
  const domains = facts.instanceDomains.get(instanceKey(region, entry.instanceId));
  if (domains === undefined)
    return { kind: 'lookup', lookup: { kind: 'instance-domains', instanceId: entry.instanceId, region, entry } };
  return { kind: 'registry', target: targetFor(entry, region), entry, authHosts: unique([...domains]) };
}
