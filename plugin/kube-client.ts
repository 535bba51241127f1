// Reaching the cluster the way kubectl does: the same kubeconfig precedence
// and merging, the same --context and --request-timeout meaning, so that
// `kubectl acr …` talks to the cluster `kubectl …` talks to.

import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { delimiter, join } from 'node:path';
import { parseGoDuration } from '../provider/common/go-duration.js';

export interface ConnectionFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  requestTimeout?: string | undefined;
}

/** Why the plugin could not even try to reach the cluster: bad flags or files, exit 2. */
export class KubeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

/** A non-2xx answer of the apiserver, with the Status it sent. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** Which files kubectl reads: --kubeconfig alone, else every file of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigFiles(flag: string | undefined, env: Record<string, string | undefined>): string[] {
  if (flag !== undefined && flag !== '') {
    if (!existsSync(flag)) throw new KubeConfigError(`--kubeconfig ${flag}: no such file.`);
    return [flag];
  }
  const list = env.KUBECONFIG;
  if (list !== undefined && list !== '') {
    // kubectl skips files of the list that do not exist.
    return list.split(delimiter).filter((file) => file !== '' && existsSync(file));
  }
  const home = env.HOME;
  const fallback = home ? join(home, '.kube', 'config') : undefined;
  return fallback && existsSync(fallback) ? [fallback] : [];
}

function firstByName<T extends { name: string }>(lists: T[][]): T[] {
  const seen = new Map<string, T>();
  for (const list of lists) for (const item of list) if (!seen.has(item.name)) seen.set(item.name, item);
  return [...seen.values()];
}

/**
 * kubectl's merge: the first file that defines a cluster, user or context (or
 * current-context) wins; later files only add names. client-node's own
 * loadFromDefault throws on duplicates instead.
 */
export function loadKubeConfig(flags: ConnectionFlags, env: Record<string, string | undefined>): KubeConfig {
  const files = kubeconfigFiles(flags.kubeconfig, env);
  const merged = new KubeConfig();
  if (files.length === 0) {
    if (env.KUBERNETES_SERVICE_HOST) {
      merged.loadFromCluster();
      return merged;
    }
    throw new KubeConfigError('No kubeconfig found: pass --kubeconfig FILE or set KUBECONFIG.');
  }
  const loaded = files.map((file) => {
    const config = new KubeConfig();
    try {
      config.loadFromFile(file);
    } catch (error) {
      throw new KubeConfigError(`Cannot read kubeconfig ${file}: ${(error as Error).message}`);
    }
    return config;
  });
  const currentContext = flags.context || loaded.map((c) => c.getCurrentContext()).find((name) => name) || '';
  merged.loadFromOptions({
    clusters: firstByName<Cluster>(loaded.map((c) => c.getClusters())),
    users: firstByName<User>(loaded.map((c) => c.getUsers())),
    contexts: firstByName<Context>(loaded.map((c) => c.getContexts())),
    currentContext,
  });
  if (currentContext === '') throw new KubeConfigError('The kubeconfig sets no current-context: pass --context NAME.');
  const context = merged.getContextObject(currentContext);
  if (!context) throw new KubeConfigError(`Context "${currentContext}" is not in the kubeconfig.`);
  if (!merged.getCluster(context.cluster))
    throw new KubeConfigError(
      `Context "${currentContext}" names cluster "${context.cluster}", which is not in the kubeconfig.`,
    );
  return merged;
}

/** kubectl's --request-timeout: a bare number is seconds, else a Go duration; 0 means none. Milliseconds. */
export function parseRequestTimeout(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const seconds = /^\d+$/.test(text) ? Number(text) : parseGoDuration(text);
  if (seconds === undefined || seconds < 0) {
    throw new KubeConfigError(
      `--request-timeout ${JSON.stringify(text)} is not a duration; use e.g. 30s, 1m or 0 for none.`,
    );
  }
  return seconds === 0 ? undefined : Math.ceil(seconds * 1000);
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface WriteOptions {
  /** `--dry-run=server`: the apiserver validates and answers without storing. */
  dryRun?: boolean;
}

/** The few REST calls kubectl-acr makes; plain paths keep it independent of generated clients. */
export interface KubeClient {
  /** `undefined` on 404. */
  get<T extends KubeObject>(path: string): Promise<T | undefined>;
  list<T extends KubeObject>(path: string, query?: Record<string, string>): Promise<T[]>;
  /** The list with its resourceVersion, for informers to watch from. */
  listObject<T extends KubeObject>(path: string, query?: Record<string, string>): Promise<KubeList<T>>;
  /** POST to the collection's path. */
  create<T extends KubeObject>(path: string, body: T, options?: WriteOptions): Promise<T>;
  /** PUT to the object's own path: the body's resourceVersion makes the write conditional (409 on conflict). */
  update<T extends KubeObject>(path: string, body: T, options?: WriteOptions): Promise<T>;
  /** DELETE, only while the object is still at `resourceVersion` (409 otherwise); false when it was gone already. */
  remove(path: string, resourceVersion: string): Promise<boolean>;
  /** Where the client talks to, for messages. */
  readonly server: string;
}

/** `/api/v1/namespaces/<ns>/<resource>[/<name>]` and the group equivalents. */
export function resourcePath(
  resource: { group?: string; version?: string; plural: string },
  namespace?: string,
  name?: string,
): string {
  const base = resource.group
    ? `/apis/${resource.group}/${resource.version ?? 'v1'}`
    : `/api/${resource.version ?? 'v1'}`;
  const ns = namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const item = name !== undefined ? `/${encodeURIComponent(name)}` : '';
  return `${base}${ns}/${resource.plural}${item}`;
}

interface RawResponse {
  status: number;
  body: string;
}

function statusMessage(status: number, body: string): { reason: string; message: string } {
  try {
    const parsed = JSON.parse(body) as { reason?: string; message?: string };
    return { reason: parsed.reason ?? String(status), message: parsed.message ?? body };
  } catch {
    return { reason: String(status), message: body.slice(0, 200) || `HTTP ${status}` };
  }
}

/**
 * kubectl talks plain http to an http:// server; client-node refuses unless
 * TLS verification is off, which for plain http changes nothing.
 */
export function allowPlainHttp(config: KubeConfig): KubeConfig {
  const cluster = config.getCurrentCluster();
  if (!cluster || !cluster.server.startsWith('http:') || cluster.skipTLSVerify) return config;
  const relaxed = new KubeConfig();
  relaxed.loadFromOptions({
    clusters: config.getClusters().map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c)),
    users: config.getUsers(),
    contexts: config.getContexts(),
    currentContext: config.getCurrentContext(),
  });
  return relaxed;
}

export function createKubeClient(loaded: KubeConfig, timeoutMs: number | undefined): KubeClient {
  const config = allowPlainHttp(loaded);
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new KubeConfigError('The current context names no cluster.');
  const server = cluster.server.replace(/\/+$/, '');
  const serverUrl = new URL(server);

  async function request(method: string, path: string, body?: unknown): Promise<RawResponse> {
    const options: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
    await config.applyToHTTPSOptions(options);
    const url = new URL(serverUrl.pathname.replace(/\/$/, '') + path, serverUrl);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      const headers = options.headers as Record<string, string>;
      headers['Content-Type'] = 'application/json';
      // Node sends a DELETE body unframed unless told its length.
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, options, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      });
      if (timeoutMs !== undefined) {
        req.setTimeout(timeoutMs, () =>
          req.destroy(
            new Error(`${method} ${path}: no answer from ${server} within the request timeout (${timeoutMs / 1000}s)`),
          ),
        );
      }
      req.on('error', (error) => reject(new Error(`${method} ${server}${path}: ${error.message}`)));
      req.end(payload);
    });
  }

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await request(method, path, body);
    if (response.status < 200 || response.status >= 300) {
      const { reason, message } = statusMessage(response.status, response.body);
      throw new KubeApiError(response.status, reason, message, method, path);
    }
    return JSON.parse(response.body) as T;
  }

  const withQuery = (path: string, query: Record<string, string>): string => {
    const search = new URLSearchParams(query).toString();
    return search ? `${path}?${search}` : path;
  };
  const dryRunQuery = (options?: WriteOptions): Record<string, string> => (options?.dryRun ? { dryRun: 'All' } : {});

  const listObject = <T extends KubeObject>(path: string, query: Record<string, string> = {}) =>
    call<KubeList<T>>('GET', withQuery(path, query));

  return {
    server,
    async get<T extends KubeObject>(path: string) {
      try {
        return await call<T>('GET', path);
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) return undefined;
        throw error;
      }
    },
    async list<T extends KubeObject>(path: string, query: Record<string, string> = {}) {
      return (await listObject<T>(path, query)).items ?? [];
    },
    listObject,
    async remove(path: string, resourceVersion: string) {
      const options = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion } };
      try {
        await call('DELETE', path, options);
        return true;
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) return false;
        throw error;
      }
    },
    create: <T extends KubeObject>(path: string, body: T, options?: WriteOptions) =>
      call<T>('POST', withQuery(path, dryRunQuery(options)), body),
    update: <T extends KubeObject>(path: string, body: T, options?: WriteOptions) =>
      call<T>('PUT', withQuery(path, dryRunQuery(options)), body),
  };
}

/** Everything a command needs to reach the cluster, from the global flags. */
export function connect(flags: ConnectionFlags, env: Record<string, string | undefined>): KubeClient {
  return createKubeClient(loadKubeConfig(flags, env), parseRequestTimeout(flags.requestTimeout));
}
