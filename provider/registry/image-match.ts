// The kubelet's rule for matching an image against a `matchImages` entry or a
// response `auth` key (k8s.io/kubernetes pkg/credentialprovider URLsMatchStr),
// reproduced exactly so node-setup can prove that its matchImages list
// covers every configured domain before the kubelet ever sees it (the tests
// use it to check the provider's auth keys the same way):
//   - both sides are parsed as `https://` + text; userinfo is dropped;
//   - ports must be equal (no port on one side ≠ a port on the other);
//   - the hosts must have the same number of dot-separated labels and each
//     label must match Go's filepath.Match glob (`*`, `[a-z]`);
//   - the pattern's path must be a plain string prefix of the image's path.
// Like the kubelet, the comparison is case-sensitive and a malformed pattern
// matches nothing.

import type { AcrConfiguration, RegistryEntry } from '../configuration/model.js';
import { classifyHost, P2P_PORT } from './registry-host.js';

// Only `*` and `[…]` classes reach the glob: url.Parse has already cut the
// host at `?` and refused `\` and `^`, so Go's `?`, escapes and negated
// classes cannot occur in a host label.
type GlobToken =
  { kind: 'star' } | { kind: 'literal'; char: string } | { kind: 'class'; ranges: Array<[number, number]> };

/** Go's getEsc: one class character; `-` or `]` here is malformed, and so is a class running to the end. */
function classChar(chars: string[], at: number): { code: number; next: number } | undefined {
  const char = chars[at];
  if (char === undefined || char === '-' || char === ']') return undefined;
  return { code: char.codePointAt(0)!, next: at + 1 };
}

/** Tokenizes a filepath.Match label pattern; undefined when Go would return ErrBadPattern. */
function parseGlob(pattern: string): GlobToken[] | undefined {
  const chars = [...pattern];
  const tokens: GlobToken[] = [];
  let i = 0;
  while (i < chars.length) {
    const char = chars[i]!;
    if (char === '*') {
      tokens.push({ kind: 'star' });
      i++;
    } else if (char === '[') {
      i++;
      const ranges: Array<[number, number]> = [];
      while (!(chars[i] === ']' && ranges.length > 0)) {
        const lo = classChar(chars, i);
        if (!lo) return undefined;
        const hi = chars[lo.next] === '-' ? classChar(chars, lo.next + 1) : lo;
        if (!hi) return undefined;
        ranges.push([lo.code, hi.code]);
        i = hi.next;
      }
      tokens.push({ kind: 'class', ranges });
      i++;
    } else {
      tokens.push({ kind: 'literal', char });
      i++;
    }
  }
  return tokens;
}

function tokenMatches(token: Exclude<GlobToken, { kind: 'star' }>, char: string): boolean {
  if (token.kind === 'literal') return token.char === char;
  const code = char.codePointAt(0)!;
  return token.ranges.some(([lo, hi]) => lo <= code && code <= hi);
}

function globMatches(tokens: GlobToken[], text: string): boolean {
  const chars = [...text];
  // matched[j]: the tokens consumed so far match chars[0, j).
  let matched = Array.from({ length: chars.length + 1 }, (_, j) => j === 0);
  for (const token of tokens) {
    const next: boolean[] = [];
    for (let j = 0; j <= chars.length; j++) {
      next.push(
        token.kind === 'star'
          ? matched[j] === true || next[j - 1] === true
          : matched[j - 1] === true && tokenMatches(token, chars[j - 1]!),
      );
    }
    matched = next;
  }
  return matched[chars.length] === true;
}

interface SchemelessUrl {
  labels: string[];
  port: string;
  path: string;
}

// Go's url.Parse refuses these ASCII characters in a host: controls, space,
// DEL and \^`{|}% ('%' escapes are left out: no registry host uses them).
const GO_URL_HOST_REFUSED = '\\^`{|}%';

function isGoUrlHost(text: string): boolean {
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code <= 0x20 || code === 0x7f || GO_URL_HOST_REFUSED.includes(ch)) return false;
  }
  return true;
}

/** Go's net.SplitHostPort as the kubelet uses it: on any error the whole text is the host and the port is empty. */
function splitHostPort(hostport: string): { host: string; port: string } {
  const whole = { host: hostport, port: '' };
  const colon = hostport.lastIndexOf(':');
  if (colon === -1) return whole;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end + 1 !== colon || hostport.indexOf('[', 1) !== -1 || hostport.indexOf(']', end + 1) !== -1) return whole;
    return { host: hostport.slice(1, end), port: hostport.slice(colon + 1) };
  }
  const host = hostport.slice(0, colon);
  if (host.includes(':') || host.includes('[') || host.includes(']')) return whole;
  return { host, port: hostport.slice(colon + 1) };
}

/** What Go's url.Parse requires to be empty or `:digits`: after the `]` of a bracketed host, else from its last colon. */
function colonPort(hostport: string): string | undefined {
  if (hostport.startsWith('[')) {
    const end = hostport.lastIndexOf(']');
    return end === -1 ? undefined : hostport.slice(end + 1);
  }
  const colon = hostport.lastIndexOf(':');
  return colon === -1 ? '' : hostport.slice(colon);
}

/** Go's url.Parse("https://" + text) followed by the kubelet's splitURL; undefined where url.Parse fails. */
function parseSchemelessUrl(text: string): SchemelessUrl | undefined {
  const authorityEnd = text.search(/[/?#]/);
  const authority = authorityEnd === -1 ? text : text.slice(0, authorityEnd);
  const rest = authorityEnd === -1 ? '' : text.slice(authorityEnd);
  const hostport = authority.slice(authority.lastIndexOf('@') + 1);
  if (!isGoUrlHost(hostport)) return undefined;
  if (!/^(:[0-9]*)?$/.test(colonPort(hostport) ?? 'missing ]')) return undefined;
  const { host, port } = splitHostPort(hostport);
  const pathEnd = rest.search(/[?#]/);
  return { labels: host.split('.'), port, path: pathEnd === -1 ? rest : rest.slice(0, pathEnd) };
}

export function kubeletImageMatches(pattern: string, image: string): boolean {
  const glob = parseSchemelessUrl(pattern);
  const target = parseSchemelessUrl(image);
  if (!glob || !target) return false;
  if (glob.port !== target.port) return false;
  if (glob.labels.length !== target.labels.length) return false;
  if (!target.path.startsWith(glob.path)) return false;
  return glob.labels.every((label, k) => {
    const tokens = parseGlob(label);
    return tokens !== undefined && globMatches(tokens, target.labels[k]!);
  });
}

/**
 * matchImages covering every ACR host shape and as little else under
 * aliyuncs.com as the kubelet's globs allow. Only `*` is usable: Go's url.Parse
 * reads `?` as the start of a query, and newer Go versions reject `[` inside a
 * host, which would make the kubelet refuse its whole configuration. So an
 * empty instance name or crpi id (`-registry.…`, `crpi-.…`) and a region label
 * that is no region id still match; classifyHost refuses those, and the
 * provider answers them without credentials.
 */
export const ACR_MATCH_IMAGES: readonly string[] = [
  'registry.*.aliyuncs.com',
  'registry-vpc.*.aliyuncs.com',
  'registry-internal.*.aliyuncs.com',
  'registry-intl.*.aliyuncs.com',
  'registry-intl-vpc.*.aliyuncs.com',
  'registry-intl-internal.*.aliyuncs.com',
  'crpi-*.*.personal.cr.aliyuncs.com',
  '*-registry.*.cr.aliyuncs.com',
  '*-registry-vpc.*.cr.aliyuncs.com',
  `*-registry-vpc.distributed.*.cr.aliyuncs.com:${P2P_PORT}`,
];

/** ACR_MATCH_IMAGES plus the configured custom domains (host[:port]), lower-cased, first occurrence kept. */
export function matchImagesFor(customDomains: string[]): string[] {
  return [...new Set([...ACR_MATCH_IMAGES, ...customDomains.map((domain) => domain.trim().toLowerCase())])].filter(
    (pattern) => pattern !== '',
  );
}

/** A host no ACR pattern covers (a custom domain): the kubelet must be told to send its images to us. */
export function isCustomDomain(host: string): boolean {
  return classifyHost(host).kind === 'other';
}

/** The custom domains the configuration lists in `domains`. */
export function listedCustomDomains(config: AcrConfiguration): string[] {
  return config.registries.flatMap((r) => r.domains ?? []).filter(isCustomDomain);
}

/** Whether an entry's hosts are only known by asking the cloud: an Enterprise instance that lists no domains. */
export function domainsUnlisted(entry: RegistryEntry): boolean {
  return entry.edition === 'enterprise' && entry.domains === undefined;
}
