// An image as the kubelet names it, split into the registry host and the
// repository path. The kubelet sends the normalized `host[:port]/path` without
// tag or digest; anything else is accepted only when it is unambiguous.

import { REDACTED } from '../common/redaction.js';

export interface ImageReference {
  /** Lower-case `hostname[:port]`. */
  host: string;
  hostname: string;
  port: number | undefined;
  /** Repository path without tag or digest, e.g. `ns/app`. */
  path: string;
}

export type ImageReferenceParse = { ok: true; ref: ImageReference } | { ok: false; message: string };

/** Docker Hub: where a name without a registry host is pulled from. */
const DEFAULT_REGISTRY = 'docker.io';

const HOSTNAME_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/;
// distribution/reference's path component grammar, so a bad path is reported here rather than by the registry.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

function fail(shown: string, reason: string): ImageReferenceParse {
  return { ok: false, message: `image ${JSON.stringify(shown)} ${reason}` };
}

/**
 * Docker's rule: the first component names a registry only if it has a `.` or
 * a `:` or is `localhost`; otherwise the whole name is a Docker Hub repository.
 */
function looksLikeRegistry(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

function splitHost(authority: string): { hostname: string; port: number | undefined } | string {
  const bracketEnd = authority.startsWith('[') ? authority.indexOf(']') : -1;
  const colon = authority.indexOf(':', bracketEnd + 1);
  const hostname = colon === -1 ? authority : authority.slice(0, colon);
  const portText = colon === -1 ? undefined : authority.slice(colon + 1);
  if (hostname === '') return 'has an empty registry host';
  const validHostname = IPV6_LITERAL.test(hostname) || hostname.split('.').every((label) => HOSTNAME_LABEL.test(label));
  if (!validHostname) return `has an invalid registry host ${JSON.stringify(hostname)}`;
  if (portText === undefined) return { hostname, port: undefined };
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return `has an invalid registry port ${JSON.stringify(portText)}`;
  return { hostname, port };
}

export function parseImageReference(image: string): ImageReferenceParse {
  if (image === '') return fail(image, 'is empty');
  if (/[\s\p{Cc}]/u.test(image)) return fail(image, 'contains whitespace or control characters');
  if (image.includes('://')) return fail(image, 'has a URL scheme; expected host[:port]/path');

  const slash = image.indexOf('/');
  const first = slash === -1 ? image : image.slice(0, slash);
  // `user@host` or `registry.example@evil.com`: whatever the userinfo says, the
  // host that receives the credentials would be the one after the `@`.
  if (slash === 0) return fail(image, 'has an empty registry host');
  if (slash !== -1 && first.includes('@')) {
    // The userinfo may be a password: the message shows only what follows it.
    return fail(
      `${REDACTED}${image.slice(first.lastIndexOf('@'))}`,
      'has userinfo (user@host) before the registry host',
    );
  }

  // Docker would read `registry.example.com` alone as a Docker Hub library
  // image; nobody means that, so say what is missing instead of guessing.
  if (slash === -1 && first.split(/[:@]/)[0]!.includes('.'))
    return fail(image, 'names a registry host but no repository path; expected host[:port]/path');

  let authority: string;
  let remainder: string;
  if (slash !== -1 && looksLikeRegistry(first)) {
    authority = first.toLowerCase();
    remainder = image.slice(slash + 1);
  } else {
    authority = DEFAULT_REGISTRY;
    remainder = slash === -1 ? `library/${image}` : image;
  }

  const at = remainder.indexOf('@');
  if (at !== -1) {
    if (!DIGEST.test(remainder.slice(at + 1))) return fail(image, 'has an invalid digest after "@"');
    remainder = remainder.slice(0, at);
  }
  const lastSlash = remainder.lastIndexOf('/');
  const colon = remainder.indexOf(':', lastSlash + 1);
  if (colon !== -1) {
    if (!TAG.test(remainder.slice(colon + 1))) return fail(image, 'has an invalid tag after ":"');
    remainder = remainder.slice(0, colon);
  }

  const host = splitHost(authority);
  if (typeof host === 'string') return fail(image, host);
  if (remainder === '') return fail(image, 'has no repository path after the registry host');
  const bad = remainder.split('/').find((component) => !PATH_COMPONENT.test(component));
  if (bad !== undefined) {
    return fail(
      image,
      `has an invalid repository path component ${JSON.stringify(bad)} (lower-case letters, digits and single . _ __ - separators)`,
    );
  }
  return {
    ok: true,
    ref: {
      host: host.port === undefined ? host.hostname : `${host.hostname}:${host.port}`,
      hostname: host.hostname,
      port: host.port,
      path: remainder,
    },
  };
}
