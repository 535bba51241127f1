import { newRequestId } from './state.js';

/** What a handler decides to send; the server turns it into bytes and records it. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The error code, for the request log. */
  code?: string;
}

/** An error as Alibaba Cloud's API gateway reports it. */
export interface ApiError {
  kind: 'api-error';
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export function apiError(status: number, code: string, message: string): ApiError {
  return { kind: 'api-error', status, code, message };
}

export function isApiError(value: object): value is ApiError {
  return (value as { kind?: unknown }).kind === 'api-error';
}

const JSON_TYPE = 'application/json;charset=utf-8';

export function jsonReply(
  status: number,
  body: Record<string, unknown>,
  extraHeaders: Record<string, string> = {},
): Reply {
  const requestId = typeof body.RequestId === 'string' ? body.RequestId : undefined;
  return {
    status,
    headers: { 'content-type': JSON_TYPE, ...(requestId ? { 'x-acs-request-id': requestId } : {}), ...extraHeaders },
    body: JSON.stringify(body),
  };
}

/** A successful OpenAPI answer: the gateway always adds a fresh RequestId. */
export function success(body: Record<string, unknown>): Reply {
  return jsonReply(200, { RequestId: newRequestId(), ...body });
}

/** The gateway's error body: {RequestId, HostId, Code, Message, Recommend}, with the error's HTTP status. */
export function errorReply(error: ApiError, host: string, product: string): Reply {
  const requestId = newRequestId();
  const reply = jsonReply(
    error.status,
    {
      RequestId: requestId,
      HostId: host,
      Code: error.code,
      Message: error.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=${product}&requestId=${requestId}`,
    },
    error.headers,
  );
  return { ...reply, code: error.code };
}

export function textReply(status: number, body: string, headers: Record<string, string> = {}, code?: string): Reply {
  return {
    status,
    headers: { 'content-type': 'text/plain;charset=utf-8', ...headers },
    body,
    ...(code ? { code } : {}),
  };
}
