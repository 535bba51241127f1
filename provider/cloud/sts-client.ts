// STS 2015-04-01: AssumeRole (signed by the caller) and AssumeRoleWithOIDC
// (anonymous: the OIDC token is the proof), both answering temporary
// credentials.

import type { CloudCredentials } from './cloud-credentials.js';
import { cloudError } from './cloud-error.js';
import { callOpenApi, subjectOf, type CloudContext, type OpenApiCall } from './openapi-call.js';

export interface AssumeRoleRequest {
  roleArn: string;
  roleSessionName: string;
  /** 900–43200. */
  durationSeconds: number;
}

export interface AssumeRoleWithOidcRequest extends AssumeRoleRequest {
  oidcProviderArn: string;
  oidcToken: string;
}

const stsVersion = '2015-04-01';

function credentialsFrom(call: OpenApiCall, body: Record<string, unknown>, identity: string): CloudCredentials {
  const credentials = (
    typeof body.Credentials === 'object' && body.Credentials !== null ? body.Credentials : {}
  ) as Record<string, unknown>;
  const { AccessKeyId, AccessKeySecret, SecurityToken, Expiration } = credentials;
  const expiresAt = typeof Expiration === 'string' ? Date.parse(Expiration) : Number.NaN;
  if (
    typeof AccessKeyId !== 'string' ||
    typeof AccessKeySecret !== 'string' ||
    typeof SecurityToken !== 'string' ||
    Number.isNaN(expiresAt)
  ) {
    throw cloudError(subjectOf(call), {
      code: 'InvalidResponse',
      httpStatus: 200,
      requestId: typeof body.RequestId === 'string' ? body.RequestId : undefined,
      detail: 'the answer carried no complete Credentials',
    });
  }
  return {
    accessKeyId: AccessKeyId,
    accessKeySecret: AccessKeySecret,
    securityToken: SecurityToken,
    expiresAt,
    identity,
  };
}

/** Credentials of `request.roleArn`, obtained with `caller`'s credentials. */
export async function assumeRole(
  caller: CloudCredentials,
  request: AssumeRoleRequest,
  region: string,
  context: CloudContext,
): Promise<CloudCredentials> {
  const call: OpenApiCall = {
    action: 'AssumeRole',
    apiAction: 'AssumeRole',
    version: stsVersion,
    style: 'RPC',
    method: 'POST',
    pathname: '/',
    query: {
      RoleArn: request.roleArn,
      RoleSessionName: request.roleSessionName,
      DurationSeconds: String(request.durationSeconds),
    },
    endpoint: context.endpoints.sts(region),
    authority: { kind: 'signed', credentials: caller },
    resource: request.roleArn,
    region,
  };
  return credentialsFrom(call, await callOpenApi(call, context.budget), `assumed-role ${request.roleArn}`);
}

/** Credentials of `request.roleArn` for an RRSA ServiceAccount token. Unsigned: no credentials are involved at all. */
export async function assumeRoleWithOidc(
  request: AssumeRoleWithOidcRequest,
  region: string,
  context: CloudContext,
): Promise<CloudCredentials> {
  const call: OpenApiCall = {
    action: 'AssumeRoleWithOIDC',
    apiAction: 'AssumeRoleWithOIDC',
    version: stsVersion,
    style: 'RPC',
    method: 'POST',
    pathname: '/',
    query: {
      OIDCProviderArn: request.oidcProviderArn,
      RoleArn: request.roleArn,
      RoleSessionName: request.roleSessionName,
      DurationSeconds: String(request.durationSeconds),
    },
    // In the body, not the URL: URLs end up in proxy and library logs.
    form: { OIDCToken: request.oidcToken },
    endpoint: context.endpoints.sts(region),
    authority: { kind: 'anonymous' },
    resource: request.roleArn,
    region,
    secrets: [request.oidcToken],
  };
  return credentialsFrom(call, await callOpenApi(call, context.budget), `rrsa ${request.roleArn}`);
}
