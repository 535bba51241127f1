import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';

/** What the fake knows about the outside world: identities, roles, instances, and what it has handed out. */

export type Clock = () => number;

/** A long-lived AccessKey, or one issued by STS/metadata (then it carries its token and expiry). */
export type AccessKey =
  | { kind: 'long-lived'; accessKeyId: string; accessKeySecret: string; principal: string }
  | {
      kind: 'sts';
      accessKeyId: string;
      accessKeySecret: string;
      principal: string;
      securityToken: string;
      expiresAt: number;
    };

export type StsKey = Extract<AccessKey, { kind: 'sts' }>;

export interface Role {
  arn: string;
  principal: string;
  trustedPrincipals: string[];
  /** RAM's MaxSessionDuration; RAM's own default is 3600 seconds. */
  maxSessionDuration: number;
  /** The trust policy's `StringEquals oidc:sub` condition; undefined = no condition on the subject. */
  oidcSubjects?: string[];
}

/**
 * An OIDC provider in RAM: either one fixed token (the RRSA file tests), or
 * a cluster's issuer whose RS256 tokens are verified like STS does:
 * signature, issuer, audience (the provider's client IDs) and expiry.
 */
export type OidcProvider =
  { arn: string; token: string } | { arn: string; issuer: string; publicKey: KeyObject; clientIds: string[] };

export type DomainType = 'SYSTEM' | 'USER';

export interface Instance {
  instanceId: string;
  instanceName: string;
  region: string;
  domains: { domain: string; type: DomainType }[];
  allowedPrincipals: string[];
}

export interface MetadataSettings {
  region: string;
  roleName: string | undefined;
  principal: string;
  imdsV1Allowed: boolean;
  down: boolean;
  credentialTtlSeconds: number;
}

export interface IssuedToken {
  username: string;
  password: string;
  instanceId?: string;
  region: string;
  principal: string;
  expiresAt: number;
}

export interface State {
  defaultRegion: string;
  /** The simulated clock of credentials and tokens (tests move it to expire them). */
  now: Clock;
  /**
   * The gateway's clock, which request timestamps are checked against. The
   * SDK stamps requests with the machine's time, so this stays the machine's
   * clock when a test moves `now`.
   */
  gatewayNow: Clock;
  keys: Map<string, AccessKey>;
  roles: Map<string, Role>;
  oidcProviders: Map<string, OidcProvider>;
  instances: Map<string, Instance>;
  personal: Map<string, Set<string>>;
  metadata: MetadataSettings;
  /** IMDSv2 session tokens → expiry (ms). */
  metadataTokens: Map<string, number>;
  /** The credentials the metadata service currently hands out, reused like the real one until they age. */
  metadataCredentials: { key: StsKey; issuedAt: number } | undefined;
  issuedTokens: IssuedToken[];
  /** Nonces already seen: the real gateway refuses a replayed SignatureNonce. */
  nonces: Set<string>;
}

export const DEFAULT_ROLE_NAME = 'KubernetesWorkerRole';

export function createState(region: string, now: Clock): State {
  return {
    defaultRegion: region,
    now,
    keys: new Map(),
    roles: new Map(),
    oidcProviders: new Map(),
    instances: new Map(),
    personal: new Map(),
    metadata: {
      region,
      roleName: DEFAULT_ROLE_NAME,
      principal: `role/${DEFAULT_ROLE_NAME}`,
      imdsV1Allowed: false,
      down: false,
      credentialTtlSeconds: 21600,
    },
    metadataTokens: new Map(),
    metadataCredentials: undefined,
    issuedTokens: [],
    nonces: new Set(),
    gatewayNow: Date.now,
  };
}

export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

function randomText(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** Alibaba Cloud expresses credential expiry with second precision; keeping ours whole-second makes it round-trip exactly. */
function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export function issueStsKey(state: State, principal: string, durationSeconds: number): StsKey {
  const key = {
    kind: 'sts' as const,
    accessKeyId: `STS.${randomText(18)}`,
    accessKeySecret: randomText(30),
    // Real STS tokens are long base64 blobs that start with "CAIS"; Malformed is decided on that shape.
    securityToken: `CAIS${randomText(96)}`,
    principal,
    expiresAt: wholeSeconds(state.now() + durationSeconds * 1000),
  };
  state.keys.set(key.accessKeyId, key);
  return key;
}

export function issueRegistryToken(state: State, token: Omit<IssuedToken, 'username' | 'password'>): IssuedToken {
  const issued: IssuedToken = { username: 'cr_temp_user', password: randomText(48), ...token };
  state.issuedTokens.push(issued);
  return issued;
}

/** ISO 8601 without milliseconds, the form STS and the metadata service use ('2026-01-02T03:04:05Z'). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
