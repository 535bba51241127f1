import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { callParams, type IncomingCall } from './call.js';
import { apiError, type ApiError } from './reply.js';
import type { AccessKey, State } from './state.js';

/**
 * Request authentication as Alibaba Cloud's API gateway does it, for the two signing styles the SDK produces:
 * ACS3-HMAC-SHA256 (Authorization header; what `callApi` uses by default) and RPC HMAC-SHA1 v1 (query `Signature`;
 * what `doRPCRequest` uses, e.g. @alicloud/sts20150401's AssumeRoleWithOIDC path).
 */

export type Authentication = { ok: true; key: AccessKey } | { ok: false; error: ApiError };

const ACS3 = 'ACS3-HMAC-SHA256';

/** The SDK's percent-encoding (RFC 3986: encodeURIComponent plus !'()*). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const errors = {
  incomplete: () => apiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.'),
  missingKey: () => apiError(400, 'MissingAccessKeyId', 'AccessKeyId is mandatory for this action.'),
  unknownKey: () => apiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.'),
  mismatch: () => apiError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.'),
  nonceUsed: () => apiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.'),
  badMethod: () => apiError(400, 'InvalidSignatureMethod', 'Specified signature method is not supported.'),
  missingNonce: () => apiError(400, 'MissingSignatureNonce', 'SignatureNonce is mandatory for this action.'),
  missingTimestamp: () => apiError(400, 'MissingTimestamp', 'Timestamp is mandatory for this action.'),
  timestampFormat: () =>
    apiError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.'),
  timestampExpired: () => apiError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.'),
};

/** The gateway refuses a request stamped more than 15 minutes from its own clock, either way. */
export const TIMESTAMP_TOLERANCE_MS = 15 * 60 * 1000;
const ISO8601_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The nonce and the timestamp every signed request must carry, as the gateway checks them before the signature. */
function checkFreshness(state: State, nonce: string | undefined, timestamp: string | undefined): ApiError | undefined {
  if (!nonce) return errors.missingNonce();
  if (!timestamp) return errors.missingTimestamp();
  const at = ISO8601_UTC.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(at)) return errors.timestampFormat();
  if (Math.abs(state.gatewayNow() - at) > TIMESTAMP_TOLERANCE_MS) return errors.timestampExpired();
  return undefined;
}

/** ACS3 signs `host` and every `x-acs-*` header sent; a SignedHeaders list that leaves one out is refused. */
function unsignedHeaders(call: IncomingCall, signedHeaders: string[]): string[] {
  const required = ['host', ...Object.keys(call.headers).filter((name) => name.startsWith('x-acs-'))];
  return required.filter((name) => !signedHeaders.includes(name));
}

/** Security-token rules for the key's kind: STS keys need their own unexpired token; long-lived keys take none. */
export function checkSecurityToken(key: AccessKey, token: string | undefined, now: number): ApiError | undefined {
  if (key.kind === 'long-lived') {
    return token
      ? apiError(
          400,
          'InvalidSecurityToken.MismatchWithAccessKey',
          'Specified SecurityToken mismatch with the AccessKey.',
        )
      : undefined;
  }
  if (!token) return apiError(400, 'MissingSecurityToken', 'SecurityToken is mandatory for this action.');
  if (!token.startsWith('CAIS'))
    return apiError(400, 'InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed.');
  if (!sameText(token, key.securityToken)) {
    return apiError(
      400,
      'InvalidSecurityToken.MismatchWithAccessKey',
      'Specified SecurityToken mismatch with the AccessKey.',
    );
  }
  if (now >= key.expiresAt) return apiError(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.');
  return undefined;
}

export interface Acs3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAcs3Authorization(header: string): Acs3Authorization | undefined {
  if (!header.startsWith(`${ACS3} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ACS3.length + 1).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

/** The ACS3 canonical request, built the way @alicloud/openapi-core's getAuthorization builds it. */
export function acs3CanonicalRequest(call: IncomingCall, signedHeaders: string[]): string {
  const canonicalQuery = Object.keys(call.query)
    .sort()
    .map((name) => `${name}=${percentEncode(call.query[name] ?? '')}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(call.headers[name] ?? '').trim()}\n`).join('');
  return [
    call.method,
    call.path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    call.headers['x-acs-content-sha256'] ?? '',
  ].join('\n');
}

export function acs3Signature(canonicalRequest: string, secret: string): string {
  const stringToSign = `${ACS3}\n${sha256Hex(canonicalRequest)}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

/** RPC v1: HMAC-SHA1 over METHOD&%2F&encode(sorted, encoded parameters), keyed with secret + '&'. */
export function rpcSignature(method: string, params: Record<string, string>, secret: string): string {
  const canonical = Object.keys(params)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name] ?? '')}`)
    .join('&');
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

function remember(state: State, nonce: string | undefined): ApiError | undefined {
  if (!nonce) return undefined;
  if (state.nonces.has(nonce)) return errors.nonceUsed();
  state.nonces.add(nonce);
  return undefined;
}

function verifyAcs3(state: State, call: IncomingCall, header: string): Authentication {
  const auth = parseAcs3Authorization(header);
  if (!auth || unsignedHeaders(call, auth.signedHeaders).length > 0) return { ok: false, error: errors.incomplete() };
  const stale = checkFreshness(state, call.headers['x-acs-signature-nonce'], call.headers['x-acs-date']);
  if (stale) return { ok: false, error: stale };
  const key = state.keys.get(auth.accessKeyId);
  if (!key) return { ok: false, error: errors.unknownKey() };
  const tokenError = checkSecurityToken(key, call.headers['x-acs-security-token'], state.now());
  if (tokenError) return { ok: false, error: tokenError };
  if (!sameText(call.headers['x-acs-content-sha256'] ?? '', sha256Hex(call.body)))
    return { ok: false, error: errors.mismatch() };
  const expected = acs3Signature(acs3CanonicalRequest(call, auth.signedHeaders), key.accessKeySecret);
  if (!sameText(expected, auth.signature)) return { ok: false, error: errors.mismatch() };
  const nonceError = remember(state, call.headers['x-acs-signature-nonce']);
  return nonceError ? { ok: false, error: nonceError } : { ok: true, key };
}

function verifyRpc(state: State, call: IncomingCall): Authentication {
  const { Signature: signature, ...signed } = callParams(call);
  const accessKeyId = signed.AccessKeyId;
  if (!accessKeyId) return { ok: false, error: errors.missingKey() };
  if (signed.SignatureMethod !== 'HMAC-SHA1') return { ok: false, error: errors.badMethod() };
  const stale = checkFreshness(state, signed.SignatureNonce, signed.Timestamp);
  if (stale) return { ok: false, error: stale };
  const key = state.keys.get(accessKeyId);
  if (!key) return { ok: false, error: errors.unknownKey() };
  const tokenError = checkSecurityToken(key, signed.SecurityToken, state.now());
  if (tokenError) return { ok: false, error: tokenError };
  const expected = rpcSignature(call.method, signed, key.accessKeySecret);
  if (!sameText(expected, signature ?? '')) return { ok: false, error: errors.mismatch() };
  const nonceError = remember(state, signed.SignatureNonce);
  return nonceError ? { ok: false, error: nonceError } : { ok: true, key };
}

/** Authenticates a signed call in whichever style it was signed. */
export function authenticate(state: State, call: IncomingCall): Authentication {
  const authorization = call.headers.authorization;
  if (authorization?.startsWith('ACS3-')) {
    return authorization.startsWith(`${ACS3} `)
      ? verifyAcs3(state, call, authorization)
      : { ok: false, error: errors.badMethod() };
  }
  if (callParams(call).Signature !== undefined) return verifyRpc(state, call);
  return { ok: false, error: errors.missingKey() };
}
