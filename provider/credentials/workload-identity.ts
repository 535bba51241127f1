// A pod's own identity in the kubelet's ServiceAccount-token mode (RRSA):
// which RAM role its ServiceAccount's annotations name, which OIDC provider
// vouches for its token, whose identity answers a request, and the words and
// fixes for it. Pure: nothing here calls anything.
import type { PodIdentityConfiguration } from '../configuration/model.js';
import { OIDC_PROVIDER_ARN, ROLE_ARN } from '../configuration/registry-entry.js';
import {
  ACK_ROLE_NAME_ANNOTATION,
  OIDC_PROVIDER_ANNOTATION,
  readServiceAccountToken,
  ROLE_ARN_ANNOTATION,
  RRSA_AUDIENCE,
  serviceAccountName,
  tokenRefusal,
  type ServiceAccountClaims,
  type WorkloadRefusal,
} from './service-account-token.js';

const ROLE_NAME = /^[\w.@-]{1,64}$/;

/** The RAM role a ServiceAccount's annotations name, and the OIDC provider that vouches for its tokens. */
export type WorkloadRole =
  | { kind: 'none' }
  | { kind: 'role'; roleArn: string; oidcProviderArn: string; annotation: string }
  | ({ kind: 'invalid' } & WorkloadRefusal);

/** Reads the role annotations; the project's full ARN wins over ACK's role name. */
export function workloadRole(
  annotations: Readonly<Record<string, string>> | undefined,
  podIdentity: Pick<PodIdentityConfiguration, 'oidcProviderArn'>,
  serviceAccount: string,
): WorkloadRole {
  const value = (key: string) => {
    const text = annotations?.[key]?.trim();
    return text === '' ? undefined : text;
  };
  const roleArnValue = value(ROLE_ARN_ANNOTATION);
  const roleName = value(ACK_ROLE_NAME_ANNOTATION);
  if (roleArnValue === undefined && roleName === undefined) return { kind: 'none' };
  const refuse = (code: string, message: string, fix: string): WorkloadRole => ({
    kind: 'invalid',
    exitCode: 2,
    code,
    message,
    fix,
  });

  const oidcAnnotation = value(OIDC_PROVIDER_ANNOTATION);
  if (oidcAnnotation !== undefined && !OIDC_PROVIDER_ARN.shape.test(oidcAnnotation)) {
    return refuse(
      'InvalidRoleAnnotation',
      `annotation ${OIDC_PROVIDER_ANNOTATION} of ServiceAccount ${serviceAccount} is \`${oidcAnnotation}\`, not an ARN of the form ${OIDC_PROVIDER_ARN.form}`,
      `annotate the ServiceAccount with the cluster's RRSA OIDC provider ARN: kubectl annotate serviceaccount -n ${serviceAccount.replace('/', ' ')} --overwrite ${OIDC_PROVIDER_ANNOTATION}=${OIDC_PROVIDER_ARN.form}`,
    );
  }
  const oidcProviderArn = oidcAnnotation ?? podIdentity.oidcProviderArn;
  if (oidcProviderArn === undefined) {
    return refuse(
      'NoOidcProvider',
      `ServiceAccount ${serviceAccount} names a role, but no OIDC provider is known: neither its annotation ${OIDC_PROVIDER_ANNOTATION} nor pod-identity's oidc-provider-arn in acr-configuration`,
      `run \`kubectl acr configure --pod-identity --oidc-provider-arn ${OIDC_PROVIDER_ARN.form}\` (the cluster's RRSA OIDC provider)`,
    );
  }

  if (roleArnValue !== undefined) {
    if (!ROLE_ARN.shape.test(roleArnValue)) {
      return refuse(
        'InvalidRoleAnnotation',
        `annotation ${ROLE_ARN_ANNOTATION} of ServiceAccount ${serviceAccount} is \`${roleArnValue}\`, not an ARN of the form ${ROLE_ARN.form}`,
        `write the role's full ARN from the RAM console: kubectl annotate serviceaccount -n ${serviceAccount.replace('/', ' ')} --overwrite ${ROLE_ARN_ANNOTATION}=${ROLE_ARN.form}`,
      );
    }
    return { kind: 'role', roleArn: roleArnValue, oidcProviderArn, annotation: ROLE_ARN_ANNOTATION };
  }
  if (!ROLE_NAME.test(roleName!)) {
    return refuse(
      'InvalidRoleAnnotation',
      `annotation ${ACK_ROLE_NAME_ANNOTATION} of ServiceAccount ${serviceAccount} is \`${roleName}\`, not a RAM role name`,
      `write the role's name (letters, digits, '.', '@', '-', '_'), or its full ARN in ${ROLE_ARN_ANNOTATION}`,
    );
  }
  // The OIDC provider's ARN is always in the cluster's own account: acs:ram::<account>:oidc-provider/<name>.
  const account = /^acs:ram::(\d+):/i.exec(oidcProviderArn)![1]!;
  return {
    kind: 'role',
    roleArn: `acs:ram::${account}:role/${roleName}`,
    oidcProviderArn,
    annotation: ACK_ROLE_NAME_ANNOTATION,
  };
}

/** A pod pulling as its ServiceAccount's role: everything the credential chain needs, and the token (a secret). */
export interface WorkloadIdentity {
  claims: ServiceAccountClaims;
  roleArn: string;
  oidcProviderArn: string;
  /** The annotation the role came from, for messages. */
  annotation: string;
  /** A secret: never logged, never a password. */
  token: string;
}

/** Whose identity answers a request: the node's, the pod's own, or nobody's. */
export type WorkloadDecision =
  { kind: 'node' } | { kind: 'workload'; identity: WorkloadIdentity } | ({ kind: 'refused' } & WorkloadRefusal);

/**
 * The decision for one request: without a token (a plain provider entry, or
 * a static pod) the node's identity; with one, the role its ServiceAccount
 * names, else the node's identity unless `require-role` says otherwise.
 */
export function decideWorkload(
  request: { serviceAccountToken?: string; serviceAccountAnnotations?: Readonly<Record<string, string>> },
  podIdentity: Pick<PodIdentityConfiguration, 'oidcProviderArn' | 'requireRole'>,
  now: number,
): WorkloadDecision {
  const token = request.serviceAccountToken;
  if (token === undefined) return { kind: 'node' };
  const reading = readServiceAccountToken(token);
  if (!reading.ok) {
    const { ok: _ok, ...refusal } = reading;
    return { kind: 'refused', ...refusal };
  }
  const { claims } = reading;
  const expired = tokenRefusal(claims, now);
  if (expired) return { kind: 'refused', ...expired };
  const name = serviceAccountName(claims);
  const role = workloadRole(request.serviceAccountAnnotations, podIdentity, name);
  switch (role.kind) {
    case 'invalid': {
      const { kind: _kind, ...refusal } = role;
      return { kind: 'refused', ...refusal };
    }
    case 'none':
      if (!podIdentity.requireRole) return { kind: 'node' };
      return {
        kind: 'refused',
        exitCode: 1,
        code: 'RoleRequired',
        message: `ServiceAccount ${name} names no RAM role, and acr-configuration's pod-identity requires one (require-role: true)`,
        fix: `annotate it: kubectl annotate serviceaccount -n ${claims.namespace} ${claims.name} ${ROLE_ARN_ANNOTATION}=${ROLE_ARN.form} (a role whose trust policy allows ${claims.subject})`,
      };
    case 'role':
      return {
        kind: 'workload',
        identity: {
          claims,
          roleArn: role.roleArn,
          oidcProviderArn: role.oidcProviderArn,
          annotation: role.annotation,
          token,
        },
      };
  }
}

/** The cache identity of a workload: one ServiceAccount object and role, never another's. */
export function workloadKey(identity: WorkloadIdentity): string {
  const { claims } = identity;
  return `workload ${claims.issuer} ${claims.subject} ${claims.uid ?? ''} ${identity.roleArn} ${identity.oidcProviderArn}`;
}

/** `ServiceAccount ns/name as role/<name>`: the identity in failures and `kubectl acr` output. */
export function describeWorkload(identity: Pick<WorkloadIdentity, 'claims' | 'roleArn'>): string {
  return `ServiceAccount ${serviceAccountName(identity.claims)} (RRSA role ${identity.roleArn})`;
}

/** STS RoleSessionName (2–64 of [\w.@-]): the ServiceAccount, so ActionTrail shows which workload pulled. */
export function workloadSessionName(claims: Pick<ServiceAccountClaims, 'namespace' | 'name'>): string {
  return `${claims.namespace}.${claims.name}`.replace(/[^\w.@-]/g, '-').slice(0, 64);
}

/** The trust policy statement a role needs for this ServiceAccount, as the RAM console takes it. */
export function trustStatement(identity: Pick<WorkloadIdentity, 'claims' | 'oidcProviderArn'>): string {
  return JSON.stringify({
    Effect: 'Allow',
    Action: 'sts:AssumeRole',
    Principal: { Federated: [identity.oidcProviderArn] },
    Condition: {
      StringEquals: {
        'oidc:aud': RRSA_AUDIENCE,
        'oidc:sub': identity.claims.subject,
        ...(identity.claims.issuer ? { 'oidc:iss': identity.claims.issuer } : {}),
      },
    },
  });
}

/** The fix for an STS refusal of AssumeRoleWithOIDC, naming the ServiceAccount and the role. */
export function workloadStsFix(
  code: string,
  message: string,
  identity: Pick<WorkloadIdentity, 'claims' | 'oidcProviderArn' | 'roleArn' | 'annotation'>,
): string {
  const sa = serviceAccountName(identity.claims);
  const lower = code.toLowerCase();
  // STS answers AuthenticationFail.NoPermission both for an unknown provider and for a trust policy that does not match.
  if (/no such oidc provider/i.test(message))
    return `OIDC provider ${identity.oidcProviderArn} is not registered in RAM: set pod-identity's oidc-provider-arn (or the ServiceAccount's ${OIDC_PROVIDER_ANNOTATION}) to the cluster's RRSA OIDC provider`;
  if (lower === 'entitynotexist.role')
    return `the role ${identity.roleArn} does not exist: fix annotation ${identity.annotation} of ServiceAccount ${sa}, or create the role`;
  if (lower === 'authenticationfail.oidctoken.expired')
    return "the kubelet's token for this pull expired before STS saw it: check the node's clock (NTP)";
  if (lower === 'authenticationfail.oidctoken.audiencenotmatch')
    return `add ${RRSA_AUDIENCE} to the client IDs of OIDC provider ${identity.oidcProviderArn}, and keep serviceAccountTokenAudience ${RRSA_AUDIENCE} in the kubelet's provider entry`;
  if (lower.startsWith('authenticationfail.oidctoken'))
    return `OIDC provider ${identity.oidcProviderArn} is not this cluster's token issuer (${identity.claims.issuer || 'unknown'}): set pod-identity's oidc-provider-arn (or the ServiceAccount's ${OIDC_PROVIDER_ANNOTATION}) to the cluster's RRSA OIDC provider`;
  if (lower.includes('durationseconds'))
    return `raise the maximum session duration of ${identity.roleArn} to at least 1 hour`;
  return `let ServiceAccount ${sa} assume ${identity.roleArn}: its trust policy needs the statement ${trustStatement(identity)}, and the role a policy allowing cr:GetAuthorizationToken and cr:PullRepository`;
}
