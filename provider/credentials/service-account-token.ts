// What the kubelet's ServiceAccount-token mode hands the provider: the token
// (its claims read, never verified: STS verifies it) and the annotations the
// provider entry asked for. No imports: the cache-hit path reads a token's
// claims before it decides whether anything more needs loading.

/** The annotation keys' domain: the project's, so they never collide with another tool's. */
export const ANNOTATION_DOMAIN = 'acr-credential-provider.io';
/** A full role ARN: `acs:ram::<account>:role/<name>`. */
export const ROLE_ARN_ANNOTATION = `${ANNOTATION_DOMAIN}/role-arn`;
/** The OIDC provider, where the cluster's is not in acr-configuration (or is another). */
export const OIDC_PROVIDER_ANNOTATION = `${ANNOTATION_DOMAIN}/oidc-provider-arn`;
/** ACK's own pod-identity annotation: a role name in the OIDC provider's account. */
export const ACK_ROLE_NAME_ANNOTATION = 'pod-identity.alibabacloud.com/role-name';
/** What the kubelet's tokenAttributes lists as optional keys: the only annotations a request carries. */
export const WORKLOAD_ANNOTATIONS = [ROLE_ARN_ANNOTATION, OIDC_PROVIDER_ANNOTATION, ACK_ROLE_NAME_ANNOTATION] as const;
/** RRSA's audience: STS accepts ServiceAccount tokens issued for it. */
export const RRSA_AUDIENCE = 'sts.aliyuncs.com';

/** What a ServiceAccount token says about its holder. */
export interface ServiceAccountClaims {
  issuer: string;
  /** `system:serviceaccount:<namespace>:<name>`: what a role's trust policy matches (`oidc:sub`). */
  subject: string;
  namespace: string;
  name: string;
  /** The ServiceAccount object's UID: a deleted and recreated ServiceAccount is another identity. */
  uid: string | undefined;
  audiences: string[];
  /** epoch ms. */
  expiresAt: number;
}

/** Why a request cannot use its ServiceAccount, in the fields an operator reads. */
export interface WorkloadRefusal {
  /** 2: a setting someone must correct (the kubelet entry, an annotation); 1: the pull may work later. */
  exitCode: 1 | 2;
  code: string;
  message: string;
  fix: string;
}

export type TokenReading = { ok: true; claims: ServiceAccountClaims } | ({ ok: false } & WorkloadRefusal);

const SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function invalid(detail: string): TokenReading {
  return {
    ok: false,
    exitCode: 2,
    code: 'ServiceAccountTokenInvalid',
    message: `the ServiceAccount token from the kubelet is not a Kubernetes ServiceAccount JWT (${detail})`,
    fix: 'check that the kubelet runs this provider entry with tokenAttributes (it sends the token it requested from the API server); see `acr-credential-provider --help`',
  };
}

/** Reads the claims of a ServiceAccount token without verifying its signature: STS does that. */
export function readServiceAccountToken(token: string): TokenReading {
  const parts = token.split('.');
  if (parts.length !== 3) return invalid(`${parts.length} parts instead of 3`);
  const payload = decodeSegment(parts[1]!);
  if (typeof payload !== 'object' || payload === null) return invalid('its payload is not JSON');
  const claims = payload as Record<string, unknown>;
  const subject = typeof claims.sub === 'string' ? SUBJECT.exec(claims.sub) : null;
  if (!subject) return invalid('its subject is not system:serviceaccount:<namespace>:<name>');
  if (typeof claims.exp !== 'number') return invalid('it has no expiry');
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  const kubernetes = (claims['kubernetes.io'] ?? {}) as { serviceaccount?: { uid?: unknown } };
  const uid = kubernetes.serviceaccount?.uid;
  return {
    ok: true,
    claims: {
      issuer: typeof claims.iss === 'string' ? claims.iss : '',
      subject: claims.sub as string,
      namespace: subject[1]!,
      name: subject[2]!,
      uid: typeof uid === 'string' ? uid : undefined,
      audiences: audiences.filter((a): a is string => typeof a === 'string'),
      expiresAt: claims.exp * 1000,
    },
  };
}

/** `ns/name`: how messages name a ServiceAccount. */
export function serviceAccountName(claims: Pick<ServiceAccountClaims, 'namespace' | 'name'>): string {
  return `${claims.namespace}/${claims.name}`;
}

/**
 * What a token must be before anything is answered with it, even from the
 * cache: unexpired and for RRSA's audience (STS checks both again).
 */
export function tokenRefusal(claims: ServiceAccountClaims, now: number): WorkloadRefusal | undefined {
  const who = `ServiceAccount ${serviceAccountName(claims)}`;
  if (claims.expiresAt <= now) {
    return {
      exitCode: 1,
      code: 'ServiceAccountTokenExpired',
      message: `the token of ${who} expired at ${new Date(claims.expiresAt).toISOString()}`,
      fix: "check the node's clock (NTP): the kubelet requests a fresh token for every pull",
    };
  }
  if (!claims.audiences.includes(RRSA_AUDIENCE)) {
    return {
      exitCode: 2,
      code: 'ServiceAccountTokenAudience',
      message: `the token of ${who} is for ${claims.audiences.join(', ') || 'no audience'}, not ${RRSA_AUDIENCE}`,
      fix: `set tokenAttributes.serviceAccountTokenAudience to ${RRSA_AUDIENCE} in the kubelet's CredentialProviderConfig (acr-node-setup writes it so)`,
    };
  }
  return undefined;
}
