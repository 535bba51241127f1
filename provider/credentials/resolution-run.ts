// The state of one resolution run and the credentials it obtains: each
// identity's credentials once per run (before and after its assumeRoleARN),
// a pod's own role standing where the node's identity would, and every
// secret met, for redaction.
import { secretsOf, type CloudCredentials } from '../cloud/cloud-credentials.js';
import type { RegistryEntry } from '../configuration/model.js';
import type { Facts, Resolution } from '../registry/resolution.js';
import {
  assumeEntryRole,
  entryBaseCredentials,
  workloadCredentials,
  type CredentialContext,
} from './credential-chain.js';
import { identityKey } from './identity.js';
import type { FailedIn, ResolutionIo, ResolutionObserver } from './resolution-io.js';

/** What a run resolves: an image's registry host, or one configured entry. */
export interface Subject {
  /** Names the subject in failures: the host, or the entry. */
  host: string;
  /** The region the subject's own name gives, if any. */
  hostRegion: string | undefined;
  decide(facts: Facts): Resolution;
}

/** The run's state: what the look-ups found, credentials per identity, secrets met. */
export interface Run {
  subject: Subject;
  io: ResolutionIo;
  observer: ResolutionObserver;
  nodeRegion: string | undefined;
  instanceDomains: Map<string, readonly string[]>;
  instanceIds: Map<string, string | null>;
  credentials: Map<string, Acquired>;
  secrets: Set<string>;
}

/** One identity's credentials: before and after its `assumeRoleARN`. */
export interface Acquired {
  base: Promise<CloudCredentials>;
  final: Promise<CloudCredentials>;
}

/** Awaits `work` as `phase`: its failure is reported as a failed step, then thrown on. */
export async function inPhase<T>(run: Run, where: FailedIn, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    run.observer.step({ kind: 'failed', error, ...where });
    throw error;
  }
}

export function remember(run: Run, credentials: CloudCredentials): CloudCredentials {
  for (const secret of secretsOf(credentials)) run.secrets.add(secret);
  return credentials;
}

function credentialContext(run: Run, region: string): CredentialContext {
  const { io } = run;
  const { workload } = io;
  const cloud = io.cloud;
  return {
    cloud,
    defaultRegion: run.nodeRegion ?? region,
    secretsDir: io.secretsDir,
    rrsaTokenFile: io.rrsaTokenFile,
    // A pod pulling as its ServiceAccount's role stands where the node's identity would.
    nodeCredentials: () => (workload ? workloadCredentials(workload, region, { cloud }) : io.nodeCredentials()),
    ...(io.roleSessionName ? { roleSessionName: io.roleSessionName } : {}),
  };
}

/** The credentials of `entry` (the node's identity when undefined), obtained once per identity and run. */
export function credentialsFor(run: Run, entry: RegistryEntry | undefined, region: string): Acquired {
  const key = identityKey(entry, run.io.env, run.io.workload);
  let acquired = run.credentials.get(key);
  if (!acquired) {
    const context = credentialContext(run, region);
    const base = (entry ? entryBaseCredentials(entry, context) : context.nodeCredentials()).then((c) =>
      remember(run, c),
    );
    const final = base.then(async (c) => (entry ? remember(run, await assumeEntryRole(entry, c, context)) : c));
    // Each is awaited by the step that needs it; one no step awaited must not crash the process.
    base.catch(() => undefined);
    final.catch(() => undefined);
    acquired = { base, final };
    run.credentials.set(key, acquired);
  }
  return acquired;
}

/** The identity the credentials turned out to be (e.g. `role/KubernetesWorkerRole`), once obtained. */
export async function settledIdentity(run: Run, entry: RegistryEntry | undefined): Promise<string | undefined> {
  const pending = run.credentials.get(identityKey(entry, run.io.env, run.io.workload))?.final;
  return pending?.then(
    (credentials) => credentials.identity,
    () => undefined,
  );
}
