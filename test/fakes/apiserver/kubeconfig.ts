import { stringify } from 'yaml';

export interface KubeconfigOptions {
  context?: string;
  namespace?: string;
  user?: string;
}

export const defaultUser = 'admin';

const tokenPrefix = 'fake-apiserver-token.';

/** Each user's bearer token names the user, so the server needs no token table. */
export function tokenFor(user: string): string {
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

export function kubeconfigYaml(server: string, options: KubeconfigOptions = {}): string {
  const user = options.user ?? defaultUser;
  const context = options.context ?? 'fake';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node 2.x refuses plain http unless TLS verification is off; kubectl accepts both.
    clusters: [{ name: 'fake-cluster', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user, user: { token: tokenFor(user) } }],
    contexts: [{ name: context, context: { cluster: 'fake-cluster', user, ...(options.namespace ? { namespace: options.namespace } : {}) } }],
    'current-context': context,
    preferences: {},
  });
}
