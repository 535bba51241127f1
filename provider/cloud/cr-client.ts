// Container Registry APIs, typed: cr 2018-12-01 (Enterprise Edition, RPC)
// and cr 2016-06-07 GET /tokens (Personal Edition, ROA). @alicloud/cr20181201
// is not available, so these are thin wrappers over openapi-core's callApi.
// Every call carries RegionId: the API is regional and the region is part
// of what the service checks.

import type { CloudCredentials } from './cloud-credentials.js';
import { cloudError } from './cloud-error.js';
import { callOpenApi, subjectOf, type CloudContext, type OpenApiCall } from './openapi-call.js';

/** Registry login: `docker login -u username -p password`. */
export interface AcrToken {
  username: string;
  password: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface AcrInstance {
  instanceId: string;
  instanceName: string;
  regionId: string | undefined;
  status: string | undefined;
}

export interface InstanceDomain {
  /** Lower-case host[:port]. */
  domain: string;
  /** `SYSTEM`: the instance's own `*.cr.aliyuncs.com` names; `USER`: custom domains. */
  type: string;
  /** `internet` or `vpc`, as the API reports the access point. */
  endpointType: string | undefined;
}

const enterpriseVersion = '2018-12-01';
const personalVersion = '2016-06-07';
const pageSize = 50;
// A region holds a handful of instances; this only stops a broken paging answer from looping forever.
const maxPages = 20;

function enterpriseCall(
  action: 'GetAuthorizationToken' | 'ListInstance' | 'ListInstanceEndpoint',
  credentials: CloudCredentials,
  region: string,
  { query, resource }: { query: Record<string, string>; resource: string | undefined },
  context: CloudContext,
): OpenApiCall {
  return {
    action,
    apiAction: action,
    version: enterpriseVersion,
    style: 'RPC',
    method: 'POST',
    pathname: '/',
    query: { RegionId: region, ...query },
    endpoint: context.endpoints.cr(region),
    authority: { kind: 'signed', credentials },
    resource,
    region,
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function epochMs(value: unknown): number | undefined {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number > 0 ? number : undefined;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    : [];
}

function invalid(call: OpenApiCall, body: Record<string, unknown>, detail: string): never {
  throw cloudError(subjectOf(call), {
    code: 'InvalidResponse',
    httpStatus: 200,
    requestId: text(body.RequestId),
    detail,
  });
}

function tokenFrom(
  call: OpenApiCall,
  body: Record<string, unknown>,
  username: unknown,
  password: unknown,
  expiresAt: unknown,
): AcrToken {
  const token = { username: text(username), password: text(password), expiresAt: epochMs(expiresAt) };
  if (token.username === undefined || token.password === undefined || token.expiresAt === undefined) {
    invalid(call, body, 'the answer carried no complete token (user name, password, expiry)');
  }
  return { username: token.username, password: token.password, expiresAt: token.expiresAt };
}

/** The registry password of an Enterprise Edition instance. */
export async function getAuthorizationToken(
  credentials: CloudCredentials,
  instanceId: string,
  region: string,
  context: CloudContext,
): Promise<AcrToken> {
  const call = enterpriseCall(
    'GetAuthorizationToken',
    credentials,
    region,
    { query: { InstanceId: instanceId }, resource: instanceId },
    context,
  );
  const body = await callOpenApi(call, context.budget);
  return tokenFrom(call, body, body.TempUsername, body.AuthorizationToken, body.ExpireTime);
}

/** The registry password of the Personal Edition registries of `region`. */
export async function getPersonalToken(
  credentials: CloudCredentials,
  region: string,
  context: CloudContext,
): Promise<AcrToken> {
  const call: OpenApiCall = {
    action: 'GetPersonalToken',
    apiAction: 'GetAuthorizationToken',
    version: personalVersion,
    style: 'ROA',
    method: 'GET',
    pathname: '/tokens',
    query: { RegionId: region },
    endpoint: context.endpoints.cr(region),
    authority: { kind: 'signed', credentials },
    resource: `Personal Edition ${region}`,
    region,
  };
  const body = await callOpenApi(call, context.budget);
  const data = (typeof body.data === 'object' && body.data !== null ? body.data : {}) as Record<string, unknown>;
  return tokenFrom(call, body, data.tempUserName, data.authorizationToken, data.expireDate);
}

function instanceFrom(record: Record<string, unknown>): AcrInstance | undefined {
  const instanceId = text(record.InstanceId);
  const instanceName = text(record.InstanceName);
  if (instanceId === undefined || instanceName === undefined) return undefined;
  return { instanceId, instanceName, regionId: text(record.RegionId), status: text(record.InstanceStatus) };
}

/** Enterprise Edition instances of `region`, every page; with `instanceName`, only those of that exact name. */
export async function listInstances(
  credentials: CloudCredentials,
  region: string,
  context: CloudContext,
  instanceName?: string,
): Promise<AcrInstance[]> {
  const instances: AcrInstance[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const query: Record<string, string> = {
      PageNo: String(page),
      PageSize: String(pageSize),
      ...(instanceName !== undefined ? { InstanceName: instanceName } : {}),
    };
    const call = enterpriseCall(
      'ListInstance',
      credentials,
      region,
      { query, resource: instanceName === undefined ? `instances of ${region}` : `instances named ${instanceName}` },
      context,
    );
    const body = await callOpenApi(call, context.budget);
    const pageItems = records(body.Instances);
    for (const item of pageItems) {
      const instance = instanceFrom(item);
      if (instance !== undefined) instances.push(instance);
    }
    const total = Number(body.TotalCount);
    if (
      pageItems.length === 0 ||
      (Number.isFinite(total) && page * pageSize >= total) ||
      (!Number.isFinite(total) && pageItems.length < pageSize)
    )
      break;
  }
  // The API's name filter may match more loosely than the exact name a registry host carries.
  return instanceName === undefined
    ? instances
    : instances.filter((instance) => instance.instanceName === instanceName);
}

/** The registry domains of an Enterprise Edition instance (system and custom). */
export async function listInstanceDomains(
  credentials: CloudCredentials,
  instanceId: string,
  region: string,
  context: CloudContext,
): Promise<InstanceDomain[]> {
  const call = enterpriseCall(
    'ListInstanceEndpoint',
    credentials,
    region,
    { query: { InstanceId: instanceId, ModuleName: 'Registry' }, resource: instanceId },
    context,
  );
  const body = await callOpenApi(call, context.budget);
  const domains: InstanceDomain[] = [];
  for (const endpoint of records(body.Endpoints)) {
    for (const entry of records(endpoint.Domains)) {
      const domain = text(entry.Domain);
      if (domain !== undefined)
        domains.push({
          domain: domain.toLowerCase(),
          type: text(entry.Type) ?? 'SYSTEM',
          endpointType: text(endpoint.EndpointType),
        });
    }
  }
  return domains;
}
