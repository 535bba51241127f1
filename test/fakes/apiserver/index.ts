import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { writeFileAtomic } from '../../../provider/cache/atomic-file.js';
import { kubeconfigYaml, type KubeconfigOptions } from './kubeconfig.js';
import { resourceByName, resourceForObject, resourceTypes, type ResourceType } from './resources.js';
import { requestVerbs } from './routes.js';
import { createHandler, type DenyRule, type RequestRecord, type RequestRule, type ServerState } from './server.js';
import { Store, type KubeObject } from './store.js';
import { createServiceAccountIssuer, type ServiceAccountIssuer } from './service-account-tokens.js';

export type { DenyRule, RequestRecord, RequestRule } from './server.js';
export type { KubeconfigOptions } from './kubeconfig.js';

export interface FakeApiserverOptions {
  /** Events a watch can resume from; a watch from an older resourceVersion gets 410 Expired. */
  historyLimit?: number;
  now?: () => Date;
}

export interface FakeApiserver {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /**
   * A kubeconfig (0600) that kubectl and client-node accept. The user's bearer
   * token names the user; so does a `/as/<user>` prefix of the server URL,
   * because kubectl sends no token over plain http.
   */
  writeKubeconfig(path: string, opts?: KubeconfigOptions): void;
  kubeConfig(opts?: { user?: string; namespace?: string }): KubeConfig;
  /** Create or replace objects directly, status included; namespaced objects need their namespace to exist. */
  seed(objects: object | object[]): void;
  get(resource: string, namespace: string | undefined, name: string): any;
  list(resource: string, namespace?: string): any[];
  /** Deletes as a client would (a namespace with everything in it), emitting the watch events; throws when absent. */
  delete(resource: string, namespace: string | undefined, name: string): void;
  /** Requests matching every field given get 403 Forbidden. Discovery is never denied. */
  deny(rule: DenyRule): void;
  clearDenies(): void;
  /**
   * Runs `action` once, just before the next request matching `rule` is
   * served: seed a concurrent change there and the request meets a real 409.
   */
  beforeNext(rule: RequestRule, action: () => void): void;
  requests: RequestRecord[];
  /** Signs the ServiceAccount tokens TokenRequest answers: register it with the fake cloud as an OIDC provider. */
  serviceAccountIssuer: ServiceAccountIssuer;
  close(): Promise<void>;
}

function resource(name: string): ResourceType {
  const type = resourceByName(name);
  if (!type)
    throw new Error(
      `fake apiserver: unknown resource "${name}"; known: ${resourceTypes.map((t) => t.plural).join(', ')}`,
    );
  return type;
}

/** A rule naming a verb or resource that never occurs would silently match nothing. */
function checkedRule(method: string, rule: RequestRule): RequestRule {
  if (rule.verb !== undefined && !(requestVerbs as readonly string[]).includes(rule.verb)) {
    throw new Error(`fake apiserver: ${method}: unknown verb "${rule.verb}"; known: ${requestVerbs.join(', ')}`);
  }
  return rule.resource === undefined ? rule : { ...rule, resource: resource(rule.resource).plural };
}

const initialNamespaces = ['default', 'kube-system', 'kube-public'];

export async function startFakeApiserver(options: FakeApiserverOptions = {}): Promise<FakeApiserver> {
  const now = options.now ?? (() => new Date());
  const store = new Store({ historyLimit: options.historyLimit ?? 100, now, uid: randomUUID, random: Math.random });
  const namespaces = resource('namespaces');
  for (const name of initialNamespaces) store.seed(namespaces, { metadata: { name } });

  const state: ServerState = {
    store,
    denies: [],
    hooks: [],
    requests: [],
    watches: new Set(),
    serverAddress: () => address,
    now,
    issuer: createServiceAccountIssuer(),
  };
  const server = createServer(createHandler(state));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const address = `127.0.0.1:${port}`;
  const url = `http://${address}`;

  return {
    url,
    requests: state.requests,
    serviceAccountIssuer: state.issuer,
    writeKubeconfig(path, opts) {
      writeFileAtomic(path, kubeconfigYaml(url, opts));
    },
    kubeConfig(opts) {
      const config = new KubeConfig();
      config.loadFromString(kubeconfigYaml(url, opts));
      return config;
    },
    seed(objects) {
      for (const object of Array.isArray(objects) ? objects : [objects]) {
        const manifest = object as KubeObject;
        const type = resourceForObject(manifest.apiVersion, manifest.kind);
        if (!type)
          throw new Error(`fake apiserver: cannot seed ${String(manifest.apiVersion)} ${String(manifest.kind)}`);
        if (!manifest.metadata?.name) throw new Error(`fake apiserver: a seeded ${type.kind} needs metadata.name`);
        store.seed(type, manifest);
      }
    },
    get(name, namespace, objectName) {
      const type = resource(name);
      return store.get(type, type.namespaced ? namespace : undefined, objectName);
    },
    list(name, namespace) {
      return store.list(resource(name), namespace);
    },
    delete(name, namespace, objectName) {
      const type = resource(name);
      const deleted = store.delete(type, type.namespaced ? namespace : undefined, objectName);
      if (!deleted.ok) throw new Error(`fake apiserver: cannot delete ${name} ${objectName}: ${deleted.error.message}`);
    },
    deny(rule) {
      state.denies.push(checkedRule('deny', rule));
    },
    beforeNext(rule, action) {
      state.hooks.push({ rule: checkedRule('beforeNext', rule), action });
    },
    clearDenies() {
      state.denies.length = 0;
    },
    async close() {
      for (const stop of state.watches) stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
