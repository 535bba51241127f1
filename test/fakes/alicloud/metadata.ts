import { randomBytes } from 'node:crypto';
import type { IncomingCall } from './call.js';
import { textReply, type Reply } from './reply.js';
import { issueStsKey, isoSeconds, type State, type StsKey } from './state.js';

/**
 * ECS instance metadata (100.100.100.200) for the node's RAM role, in hardened (IMDSv2-only) mode by default:
 * PUT /latest/api/token with a TTL header, then GETs carrying X-aliyun-ecs-metadata-token.
 */

export type MetadataAction = 'MetadataToken' | 'MetadataRole' | 'MetadataCredentials' | 'MetadataRegion' | 'Metadata';

const CREDENTIALS_PREFIX = '/latest/meta-data/ram/security-credentials';
const MAX_TOKEN_TTL_SECONDS = 21600;

export function metadataAction(call: IncomingCall): MetadataAction {
  if (call.path === '/latest/api/token') return 'MetadataToken';
  if (call.path === `${CREDENTIALS_PREFIX}/` || call.path === CREDENTIALS_PREFIX) return 'MetadataRole';
  if (call.path.startsWith(`${CREDENTIALS_PREFIX}/`)) return 'MetadataCredentials';
  if (call.path === '/latest/meta-data/region-id') return 'MetadataRegion';
  return 'Metadata';
}

const notFound = (): Reply => textReply(404, '404 - Not Found', {}, 'NotFound');

function issueSessionToken(state: State, call: IncomingCall): Reply {
  if (call.method !== 'PUT') return textReply(405, 'Method Not Allowed', {}, 'MethodNotAllowed');
  const ttl = Number(call.headers['x-aliyun-ecs-metadata-token-ttl-seconds']);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS)
    return textReply(400, 'Bad Request', {}, 'BadRequest');
  const token = randomBytes(32).toString('base64url');
  state.metadataTokens.set(token, state.now() + ttl * 1000);
  return textReply(200, token);
}

/** Hardened instances refuse token-less reads with 403; a token that is unknown or expired gets 401. */
function checkSession(state: State, call: IncomingCall): Reply | undefined {
  const token = call.headers['x-aliyun-ecs-metadata-token'];
  if (token === undefined)
    return state.metadata.imdsV1Allowed ? undefined : textReply(403, 'Forbidden', {}, 'Forbidden');
  const expiresAt = state.metadataTokens.get(token);
  if (expiresAt === undefined || expiresAt <= state.now()) return textReply(401, 'Unauthorized', {}, 'Unauthorized');
  return undefined;
}

/** Like the real service, the same credentials are handed out until they have used up half their lifetime. */
function currentCredentials(state: State): { key: StsKey; issuedAt: number } {
  const { principal, credentialTtlSeconds } = state.metadata;
  const held = state.metadataCredentials;
  const now = state.now();
  if (held && held.key.principal === principal && held.key.expiresAt - now > (credentialTtlSeconds * 1000) / 2)
    return held;
  const fresh = { key: issueStsKey(state, principal, credentialTtlSeconds), issuedAt: now };
  state.metadataCredentials = fresh;
  return fresh;
}

export function handleMetadata(state: State, call: IncomingCall, action: MetadataAction): Reply {
  if (action === 'MetadataToken') return issueSessionToken(state, call);
  if (call.method !== 'GET') return textReply(405, 'Method Not Allowed', {}, 'MethodNotAllowed');
  const refused = checkSession(state, call);
  if (refused) return refused;
  const { roleName, region } = state.metadata;
  switch (action) {
    case 'MetadataRegion':
      return textReply(200, region);
    case 'MetadataRole':
      return roleName === undefined ? notFound() : textReply(200, roleName);
    case 'MetadataCredentials': {
      const requested = decodeURIComponent(call.path.slice(CREDENTIALS_PREFIX.length + 1));
      if (roleName === undefined || requested !== roleName) return notFound();
      const { key, issuedAt } = currentCredentials(state);
      const body = {
        AccessKeyId: key.accessKeyId,
        AccessKeySecret: key.accessKeySecret,
        Expiration: isoSeconds(key.expiresAt),
        SecurityToken: key.securityToken,
        LastUpdated: isoSeconds(issuedAt),
        Code: 'Success',
      };
      return textReply(200, JSON.stringify(body, null, 2), { 'content-type': 'text/plain' });
    }
    case 'Metadata':
      return notFound();
  }
}
