// `kubectl acr credentials --check`: GET /v2/ of the registry with the token,
// as a container runtime's first request. ACR_PROVIDER_REGISTRY_ENDPOINT
// (tests, proxies) says where to connect; the Host header still names the
// registry, since the registry decides by it which instance the login is for.
// node:http(s) rather than fetch: fetch does not let a caller set Host.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AcrToken } from '../../provider/cloud/cr-client.js';

/** Where GET /v2/ goes instead of https://<host>; like the provider's ACR_PROVIDER_*_ENDPOINT. */
export const REGISTRY_ENDPOINT_VARIABLE = 'ACR_PROVIDER_REGISTRY_ENDPOINT';
const REGISTRY_CHECK_TIMEOUT_MS = 10_000;

export function registryLogin(env: Record<string, string | undefined>) {
  const override = env[REGISTRY_ENDPOINT_VARIABLE]?.trim();
  return (host: string, token: AcrToken): Promise<{ status: number }> => {
    const target = new URL('/v2/', override ? override.replace(/\/+$/, '') : `https://${host}`);
    const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
    const authorization = `Basic ${Buffer.from(`${token.username}:${token.password}`).toString('base64')}`;
    return new Promise((resolve, reject) => {
      const outgoing = send(
        target,
        { method: 'GET', headers: { host, authorization }, timeout: REGISTRY_CHECK_TIMEOUT_MS },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer from ${host} within 10 s`)));
      outgoing.on('error', reject);
      outgoing.end();
    });
  };
}
