// The kubelet's CredentialProviderConfig: our provider entry, our own file,
// and merging our entry into a file other providers already use without
// disturbing theirs (YAML edits go through the yaml Document, which keeps
// comments, order and formatting of everything it is not asked to change).
import { isMap, isSeq, parseDocument, stringify, type Document, type YAMLSeq } from 'yaml';
import { POD_IDENTITY_PROVIDER_NAME, PROVIDER_NAME } from '../provider/common/executable-names.js';
import { DEFAULT_CACHE_DIR, DEFAULT_CONFIG_PATH } from '../provider/common/paths.js';
import { RRSA_AUDIENCE, WORKLOAD_ANNOTATIONS } from '../provider/credentials/service-account-token.js';

export const CONFIG_API_VERSION = 'kubelet.config.k8s.io/v1';
export const PROVIDER_API_VERSION = 'credentialprovider.kubelet.k8s.io/v1';
/** The kubelet needs a default; every response of ours carries its own cacheDuration. */
export const DEFAULT_CACHE_DURATION = '30m';

/** Every provider name of ours, in the order they go into a config. */
export const OUR_PROVIDER_NAMES = [POD_IDENTITY_PROVIDER_NAME, PROVIDER_NAME] as const;

export interface TokenAttributes {
  serviceAccountTokenAudience: string;
  cacheType: 'Token' | 'ServiceAccount';
  requireServiceAccount: boolean;
  optionalServiceAccountAnnotationKeys: string[];
}

export interface ProviderEntry {
  name: string;
  matchImages: string[];
  defaultCacheDuration: string;
  apiVersion: string;
  args: string[];
  tokenAttributes?: TokenAttributes;
}

const ARGS = ['--config', DEFAULT_CONFIG_PATH, '--cache-dir', DEFAULT_CACHE_DIR];

export function acrProviderEntry(matchImages: string[]): ProviderEntry {
  return {
    name: PROVIDER_NAME,
    matchImages,
    defaultCacheDuration: DEFAULT_CACHE_DURATION,
    apiVersion: PROVIDER_API_VERSION,
    args: ARGS,
  };
}

/**
 * The same executable under its second name, in the kubelet's
 * ServiceAccount-token mode: every pull of a pod carries a token for RRSA's
 * audience and the role annotations. Cached per ServiceAccount (the answer
 * depends on it); a pull without a ServiceAccount (static pods) still calls
 * it, without a token.
 */
export function podIdentityProviderEntry(matchImages: string[]): ProviderEntry {
  return {
    name: POD_IDENTITY_PROVIDER_NAME,
    matchImages,
    defaultCacheDuration: DEFAULT_CACHE_DURATION,
    apiVersion: PROVIDER_API_VERSION,
    args: ARGS,
    tokenAttributes: {
      serviceAccountTokenAudience: RRSA_AUDIENCE,
      cacheType: 'ServiceAccount',
      requireServiceAccount: false,
      optionalServiceAccountAnnotationKeys: [...WORKLOAD_ANNOTATIONS],
    },
  };
}

/** What the kubelet is to run for this configuration, and why, when pod identity cannot be had. */
export interface EntriesPlan {
  entries: ProviderEntry[];
  /** Set when pod identity is on in acr-configuration but this kubelet cannot take it. */
  podIdentityUnavailable?: string;
}

/**
 * Which entries the kubelet gets. The kubelet calls every provider whose
 * matchImages match and tries all their credentials, the earlier provider's
 * first for the same auth key: so the pod-identity entry comes first (a
 * pod's own role is tried before the node's), and with require-role the
 * node's entry is left out (it would hand the node's credentials to every pod).
 */
export function providerEntries(
  matchImages: string[],
  podIdentity: { enabled: boolean; requireRole: boolean },
  support: { ok: true } | { ok: false; reason: string },
): EntriesPlan {
  const plain = acrProviderEntry(matchImages);
  if (!podIdentity.enabled) return { entries: [plain] };
  if (!support.ok) return { entries: [plain], podIdentityUnavailable: support.reason };
  const pod = podIdentityProviderEntry(matchImages);
  return { entries: podIdentity.requireRole ? [pod] : [pod, plain] };
}

const HEADER = '# Written by acr-node-setup; `acr-node-setup uninstall` removes it.\n';

export function renderOwnConfig(entries: ProviderEntry[]): string {
  return HEADER + stringify({ apiVersion: CONFIG_API_VERSION, kind: 'CredentialProviderConfig', providers: entries });
}

export type ConfigEdit = { ok: true; text: string } | { ok: false; message: string };

function isJson(text: string): boolean {
  return text.trimStart().startsWith('{');
}

function providerName(item: unknown): unknown {
  return isMap(item) ? item.get('name') : undefined;
}

const ours = (name: unknown) => (OUR_PROVIDER_NAMES as readonly unknown[]).includes(name);

/**
 * Puts our entries into someone else's config where our first one was (at
 * the end when there was none), in our order, and takes out any of ours not
 * in `entries`; their entries keep their places.
 */
export function mergeProviders(text: string, entries: ProviderEntry[]): ConfigEdit {
  const place = <T>(items: T[], nameOf: (item: T) => unknown, make: (entry: ProviderEntry) => T): T[] => {
    const first = items.findIndex((item) => ours(nameOf(item)));
    const theirs = items.filter((item) => !ours(nameOf(item)));
    const at = first === -1 ? theirs.length : items.slice(0, first).filter((item) => !ours(nameOf(item))).length;
    return [...theirs.slice(0, at), ...entries.map(make), ...theirs.slice(at)];
  };
  return editProviders(
    text,
    (providers) =>
      place(
        providers,
        (p) => p.name,
        (entry) => ({ ...entry }),
      ),
    (seq, doc) => {
      seq.items = place(seq.items, providerName, (entry) => doc.createNode(entry));
    },
  );
}

/** Takes our entries out of a config that has others' entries. */
export function removeProviders(text: string): ConfigEdit {
  return mergeProviders(text, []);
}

type JsonProvider = { name?: unknown } & Record<string, unknown>;

function editProviders(
  text: string,
  json: (providers: JsonProvider[]) => unknown[],
  yaml: (seq: YAMLSeq, doc: Document) => void,
): ConfigEdit {
  if (isJson(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return { ok: false, message: `not valid JSON: ${(error as Error).message}` };
    }
    const check = checkConfigObject(parsed);
    if (check) return { ok: false, message: check };
    const config = parsed as { providers: JsonProvider[] };
    return { ok: true, text: `${JSON.stringify({ ...config, providers: json(config.providers) }, null, 2)}\n` };
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { ok: false, message: `not valid YAML: ${doc.errors[0]!.message}` };
  const check = checkConfigObject(doc.toJS());
  if (check) return { ok: false, message: check };
  const seq = doc.get('providers');
  if (!isSeq(seq)) return { ok: false, message: '`providers` is not a list' };
  yaml(seq, doc);
  return { ok: true, text: doc.toString() };
}

function checkConfigObject(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a CredentialProviderConfig (not a mapping)';
  const config = value as Record<string, unknown>;
  if (config.kind !== 'CredentialProviderConfig')
    return `kind is ${JSON.stringify(config.kind)}, not CredentialProviderConfig`;
  if (typeof config.apiVersion !== 'string' || !config.apiVersion.startsWith('kubelet.config.k8s.io/'))
    return `apiVersion ${JSON.stringify(config.apiVersion)} is not kubelet.config.k8s.io/*`;
  if (!Array.isArray(config.providers)) return '`providers` is not a list';
  return undefined;
}

/** Provider names a config file declares ([] when it cannot be read as one). */
export function providerNames(text: string): string[] {
  try {
    const value: unknown = isJson(text) ? JSON.parse(text) : parseDocument(text).toJS();
    if (checkConfigObject(value)) return [];
    return (value as { providers: JsonProvider[] }).providers
      .map((p) => p.name)
      .filter((n): n is string => typeof n === 'string');
  } catch {
    return [];
  }
}

/** Our entries in a config, in its order ([] when it cannot be read as one). */
export function ourProviders(text: string): ProviderEntry[] {
  try {
    const value: unknown = isJson(text) ? JSON.parse(text) : parseDocument(text).toJS();
    if (checkConfigObject(value)) return [];
    return (value as { providers: ProviderEntry[] }).providers.filter((p) => ours(p.name));
  } catch {
    return [];
  }
}

/** The entry of ours named `name` in a config, for tests and `ready`. */
export function findProvider(text: string, name: string = PROVIDER_NAME): ProviderEntry | undefined {
  return ourProviders(text).find((p) => p.name === name);
}
