import { stringify } from 'yaml';

export interface KubeconfigOptions {
  context?: string;
  namespace?: string;
  user?: string;
}

const defaultUser = 'admin';

const tokenPrefix = 'fake-apiserver-token.';

/** Each user's bearer token names the user, so the server needs no token table. */
function tokenFor(user: string): string {
  return tokenPrefix + encodeURIComponent(user);
}

/** The user a bearer token stands for; undefined for a token this server never issued. */
export function userForToken(token: string): string | undefined {
  if (!token.startsWith(tokenPrefix)) return undefined;
  try {
    return decodeURIComponent(token.slice(tokenPrefix.length));
  } catch {
    return undefined;
  }
}

/**
 * kubectl (client-go) sends credentials only over TLS: against a plain-http
 * server it drops the bearer token. So the kubeconfig's server URL also names
 * the user in a path prefix that client-go keeps on every request; the token
 * still identifies the user for clients that send it (client-node does).
 */
const userPrefix = /^\/as\/([^/]+)(\/.*)?$/;

function serverUrlFor(url: string, user: string): string {
  return `${url}/as/${encodeURIComponent(user)}`;
}

/** The API path and the user named in a `/as/<user>` prefix, if the path has one. */
export function splitUserPrefix(pathname: string): { path: string; user: string | undefined } {
  const match = userPrefix.exec(pathname);
  if (!match) return { path: pathname, user: undefined };
  try {
    return { path: match[2] ?? '/', user: decodeURIComponent(match[1]!) };
  } catch {
    return { path: pathname, user: undefined };
  }
}

export function kubeconfigYaml(url: string, options: KubeconfigOptions = {}): string {
  const user = options.user ?? defaultUser;
  const server = serverUrlFor(url, user);
  const context = options.context ?? 'fake';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node 2.x refuses plain http unless TLS verification is off; kubectl accepts both.
    clusters: [{ name: 'fake-cluster', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user, user: { token: tokenFor(user) } }],
    contexts: [
      {
        name: context,
        context: { cluster: 'fake-cluster', user, ...(options.namespace ? { namespace: options.namespace } : {}) },
      },
    ],
    'current-context': context,
    preferences: {},
  });
}
