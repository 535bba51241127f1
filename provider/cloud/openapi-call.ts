// One Alibaba Cloud OpenAPI call through @alicloud/openapi-core's generic
// callApi (ACS3-HMAC-SHA256 signatures), with our retries and our errors.
//
// @alicloud/credentials' default chain reaches out to 100.100.100.200; the
// older OpenAPI clients built it when given no AccessKey. Every client here
// gets explicit static credentials, or none at all for an anonymous call, so
// no chain is ever built (test/provider/cloud/sts-client.test.ts proves that
// nothing leaves loopback). The library's own retries stay off (no
// retryOptions) because withRetries owns the budget.

import * as openApiCore from '@alicloud/openapi-core';
import type { CloudCredentials } from './cloud-credentials.js';
import { secretsOf } from './cloud-credentials.js';
import { CloudError, cloudError, type CallSubject, type CloudAction, type FailureDetails } from './cloud-error.js';
import type { ApiEndpoint, CloudEndpoints } from './endpoints.js';
import { withRetries, type CallBudget } from './retry.js';

// A CommonJS module with __esModule: Node and esbuild (node mode) hand over
// module.exports as the default import, vite's interop its `default` export.
type OpenApiClientClass = typeof openApiCore.default.default;
const moduleDefault: unknown = openApiCore.default;
const OpenApiClient = (
  typeof moduleDefault === 'function' ? moduleDefault : openApiCore.default.default
) as OpenApiClientClass;
const { $OpenApiUtil } = openApiCore;

/** Who signs the call: credentials, or nobody (AssumeRoleWithOIDC). */
export type CallAuthority = { kind: 'signed'; credentials: CloudCredentials } | { kind: 'anonymous' };

export interface OpenApiCall {
  /** Our name for the call, used in errors. */
  action: CloudAction;
  /** The API's action name. */
  apiAction: string;
  version: string;
  style: 'RPC' | 'ROA';
  method: 'GET' | 'POST';
  pathname: string;
  query: Record<string, string>;
  /** Sent as a form body, out of the URL: for parameters that are secrets. */
  form?: Record<string, string>;
  endpoint: ApiEndpoint;
  authority: CallAuthority;
  /** What the call is about, for messages: an instance ID, a role ARN. */
  resource: string | undefined;
  region: string | undefined;
  /** Values the call carries that must never appear in an error. */
  secrets?: string[];
}

/** What every API client needs: where the APIs are and the run's shared deadline. */
export interface CloudContext {
  endpoints: CloudEndpoints;
  budget: CallBudget;
}

type OpenApiClientInstance = InstanceType<typeof OpenApiClient>;

function clientFor(call: OpenApiCall, timeoutMs: number): OpenApiClientInstance {
  const signing =
    call.authority.kind === 'signed'
      ? {
          accessKeyId: call.authority.credentials.accessKeyId,
          accessKeySecret: call.authority.credentials.accessKeySecret,
          securityToken: call.authority.credentials.securityToken ?? '',
        }
      : {};
  return new OpenApiClient(
    new $OpenApiUtil.Config({
      ...signing,
      endpoint: call.endpoint.endpoint,
      protocol: call.endpoint.protocol,
      regionId: call.region,
      readTimeout: timeoutMs,
      connectTimeout: timeoutMs,
    }),
  );
}

export function subjectOf(call: OpenApiCall): CallSubject {
  const credentials = call.authority.kind === 'signed' ? call.authority.credentials : undefined;
  return {
    action: call.action,
    identity: credentials?.identity,
    accessKeyId: credentials?.accessKeyId,
    endpoint: `${call.endpoint.protocol}://${call.endpoint.endpoint}`,
    resource: call.resource,
    region: call.region,
    secrets: [...secretsOf(credentials), ...(call.secrets ?? [])],
  };
}

const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value !== 'undefined' ? value : undefined;
}

/** openapi-core's errors and Node's socket errors, as our failure details. */
export function describeCallError(error: unknown, timeoutMs: number): FailureDetails {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const name = stringField(e.name) ?? '';
  if (name === 'ThrottlingError' || name === 'ClientError' || name === 'ServerError') {
    const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
    const retryAfter = typeof e.retryAfter === 'number' && Number.isFinite(e.retryAfter) ? e.retryAfter : undefined;
    return {
      code: stringField(e.code) ?? `HTTP${String(e.statusCode)}`,
      httpStatus: typeof e.statusCode === 'number' ? e.statusCode : undefined,
      requestId: stringField(e.requestId),
      detail: stringField(data.Message) ?? stringField(data.message) ?? 'the service refused the request',
      retryAfterMs: retryAfter,
    };
  }
  if (name.startsWith('RequestTimeout')) return { code: 'Timeout', detail: `no answer within ${timeoutMs} ms` };
  const code = stringField(e.code);
  if ((code !== undefined && networkErrorCodes.has(code)) || /socket hang up/i.test(stringField(e.message) ?? '')) {
    return { code: 'NetworkError', detail: `connection failed (${code ?? 'socket hang up'})` };
  }
  if (error instanceof SyntaxError) return { code: 'InvalidResponse', detail: 'the answer was not JSON' };
  // Library messages can quote the request URL (and so its parameters): keep only the error's kind.
  return { code: 'InvalidResponse', detail: `the call failed (${name || 'unknown error'})` };
}

/** Calls the API, retrying what can be retried within `budget`; returns the response body. */
export async function callOpenApi(call: OpenApiCall, budget: CallBudget): Promise<Record<string, unknown>> {
  const subject = subjectOf(call);
  return withRetries(
    budget,
    async (timeoutMs) => {
      const client = clientFor(call, timeoutMs);
      const params = new $OpenApiUtil.Params({
        action: call.apiAction,
        version: call.version,
        protocol: call.endpoint.protocol.toUpperCase(),
        pathname: call.pathname,
        method: call.method,
        authType: call.authority.kind === 'signed' ? 'AK' : 'Anonymous',
        style: call.style,
        reqBodyType: call.style === 'RPC' ? 'formData' : 'json',
        bodyType: 'json',
      });
      const request = new $OpenApiUtil.OpenApiRequest({ query: call.query, ...(call.form ? { body: call.form } : {}) });
      let response: { body?: unknown };
      try {
        // A plain object carries the runtime options: no retryOptions, so one attempt per call.
        response = await client.callApi(params, request, {
          readTimeout: timeoutMs,
          connectTimeout: timeoutMs,
        } as never);
      } catch (error) {
        if (error instanceof CloudError) throw error;
        throw cloudError(subject, describeCallError(error, timeoutMs));
      }
      const body = response.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw cloudError(subject, {
          code: 'InvalidResponse',
          httpStatus: 200,
          detail: 'the answer was not a JSON object',
        });
      }
      const record = body as Record<string, unknown>;
      if (record.IsSuccess === false) throw failureInBody(call, record);
      return record;
    },
    () =>
      cloudError(subject, {
        code: 'DeadlineExceeded',
        detail: `no time left in the ${budget.policy.totalBudgetMs} ms call budget`,
      }),
  );
}

/** The failure a 200 answer with `IsSuccess: false` (CR) carries. */
function failureInBody(call: OpenApiCall, body: Record<string, unknown>): CloudError {
  return cloudError(subjectOf(call), {
    code: stringField(body.Code) ?? stringField(body.code) ?? 'IsSuccessFalse',
    httpStatus: 200,
    requestId: stringField(body.RequestId) ?? stringField(body.requestId),
    detail: stringField(body.Message) ?? stringField(body.message) ?? 'the service answered IsSuccess: false',
  });
}
