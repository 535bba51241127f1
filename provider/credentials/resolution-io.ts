// What the resolution driver needs from its caller and what it tells it:
// the edges (cloud, clock, caches), the steps it reports to an observer, and
// its result. The provider, `kubectl acr credentials` and the Secret sync
// each supply their own edges and observer.
import type { CloudCredentials } from '../cloud/cloud-credentials.js';
import type { AcrToken } from '../cloud/cr-client.js';
import type { CloudContext } from '../cloud/openapi-call.js';
import type { Failure } from '../common/failure.js';
import type { AcrConfiguration, RegistryEntry } from '../configuration/model.js';
import type { Lookup, Resolution, TokenTarget } from '../registry/resolution.js';
import type { WorkloadIdentity } from './workload-identity.js';

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
  /**
   * A pod pulling as its own ServiceAccount's role: it takes the node's
   * place wherever the node's identity would be used (entries without
   * credentials of their own, look-ups), and its own cache identity.
   */
  workload?: WorkloadIdentity;
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
  | ({ kind: 'failed'; error: unknown } & FailedIn);

export type Phase = Lookup['kind'] | 'credentials' | 'assume-role' | 'token';

/** Where a failure happened: the phase, the entry whose credentials were in use, the look-up if one. */
export interface FailedIn {
  phase: Phase;
  entry: RegistryEntry | undefined;
  lookup?: Lookup;
}

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
