// The Docker credential-helper protocol (docker/docker-credential-helpers),
// as docker, nerdctl, buildkit and containers/image (skopeo, podman, buildah)
// speak it: `docker-credential-acr <verb>`, the input on stdin, the answer on
// stdout. Pure: the verbs, the server URL a client sends, the answers.

/** The message clients read as "no credentials here": docker and containers/image then go on anonymously. */
export const NOT_FOUND = 'credentials not found in native keychain';

export const VERBS = ['get', 'list', 'store', 'erase', 'version'] as const;
export type Verb = (typeof VERBS)[number];

export type HelperCall = { kind: 'verb'; verb: Verb } | { kind: 'help' } | { kind: 'usage-error'; message: string };

export function parseHelperArgs(args: readonly string[]): HelperCall {
  const [first, ...rest] = args;
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help' };
  if (first === '--version') return { kind: 'verb', verb: 'version' };
  const verb = VERBS.find((candidate) => candidate === first);
  if (!verb) {
    return {
      kind: 'usage-error',
      message:
        first === undefined
          ? 'name a verb'
          : `${JSON.stringify(first)} is not a verb of the credential-helper protocol`,
    };
  }
  if (rest.length > 0) return { kind: 'usage-error', message: `${verb} takes no arguments (its input is on stdin)` };
  return { kind: 'verb', verb };
}

/**
 * The registry a client names: docker sends a host (`registry.example.com`),
 * a URL (`https://index.docker.io/v1/`), with or without a port or a path.
 * The answer is the `host[:port]` the registry is pulled from.
 */
export function registryAuthority(serverUrl: string): { ok: true; authority: string } | { ok: false; message: string } {
  const text = serverUrl.trim();
  if (text === '') return { ok: false, message: 'no server URL on stdin' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, message: `${JSON.stringify(text)} is not a registry host or URL` };
  }
  if (url.hostname === '') return { ok: false, message: `${JSON.stringify(text)} names no host` };
  return { ok: true, authority: url.host.toLowerCase() };
}

/** `get`'s answer. `ServerURL` is echoed as the client sent it. */
export function getAnswer(serverUrl: string, username: string, secret: string): string {
  return `${JSON.stringify({ ServerURL: serverUrl.trim(), Username: username, Secret: secret })}\n`;
}

/** `list`'s answer: each registry with the user name its tokens carry. */
export function listAnswer(hosts: readonly string[], username: string): string {
  return `${JSON.stringify(Object.fromEntries(hosts.map((host) => [host, username])))}\n`;
}

/** The user name of every ACR temporary token, both editions (GetAuthorizationToken's TempUsername). */
export const ACR_TEMP_USERNAME = 'cr_temp_user';
