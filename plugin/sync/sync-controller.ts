// The Secret sync as a controller: informers (client-node's, which relist on
// 410 Gone and rewatch when a watch ends) on namespaces, ServiceAccounts, the
// sync's pull Secrets and kube-system's ConfigMaps; any change schedules a
// pass, so a new namespace or ServiceAccount is served within the debounce;
// a periodic resync and each token's refresh time schedule one too. Passes
// never overlap, and only the leader writes.
import { makeInformer, type Informer, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { ObjectCache } from '@kubernetes/client-node';
import type { AcrConfiguration } from '../../provider/configuration/model.js';
import type { ConfigMapObject } from '../configuration-store.js';
import { CONFIGMAP_NAME } from '../configuration-store.js';
import type { KubeClient, KubeObject } from '../kube-client.js';
import { WATCHED, type ClusterObjects } from './cluster-view.js';
import type { ServiceAccountObject } from './cluster-writes.js';
import { PULL_SECRET_SELECTOR } from './pull-secret.js';
import { objectsIn, runPass, type PassDeps, type PassResult } from './sync-pass.js';

/** Events arriving together (a namespace and its ServiceAccount) are served by one pass. */
const DEBOUNCE_MS = 100;
const MAX_RESTART_DELAY_MS = 30_000;
const ALL = Symbol('every namespace');
const NONE = Symbol('no namespace more');

export interface ControllerDeps extends Omit<PassDeps, 'readServiceAccount'> {
  kubeConfig: KubeConfig;
  client: KubeClient;
  /** The configuration in force for this ConfigMap (the last valid one when it is broken); undefined: none yet. */
  configuration(configMap: ConfigMapObject | undefined): Promise<AcrConfiguration | undefined>;
  resyncMs: number;
  /** Whether this replica may write now; without election always. */
  isLeader(): boolean;
  /** The leader's other duties of a pass (the webhook's registration). */
  beforePass?(config: AcrConfiguration): Promise<void>;
  onPass?(result: PassResult): void;
}

export interface Controller {
  /** Runs a pass over every namespace soon (leadership gained). */
  schedule(delayMs?: number): void;
  /** True once every informer has listed. */
  ready: () => boolean;
  stop(): Promise<void>;
}

type Cache<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

function informer<T extends KubeObject>(
  deps: ControllerDeps,
  path: string,
  labelSelector?: string,
): Cache<T & KubernetesObject> {
  const list = () => deps.client.listObject<T>(path, labelSelector ? { labelSelector } : {});
  return makeInformer(
    deps.kubeConfig,
    path,
    list as unknown as () => Promise<{ items: (T & KubernetesObject)[] }>,
    labelSelector,
  );
}

export async function startController(deps: ControllerDeps): Promise<Controller> {
  const namespaces = informer<KubeObject>(deps, WATCHED.namespaces);
  const serviceAccounts = informer<ServiceAccountObject>(deps, WATCHED.serviceAccounts);
  const pullSecrets = informer<KubeObject>(deps, WATCHED.pullSecrets, PULL_SECRET_SELECTOR);
  const configMaps = informer<ConfigMapObject>(deps, WATCHED.configMaps);
  const informers: Cache<KubernetesObject>[] = [namespaces, serviceAccounts, pullSecrets, configMaps];

  let stopped = false;
  let listed = false;
  let running: Promise<void> | undefined;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  let next: NodeJS.Timeout | undefined;
  // What the next pass covers: the namespaces events touched, or everything (configuration, timers, leadership).
  let dirty: Set<string> | 'all' = 'all';

  const objects = (): ClusterObjects => ({
    namespaces: namespaces.list(),
    serviceAccounts: serviceAccounts.list(),
    pullSecrets: pullSecrets.list(),
  });

  const pass = async () => {
    // Every replica follows the configuration (its webhook answers from it); only the leader writes.
    const config = await deps.configuration(configMaps.get(CONFIGMAP_NAME, 'kube-system'));
    if (!config || !deps.isLeader()) return;
    await deps.beforePass?.(config);
    const scope = dirty;
    dirty = new Set();
    let result: PassResult | undefined;
    try {
      result = await runPass(
        {
          ...deps,
          readServiceAccount: (ns, name) => serviceAccounts.get(name, ns),
        },
        config,
        scope === 'all' ? objects() : objectsIn(objects(), scope),
      );
      deps.metrics.passes.inc({ result: result.failures > 0 ? 'failed' : 'ok' });
      deps.onPass?.(result);
    } catch (error) {
      dirty = 'all';
      deps.metrics.passes.inc({ result: 'failed' });
      deps.warn(`sync pass failed: ${error instanceof Error ? error.message : String(error)}; retrying`);
    }
    if (stopped) return;
    // Next: the periodic resync, or sooner when a token reaches its refresh threshold (or failed: retry in 30 s).
    const untilRefresh = result?.refreshAt === undefined ? deps.resyncMs : result.refreshAt - deps.now();
    const retry = result === undefined || result.failures > 0 ? 30_000 : deps.resyncMs;
    if (next) clearTimeout(next);
    next = setTimeout(() => schedule(0, ALL), Math.max(1000, Math.min(deps.resyncMs, untilRefresh, retry)));
  };

  const run = () => {
    debounce = undefined;
    if (running) {
      again = true;
      return;
    }
    running = pass().finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        schedule(0, NONE);
      }
    });
  };

  /** A pass after `delayMs`, covering `namespace` (ALL: every one; NONE: only what is already due). */
  function schedule(delayMs = DEBOUNCE_MS, namespace: string | typeof ALL | typeof NONE = ALL): void {
    if (namespace === ALL) dirty = 'all';
    else if (namespace !== NONE && dirty !== 'all') dirty.add(namespace);
    if (stopped || !listed || debounce) return;
    debounce = setTimeout(run, delayMs);
  }

  const whereChanged: [Cache<KubernetesObject>, (object: KubernetesObject) => string | typeof ALL][] = [
    [namespaces, (object) => object.metadata?.name ?? ALL],
    [serviceAccounts, (object) => object.metadata?.namespace ?? ALL],
    [pullSecrets, (object) => object.metadata?.namespace ?? ALL],
    // A ConfigMap of kube-system may be acr-configuration: every namespace.
    [configMaps, () => ALL],
  ];
  for (const [cache, changedIn] of whereChanged)
    for (const verb of ['add', 'update', 'delete'] as const)
      cache.on(verb, (object) => schedule(DEBOUNCE_MS, changedIn(object)));
  for (const cache of informers) {
    let delay = 1000;
    // client-node stops an informer on a failed list or watch request: start it again, backing off.
    cache.on('error', () => {
      if (stopped) return;
      setTimeout(() => {
        if (!stopped)
          void cache.start().then(
            () => (delay = 1000),
            () => undefined,
          );
      }, delay);
      delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
    });
  }
  await Promise.all(informers.map((cache) => cache.start()));
  listed = true;
  schedule(0);

  return {
    schedule: (delayMs) => schedule(delayMs, ALL),
    ready: () => listed,
    async stop() {
      stopped = true;
      if (debounce) clearTimeout(debounce);
      if (next) clearTimeout(next);
      await Promise.all(informers.map((cache) => cache.stop()));
      await running;
    },
  };
}
