import * as core from '@alicloud/openapi-core';
import * as sts from '@alicloud/sts20150401';
import { RuntimeOptions } from '@darabonba/typescript';

/**
 * The real Alibaba Cloud SDK clients, pointed at a fake: what the fake's own tests use to prove it answers what the SDK
 * sends. These CommonJS modules' default export is the whole `module.exports` under Node's loader (and in TypeScript's
 * NodeNext view) but the class itself under vitest's interop, so the class is picked at run time.
 */

function classOf<T>(defaultExport: unknown): T {
  const inner = (defaultExport as { default?: unknown }).default;
  return (typeof inner === 'function' ? inner : defaultExport) as T;
}

type OpenApiClass = typeof core.default.default;
type StsClass = typeof sts.default.default;
const OpenApi = classOf<OpenApiClass>(core.default);
const StsClient = classOf<StsClass>(sts.default);

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** 'v2' makes callApi sign RPC calls the old way (HMAC-SHA1 query Signature) instead of ACS3-HMAC-SHA256. */
export type SigningStyle = 'acs3' | 'rpc-v1';

export function openApiClient(
  endpoint: string,
  credentials: Credentials,
  style: SigningStyle = 'acs3',
): InstanceType<OpenApiClass> {
  return new OpenApi(
    new core.$OpenApiUtil.Config({
      ...credentials,
      endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      ...(style === 'rpc-v1' ? { signatureAlgorithm: 'v2' } : {}),
    }),
  );
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** The API description a generated CR 2018-12-01 client passes to callApi for `action`. */
export function crParams(action: string): InstanceType<typeof core.$OpenApiUtil.Params> {
  return new core.$OpenApiUtil.Params({
    action,
    version: '2018-12-01',
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
}

/** A CR 2018-12-01 RPC call the way a generated client would make it (parameters in the query). */
export async function callCr(
  client: InstanceType<OpenApiClass>,
  action: string,
  query: Record<string, string>,
): Promise<ApiResponse> {
  return (await client.callApi(
    crParams(action),
    new core.$OpenApiUtil.OpenApiRequest({ query }),
    new RuntimeOptions({}),
  )) as ApiResponse;
}

/** CR 2016-06-07 GET /tokens (ROA), as the generated cr20160607 client made it. */
export async function callPersonalTokens(client: InstanceType<OpenApiClass>, regionId: string): Promise<ApiResponse> {
  const params = new core.$OpenApiUtil.Params({
    action: 'GetAuthorizationToken',
    version: '2016-06-07',
    protocol: 'HTTPS',
    pathname: '/tokens',
    method: 'GET',
    authType: 'AK',
    style: 'ROA',
    reqBodyType: 'json',
    bodyType: 'json',
  });
  return (await client.callApi(
    params,
    new core.$OpenApiUtil.OpenApiRequest({ query: { RegionId: regionId } }),
    new RuntimeOptions({}),
  )) as ApiResponse;
}

export function stsClient(endpoint: string, credentials?: Credentials): InstanceType<StsClass> {
  return new StsClient(
    new core.$OpenApiUtil.Config({ ...credentials, endpoint, protocol: 'http', regionId: 'cn-hangzhou' }),
  );
}

export const { AssumeRoleRequest, AssumeRoleWithOIDCRequest } = sts;

/** The error fields the SDK exposes on ClientError / ServerError / ThrottlingError. */
export interface SdkError {
  code?: string;
  statusCode?: number;
  retryAfter?: number;
  data?: Record<string, unknown>;
}

export async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the SDK call to fail');
}
