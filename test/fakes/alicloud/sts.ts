import { randomInt, verify } from 'node:crypto';
import { apiError, isApiError, success, type ApiError, type Reply } from './reply.js';
import { issueStsKey, isoSeconds, type AccessKey, type OidcProvider, type Role, type State } from './state.js';

/** STS 2015-04-01: AssumeRole (signed) and AssumeRoleWithOIDC (anonymous). */

export const STS_VERSION = '2015-04-01';

const MIN_DURATION = 900;
const MAX_DURATION = 43200;
const DEFAULT_DURATION = 3600;
const SESSION_NAME = /^[a-zA-Z0-9.@\-_]{2,64}$/;

const durationError = (maxSeconds: number) =>
  apiError(
    400,
    'InvalidParameter.DurationSeconds',
    `The Min/Max value of DurationSeconds is 15min/${maxSeconds / 3600}hr.`,
  );

/** Parses DurationSeconds against STS's global range; the role's own limit is checked once the role is known. */
function parseDuration(raw: string | undefined): number | ApiError {
  if (raw === undefined || raw === '') return DEFAULT_DURATION;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < MIN_DURATION || seconds > MAX_DURATION)
    return durationError(MAX_DURATION);
  return seconds;
}

function checkSessionName(raw: string | undefined): ApiError | undefined {
  if (raw === undefined || raw === '')
    return apiError(400, 'MissingRoleSessionName', 'RoleSessionName is mandatory for this action.');
  return SESSION_NAME.test(raw)
    ? undefined
    : apiError(400, 'InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.');
}

function findRole(state: State, arn: string | undefined): Role | ApiError {
  if (arn === undefined || arn === '') return apiError(400, 'MissingRoleArn', 'RoleArn is mandatory for this action.');
  return state.roles.get(arn) ?? apiError(404, 'EntityNotExist.Role', `The role not exists: ${arn}.`);
}

function credentialsReply(
  state: State,
  role: Role,
  sessionName: string,
  durationSeconds: number,
  extra: Record<string, unknown> = {},
): Reply {
  const key = issueStsKey(state, role.principal, durationSeconds);
  return success({
    AssumedRoleUser: {
      Arn: `${role.arn}/${sessionName}`,
      AssumedRoleId: `3${randomInt(10 ** 9, 10 ** 10 - 1)}${randomInt(10 ** 7, 10 ** 8 - 1)}:${sessionName}`,
    },
    Credentials: {
      AccessKeyId: key.accessKeyId,
      AccessKeySecret: key.accessKeySecret,
      SecurityToken: key.securityToken,
      Expiration: isoSeconds(key.expiresAt),
    },
    ...extra,
  });
}

/** Validates parameters, the role, and the role's session limit: what both AssumeRole flavours share. */
function prepare(
  state: State,
  params: Record<string, string>,
): { role: Role; sessionName: string; duration: number } | ApiError {
  const duration = parseDuration(params.DurationSeconds);
  if (typeof duration !== 'number') return duration;
  const sessionError = checkSessionName(params.RoleSessionName);
  if (sessionError) return sessionError;
  const role = findRole(state, params.RoleArn);
  if (isApiError(role)) return role;
  if (duration > role.maxSessionDuration) return durationError(role.maxSessionDuration);
  return { role, sessionName: params.RoleSessionName ?? '', duration };
}

export function assumeRole(state: State, caller: AccessKey, params: Record<string, string>): Reply | ApiError {
  const prepared = prepare(state, params);
  if (isApiError(prepared)) return prepared;
  if (!prepared.role.trustedPrincipals.includes(caller.principal)) {
    return apiError(
      403,
      'NoPermission',
      'You are not authorized to do this action. You should be authorized by RAM. No permission perform sts:AssumeRole on this Role; check the role trust policy.',
    );
  }
  return credentialsReply(state, prepared.role, prepared.sessionName, prepared.duration);
}

/** The claims of a token STS accepts from `provider`, or its refusal with STS's own codes and messages. */
function verifyOidcToken(state: State, provider: OidcProvider, token: string): Record<string, unknown> | ApiError {
  if (token === '') return apiError(401, 'AuthenticationFail.OIDCToken.Invalid', 'The OIDCToken can not empty.');
  const invalidSignature = () =>
    apiError(401, 'AuthenticationFail.OIDCToken.InvalidSignature', 'OIDC token validate failed: invalid signature.');
  if ('token' in provider) return token === provider.token ? {} : invalidSignature();
  const parts = token.split('.');
  if (parts.length !== 3)
    return apiError(
      401,
      'AuthenticationFail.OIDCToken.Invalid',
      "The number of Jwt field should be divided into 3 parts with '.' .",
    );
  const [header, payload, signature] = parts as [string, string, string];
  let claims: Record<string, unknown>;
  try {
    const alg = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string }).alg;
    if (alg !== 'RS256')
      return apiError(
        401,
        'AuthenticationFail.OIDCToken.Invalid',
        `The algorithm ${String(alg)} that be specified in Jwt header is unknown.`,
      );
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  } catch {
    return apiError(
      401,
      'AuthenticationFail.OIDCToken.Invalid',
      'Cannot decode base64 encoded response(format invalided).',
    );
  }
  const signed = Buffer.from(`${header}.${payload}`);
  if (!verify('sha256', signed, provider.publicKey, Buffer.from(signature, 'base64url'))) return invalidSignature();
  if (claims.iss !== provider.issuer)
    return apiError(401, 'AuthenticationFail.OIDCToken.IssuerNotMatch', 'Issuer not match.');
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (!audiences.some((a) => provider.clientIds.includes(a as string)))
    return apiError(401, 'AuthenticationFail.OIDCToken.AudienceNotMatch', 'Invalid audience.');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= state.now())
    return apiError(401, 'AuthenticationFail.OIDCToken.Expired', 'This JsonWebToken is expired.');
  return claims;
}

export function assumeRoleWithOidc(state: State, params: Record<string, string>): Reply | ApiError {
  const providerArn = params.OIDCProviderArn ?? '';
  const provider = state.oidcProviders.get(providerArn);
  if (!provider) return apiError(401, 'AuthenticationFail.NoPermission', 'No such OIDC Provider registered.');
  const claims = verifyOidcToken(state, provider, params.OIDCToken ?? '');
  if (isApiError(claims)) return claims;
  const prepared = prepare(state, params);
  if (isApiError(prepared)) return prepared;
  const { role } = prepared;
  const subjectTrusted = role.oidcSubjects === undefined || role.oidcSubjects.includes(String(claims.sub));
  if (!role.trustedPrincipals.includes(providerArn) || !subjectTrusted)
    return apiError(401, 'AuthenticationFail.NoPermission', 'There is no permission');
  return credentialsReply(state, role, prepared.sessionName, prepared.duration, {
    OIDCTokenInfo: { Issuer: 'token' in provider ? providerArn : provider.issuer, ClientIds: 'sts.aliyuncs.com' },
  });
}
