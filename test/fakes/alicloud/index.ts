import { FaultTable, type Fault } from './faults.js';
import { listen, type RecordedRequest } from './server.js';
import {
  createState,
  type Clock,
  type Instance,
  type IssuedToken,
  type MetadataSettings,
  type OidcProvider,
} from './state.js';

/**
 * One loopback HTTP server playing every Alibaba Cloud endpoint the project calls: ECS metadata, STS, CR 2018-12-01,
 * CR 2016-06-07 GET /tokens and a registry's GET /v2/. Requests are authenticated the way the real gateway does it
 * (ACS3-HMAC-SHA256 or RPC HMAC-SHA1 signatures, security tokens, nonces), so a test passes only if the SDK wiring is right.
 *
 *   const fake = await startFakeAlicloud();
 *   fake.addInstance({ instanceId: 'cri-1', instanceName: 'acme', region: 'cn-hangzhou', domains: [...], allowedPrincipals: [fake.metadata.principal] });
 *   // point ACR_PROVIDER_METADATA_ENDPOINT / _CR_ENDPOINT / _STS_ENDPOINT at fake.url, run, then inspect
 *   fake.issuedTokens(); fake.count('GetAuthorizationToken'); fake.requests;
 *
 * Action names for fault() and count(): GetAuthorizationToken, ListInstance, ListInstanceEndpoint,
 * GetPersonalToken (GET /tokens), AssumeRole, AssumeRoleWithOIDC, MetadataToken, MetadataRole, MetadataCredentials,
 * MetadataRegion, RegistryV2.
 */

export type { Fault } from './faults.js';
export type { RecordedRequest } from './server.js';
export type { DomainType, Instance, IssuedToken, MetadataSettings } from './state.js';

export interface FakeAlicloudOptions {
  /** The region of the node and of CR requests that carry no RegionId. Default 'cn-hangzhou'. */
  region?: string;
  /** Milliseconds since the epoch; pass a controllable clock to expire credentials without waiting. */
  now?: Clock;
}

export interface FakeAlicloud {
  /** 'http://127.0.0.1:PORT', for ACR_PROVIDER_METADATA_ENDPOINT, ACR_PROVIDER_CR_ENDPOINT, ACR_PROVIDER_STS_ENDPOINT. */
  url: string;
  /** '127.0.0.1:PORT', openapi-core's `endpoint` form (use with protocol 'http'). */
  endpoint: string;
  addAccessKey(k: { accessKeyId: string; accessKeySecret: string; principal: string }): void;
  /** The instance's metadata service; mutate the fields to change what it answers. */
  metadata: MetadataSettings;
  /**
   * An AssumeRole target. maxSessionDuration defaults to RAM's own default, 3600 seconds; oidcSubjects is the trust
   * policy's `oidc:sub` condition for AssumeRoleWithOIDC (undefined: any subject of a trusted provider).
   */
  addRole(r: {
    arn: string;
    principal: string;
    trustedPrincipals: string[];
    maxSessionDuration?: number;
    oidcSubjects?: string[];
  }): void;
  /**
   * AssumeRoleWithOIDC accepts exactly `token`, or (a cluster issuer) RS256 tokens signed by `publicKey` with `issuer`,
   * one of `clientIds` as audience and an expiry still ahead; the role must list the provider ARN in trustedPrincipals.
   */
  addOidcProvider(p: OidcProvider): void;
  /** Domains with '-vpc.' in them are the instance's VPC endpoint; the others its internet endpoint. */
  addInstance(i: Instance): void;
  /** Who may call GET /tokens (Personal Edition) in a region. */
  allowPersonal(region: string, principals: string[]): void;
  /** Moves the clock request timestamps are checked against (the machine's by default). */
  setGatewayClock(now: Clock): void;
  fault(action: string, f: Fault): void;
  clearFaults(): void;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  count(action: string): number;
  issuedTokens(): IssuedToken[];
  /** Forgets requests, not configuration. */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeAlicloud(options: FakeAlicloudOptions = {}): Promise<FakeAlicloud> {
  const state = createState(options.region ?? 'cn-hangzhou', options.now ?? Date.now);
  const faults = new FaultTable();
  const requests: RecordedRequest[] = [];
  const { server, port } = await listen({ state, faults, requests });
  const endpoint = `127.0.0.1:${port}`;

  return {
    url: `http://${endpoint}`,
    endpoint,
    metadata: state.metadata,
    requests,
    addAccessKey(k) {
      state.keys.set(k.accessKeyId, { kind: 'long-lived', ...k });
    },
    addRole(r) {
      state.roles.set(r.arn, {
        ...r,
        trustedPrincipals: [...r.trustedPrincipals],
        ...(r.oidcSubjects ? { oidcSubjects: [...r.oidcSubjects] } : {}),
        maxSessionDuration: r.maxSessionDuration ?? 3600,
      });
    },
    addOidcProvider(p) {
      state.oidcProviders.set(p.arn, { ...p });
    },
    addInstance(i) {
      state.instances.set(i.instanceId, {
        ...i,
        domains: i.domains.map((d) => ({ ...d })),
        allowedPrincipals: [...i.allowedPrincipals],
      });
    },
    setGatewayClock(now) {
      state.gatewayNow = now;
    },
    allowPersonal(region, principals) {
      const allowed = state.personal.get(region) ?? new Set<string>();
      for (const principal of principals) allowed.add(principal);
      state.personal.set(region, allowed);
    },
    fault(action, f) {
      faults.set(action, f);
    },
    clearFaults() {
      faults.clear();
    },
    count(action) {
      return requests.filter((r) => r.action === action).length;
    },
    issuedTokens() {
      return state.issuedTokens.map((t) => ({ ...t }));
    },
    reset() {
      requests.splice(0, requests.length);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
