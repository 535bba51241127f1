// The ECS instance metadata service: the node's RAM role credentials and its
// region. Our own client rather than @alicloud/credentials' ECS provider:
// that one hard-codes 100.100.100.200, which no test may reach and which
// ACR_PROVIDER_METADATA_ENDPOINT must be able to replace.

import type { CloudCredentials } from './cloud-credentials.js';
import { cloudError, type CallSubject, type CloudAction, type FailureDetails } from './cloud-error.js';
import { withRetries, type CallBudget } from './retry.js';
import { isRegionId } from '../common/region-id.js';

export interface MetadataOptions {
  /** e.g. `http://100.100.100.200`. */
  baseUrl: string;
  /** Fall back to requests without a session token when the service issues none. */
  allowImdsV1: boolean;
  budget: CallBudget;
  /** Injectable for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

const tokenTtlSeconds = 21600;
// Metadata answers in milliseconds when it is there; off-cloud it is not,
// and waiting for the general call timeout would eat the kubelet's minute.
const metadataTimeoutMs = 2_000;
const metadataMaxAttempts = 3;

interface MetadataResponse {
  status: number;
  body: string;
}

function subject(action: CloudAction, options: MetadataOptions, resource?: string): CallSubject {
  return {
    action,
    identity: undefined,
    accessKeyId: undefined,
    endpoint: options.baseUrl,
    resource,
    region: undefined,
    secrets: [],
  };
}

function networkDetail(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'unknown error';
  return `connection failed (${code})`;
}

async function request(
  options: MetadataOptions,
  action: CloudAction,
  method: 'GET' | 'PUT',
  path: string,
  headers: Record<string, string>,
): Promise<MetadataResponse> {
  const doFetch = options.fetch ?? fetch;
  const budget: CallBudget = {
    ...options.budget,
    policy: {
      ...options.budget.policy,
      callTimeoutMs: Math.min(options.budget.policy.callTimeoutMs, metadataTimeoutMs),
      maxAttempts: Math.min(options.budget.policy.maxAttempts, metadataMaxAttempts),
    },
  };
  const about = subject(action, options, path);
  return withRetries(
    budget,
    async (timeoutMs) => {
      let response: Response;
      let body: string;
      try {
        response = await doFetch(`${options.baseUrl}${path}`, {
          method,
          headers,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
        body = await response.text();
      } catch (error) {
        throw cloudError(about, { code: 'MetadataUnavailable', detail: networkDetail(error, timeoutMs) });
      }
      if (response.status >= 500) {
        throw cloudError(about, {
          code: 'MetadataUnavailable',
          httpStatus: response.status,
          detail: 'the metadata service had a server error',
        });
      }
      return { status: response.status, body };
    },
    () => cloudError(about, { code: 'DeadlineExceeded', detail: 'no time left in the call budget' }),
  );
}

// One session token serves every read made with the same options: the region
// and the credentials of a run. Options carry the run's budget, which ends
// long before the token's TTL, so a held token never needs renewing.
const sessionTokens = new WeakMap<MetadataOptions, Promise<string | undefined>>();

/** The IMDSv2 session token, or `undefined` when the service issues none and IMDSv1 is allowed. */
function sessionToken(options: MetadataOptions): Promise<string | undefined> {
  let token = sessionTokens.get(options);
  if (token === undefined) {
    token = requestSessionToken(options);
    sessionTokens.set(options, token);
    // A failed request is not kept: the next read asks again.
    token.catch(() => sessionTokens.delete(options));
  }
  return token;
}

async function requestSessionToken(options: MetadataOptions): Promise<string | undefined> {
  const response = await request(options, 'MetadataToken', 'PUT', '/latest/api/token', {
    'X-aliyun-ecs-metadata-token-ttl-seconds': String(tokenTtlSeconds),
  });
  if (response.status === 200 && response.body.trim() !== '') return response.body.trim();
  if (options.allowImdsV1) return undefined;
  throw cloudError(subject('MetadataToken', options, '/latest/api/token'), {
    code: 'MetadataTokenUnavailable',
    httpStatus: response.status,
    detail: 'the metadata service refused to issue an IMDSv2 session token and IMDSv1 is not allowed',
  });
}

function tokenHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { 'X-aliyun-ecs-metadata-token': token };
}

function unexpected(
  options: MetadataOptions,
  action: CloudAction,
  path: string,
  response: MetadataResponse,
  token: string | undefined,
): never {
  const details: FailureDetails =
    (response.status === 401 || response.status === 403) && token === undefined
      ? {
          code: 'MetadataTokenRequired',
          httpStatus: response.status,
          detail: 'the metadata service refused a request without an IMDSv2 token',
        }
      : {
          code: 'InvalidResponse',
          httpStatus: response.status,
          detail: `unexpected HTTP ${response.status} from the metadata service`,
        };
  throw cloudError(subject(action, options, path), details);
}

async function getText(
  options: MetadataOptions,
  action: CloudAction,
  path: string,
  token: string | undefined,
): Promise<MetadataResponse> {
  return request(options, action, 'GET', path, tokenHeaders(token));
}

const rolePath = '/latest/meta-data/ram/security-credentials/';

interface MetadataCredentialBody {
  AccessKeyId?: unknown;
  AccessKeySecret?: unknown;
  SecurityToken?: unknown;
  Expiration?: unknown;
  Code?: unknown;
}

function parseCredentials(body: string): MetadataCredentialBody | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The credentials of the RAM role attached to this ECS instance. */
export async function fetchNodeCredentials(options: MetadataOptions): Promise<CloudCredentials> {
  const token = await sessionToken(options);
  const roles = await getText(options, 'MetadataRole', rolePath, token);
  const roleName = roles.status === 200 ? roles.body.split('\n')[0]?.trim() : undefined;
  if (roles.status === 404 || roleName === '') {
    throw cloudError(subject('MetadataRole', options, rolePath), {
      code: 'NoRamRole',
      httpStatus: roles.status,
      detail: 'the ECS instance has no RAM role attached',
    });
  }
  if (roleName === undefined) unexpected(options, 'MetadataRole', rolePath, roles, token);

  const path = `${rolePath}${encodeURIComponent(roleName)}`;
  const response = await getText(options, 'MetadataCredentials', path, token);
  if (response.status !== 200) unexpected(options, 'MetadataCredentials', path, response, token);
  const body = parseCredentials(response.body);
  const expiresAt = typeof body?.Expiration === 'string' ? Date.parse(body.Expiration) : Number.NaN;
  if (
    body === undefined ||
    body.Code !== 'Success' ||
    typeof body.AccessKeyId !== 'string' ||
    typeof body.AccessKeySecret !== 'string' ||
    typeof body.SecurityToken !== 'string' ||
    Number.isNaN(expiresAt)
  ) {
    const code = typeof body?.Code === 'string' && body.Code !== 'Success' ? body.Code : 'InvalidResponse';
    throw cloudError(subject('MetadataCredentials', options, path), {
      code,
      httpStatus: response.status,
      detail: `the metadata service did not return usable credentials for role ${roleName}`,
    });
  }
  return {
    accessKeyId: body.AccessKeyId,
    accessKeySecret: body.AccessKeySecret,
    securityToken: body.SecurityToken,
    expiresAt,
    identity: `role/${roleName}`,
  };
}

const regionPath = '/latest/meta-data/region-id';

/** The region this ECS instance runs in, e.g. `cn-hangzhou`. */
export async function fetchNodeRegion(options: MetadataOptions): Promise<string> {
  const token = await sessionToken(options);
  const response = await getText(options, 'MetadataRegion', regionPath, token);
  const region = response.body.trim();
  if (response.status !== 200) unexpected(options, 'MetadataRegion', regionPath, response, token);
  if (!isRegionId(region)) {
    throw cloudError(subject('MetadataRegion', options, regionPath), {
      code: 'InvalidResponse',
      httpStatus: response.status,
      detail: 'the metadata service returned no valid region ID',
    });
  }
  return region;
}
