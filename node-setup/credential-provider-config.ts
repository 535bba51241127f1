// The kubelet's CredentialProviderConfig: our provider entry, our own file,
// and merging our entry into a file other providers already use without
// disturbing theirs (YAML edits go through the yaml Document, which keeps
// comments, order and formatting of everything it is not asked to change).
import { isMap, isSeq, parseDocument, stringify, type Document, type YAMLSeq } from 'yaml';
import { PROVIDER_NAME } from './host-paths.js';
import { DEFAULT_CACHE_DIR, DEFAULT_CONFIG_PATH } from '../provider/common/paths.js';

export const CONFIG_API_VERSION = 'kubelet.config.k8s.io/v1';
export const PROVIDER_API_VERSION = 'credentialprovider.kubelet.k8s.io/v1';
/** The kubelet needs a default; every response of ours carries its own cacheDuration. */
export const DEFAULT_CACHE_DURATION = '30m';

export interface ProviderEntry {
  name: string;
  matchImages: string[];
  defaultCacheDuration: string;
  apiVersion: string;
  args: string[];
}

export function acrProviderEntry(matchImages: string[]): ProviderEntry {
  return {
    name: PROVIDER_NAME,
    matchImages,
    defaultCacheDuration: DEFAULT_CACHE_DURATION,
    apiVersion: PROVIDER_API_VERSION,
    args: ['--config', DEFAULT_CONFIG_PATH, '--cache-dir', DEFAULT_CACHE_DIR],
  };
}

const HEADER = '# Written by acr-node-setup; `acr-node-setup uninstall` removes it.\n';

export function renderOwnConfig(entry: ProviderEntry): string {
  return HEADER + stringify({ apiVersion: CONFIG_API_VERSION, kind: 'CredentialProviderConfig', providers: [entry] });
}

export type ConfigEdit = { ok: true; text: string } | { ok: false; message: string };

function isJson(text: string): boolean {
  return text.trimStart().startsWith('{');
}

function providerName(item: unknown): unknown {
  return isMap(item) ? item.get('name') : undefined;
}

/** Puts our entry into someone else's config: replaces an earlier entry of ours, appends otherwise. */
export function mergeProvider(text: string, entry: ProviderEntry): ConfigEdit {
  return editProviders(
    text,
    (providers) => {
      const index = providers.findIndex((p) => p.name === entry.name);
      if (index === -1) return [...providers, entry];
      return providers.map((p, i) => (i === index ? entry : p));
    },
    (seq, doc) => {
      const index = seq.items.findIndex((item) => providerName(item) === entry.name);
      const node = doc.createNode(entry);
      if (index === -1) seq.items.push(node);
      else seq.items[index] = node;
    },
  );
}

/** Takes our entry out of a config that has others' entries. */
export function removeProvider(text: string, name: string = PROVIDER_NAME): ConfigEdit {
  return editProviders(
    text,
    (providers) => providers.filter((p) => p.name !== name),
    (seq) => {
      seq.items = seq.items.filter((item) => providerName(item) !== name);
    },
  );
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

/** The entry named ours in a config, for `ready` and tests. */
export function findProvider(text: string, name: string = PROVIDER_NAME): ProviderEntry | undefined {
  try {
    const value: unknown = isJson(text) ? JSON.parse(text) : parseDocument(text).toJS();
    if (checkConfigObject(value)) return undefined;
    return (value as { providers: ProviderEntry[] }).providers.find((p) => p.name === name);
  } catch {
    return undefined;
  }
}
