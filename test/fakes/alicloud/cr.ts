import { apiError, isApiError, jsonReply, success, type ApiError, type Reply } from './reply.js';
import { issueRegistryToken, newRequestId, type AccessKey, type Instance, type State } from './state.js';

/** Container Registry: Enterprise Edition OpenAPI 2018-12-01 (RPC) and the Personal Edition's 2016-06-07 GET /tokens (ROA). */

export const CR_VERSION = '2018-12-01';
export const CR_PERSONAL_VERSION = '2016-06-07';

/** A CR password lives one hour, or as long as the STS credentials that asked for it, whichever ends first. */
const TOKEN_LIFETIME_MS = 3600 * 1000;
const DEFAULT_PAGE_SIZE = 30;
const MAX_PAGE_SIZE = 100;

export function requestRegion(state: State, params: Record<string, string>): string {
  return params.RegionId || state.defaultRegion;
}

function tokenExpiry(state: State, caller: AccessKey): number {
  const hourFromNow = state.now() + TOKEN_LIFETIME_MS;
  return caller.kind === 'sts' ? Math.min(hourFromNow, caller.expiresAt) : hourFromNow;
}

function instanceInRegion(state: State, params: Record<string, string>): Instance | ApiError {
  const instanceId = params.InstanceId;
  if (!instanceId) return apiError(400, 'MissingInstanceId', 'InstanceId is mandatory for this action.');
  const instance = state.instances.get(instanceId);
  if (!instance || instance.region !== requestRegion(state, params)) {
    return apiError(
      404,
      'INSTANCE_NOT_EXIST',
      `The instance ${instanceId} does not exist in region ${requestRegion(state, params)}.`,
    );
  }
  return instance;
}

function accessibleInstance(state: State, caller: AccessKey, params: Record<string, string>): Instance | ApiError {
  const instance = instanceInRegion(state, params);
  if (isApiError(instance)) return instance;
  if (!instance.allowedPrincipals.includes(caller.principal)) {
    return apiError(
      403,
      'NoPrivilege',
      'You are not authorized to operate on this instance. You should be authorized by RAM.',
    );
  }
  return instance;
}

function summary(instance: Instance) {
  return {
    InstanceId: instance.instanceId,
    InstanceName: instance.instanceName,
    RegionId: instance.region,
    InstanceStatus: 'RUNNING',
    InstanceSpecification: 'Enterprise_Basic',
  };
}

const ok = { IsSuccess: true, Code: 'success' };

function getAuthorizationToken(state: State, caller: AccessKey, params: Record<string, string>): Reply | ApiError {
  const instance = accessibleInstance(state, caller, params);
  if (isApiError(instance)) return instance;
  const issued = issueRegistryToken(state, {
    instanceId: instance.instanceId,
    region: instance.region,
    principal: caller.principal,
    expiresAt: tokenExpiry(state, caller),
  });
  return success({
    ...ok,
    TempUsername: issued.username,
    AuthorizationToken: issued.password,
    ExpireTime: issued.expiresAt,
  });
}

function positiveInteger(raw: string | undefined, fallback: number): number | undefined {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 1 ? value : undefined;
}

/** Lists only the instances the caller may see: an instance in another account is not in the answer. */
function listInstance(state: State, caller: AccessKey, params: Record<string, string>): Reply | ApiError {
  const pageNo = positiveInteger(params.PageNo, 1);
  const pageSize = positiveInteger(params.PageSize, DEFAULT_PAGE_SIZE);
  if (pageNo === undefined) return apiError(400, 'PARAM_INVALID', 'PageNo is invalid.');
  if (pageSize === undefined || pageSize > MAX_PAGE_SIZE) return apiError(400, 'PARAM_INVALID', 'PageSize is invalid.');
  const region = requestRegion(state, params);
  // The service matches InstanceName as a fuzzy filter, so callers must still pick the exact name themselves.
  const name = params.InstanceName ?? '';
  const matching = [...state.instances.values()].filter(
    (i) => i.region === region && i.instanceName.includes(name) && i.allowedPrincipals.includes(caller.principal),
  );
  const page = matching.slice((pageNo - 1) * pageSize, pageNo * pageSize);
  return success({
    ...ok,
    Instances: page.map(summary),
    TotalCount: matching.length,
    PageNo: pageNo,
    PageSize: pageSize,
  });
}

function endpointType(domain: string): 'internet' | 'vpc' {
  return /-vpc\./.test(domain) ? 'vpc' : 'internet';
}

function listInstanceEndpoint(state: State, caller: AccessKey, params: Record<string, string>): Reply | ApiError {
  const instance = accessibleInstance(state, caller, params);
  if (isApiError(instance)) return instance;
  if ((params.ModuleName ?? 'Registry') !== 'Registry') return success({ ...ok, Endpoints: [] });
  const endpoints = (['internet', 'vpc'] as const)
    .map((type) => ({
      EndpointType: type,
      Enable: true,
      Status: 'RUNNING',
      Domains: instance.domains
        .filter((d) => endpointType(d.domain) === type)
        .map((d) => ({ Domain: d.domain, Type: d.type })),
    }))
    .filter((endpoint) => endpoint.Domains.length > 0);
  return success({ ...ok, Endpoints: endpoints });
}

export type CrAction = 'GetAuthorizationToken' | 'ListInstance' | 'ListInstanceEndpoint';

export function isCrAction(action: string): action is CrAction {
  return ['GetAuthorizationToken', 'ListInstance', 'ListInstanceEndpoint'].includes(action);
}

export function handleCr(
  state: State,
  action: CrAction,
  caller: AccessKey,
  params: Record<string, string>,
): Reply | ApiError {
  switch (action) {
    case 'GetAuthorizationToken':
      return getAuthorizationToken(state, caller, params);
    case 'ListInstance':
      return listInstance(state, caller, params);
    case 'ListInstanceEndpoint':
      return listInstanceEndpoint(state, caller, params);
  }
}

/** Personal Edition answers in its own lower-case shape, errors included ({code, message, requestId}). */
export function getPersonalToken(state: State, caller: AccessKey, params: Record<string, string>): Reply {
  const region = requestRegion(state, params);
  if (!state.personal.get(region)?.has(caller.principal)) {
    return {
      ...jsonReply(404, { code: 'USER_NOT_EXIST', message: 'user is not exist.', requestId: newRequestId() }),
      code: 'USER_NOT_EXIST',
    };
  }
  const issued = issueRegistryToken(state, {
    region,
    principal: caller.principal,
    expiresAt: tokenExpiry(state, caller),
  });
  return jsonReply(200, {
    data: { authorizationToken: issued.password, tempUserName: issued.username, expireDate: issued.expiresAt },
  });
}
