import { timingSafeEqual } from 'node:crypto';
import type { IncomingCall } from './call.js';
import type { Reply } from './reply.js';
import type { IssuedToken, State } from './state.js';

/**
 * The registry's version check (GET /v2/), accepting HTTP Basic with a CR
 * password this fake issued, still valid, and issued for the registry the
 * Host header names: an Enterprise token for one of its instance's domains,
 * a Personal Edition token for that region's Personal hosts. Another
 * instance's token is refused, as ACR refuses it.
 */

const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function samePassword(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether `host` is a registry host the token was issued for. */
function servesToken(state: State, token: IssuedToken, host: string): boolean {
  if (token.instanceId !== undefined) {
    return state.instances.get(token.instanceId)?.domains.some((d) => d.domain === host) ?? false;
  }
  const region = token.region.replace(/[^a-z0-9-]/g, '');
  const personal = new RegExp(
    `^(registry(-intl)?(-vpc|-internal)?\\.${region}\\.aliyuncs\\.com|crpi-[a-z0-9]+(-vpc)?\\.${region}\\.personal\\.cr\\.aliyuncs\\.com)$`,
  );
  return personal.test(host);
}

export function handleRegistry(state: State, call: IncomingCall): Reply {
  const presented = parseBasic(call.headers.authorization);
  const now = state.now();
  const host = (call.headers.host ?? '').toLowerCase();
  const valid =
    presented !== undefined &&
    state.issuedTokens.some(
      (t) =>
        t.username === presented.username &&
        samePassword(t.password, presented.password) &&
        t.expiresAt > now &&
        servesToken(state, t, host),
    );
  if (valid) {
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', ...API_VERSION }, body: '{}' };
  }
  return {
    status: 401,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'www-authenticate': `Basic realm="${call.host || 'registry'}"`,
      ...API_VERSION,
    },
    body: JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] }),
    code: 'UNAUTHORIZED',
  };
}
