import { applyPatch, type PatchType } from './patch.js';
import { apiVersionOf, resourceTypes, type ResourceType } from './resources.js';
import { validate } from './validation.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  invalid,
  namespaceNotFound,
  notFound,
  preconditionFailed,
  type ApiError,
} from './status.js';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  resource: ResourceType;
  object: KubeObject;
  /** The object before a MODIFIED: a filtered watch turns a change into or out of its selection into ADDED or DELETED. */
  previous: KubeObject | undefined;
  revision: number;
}

export type StoreResult = { ok: true; object: KubeObject } | { ok: false; error: ApiError };

export interface WriteOptions {
  /** The `/status` subresource: only `status` changes. */
  subresource?: 'status';
  /** `?dryRun=All`: the full answer, nothing stored, no event. */
  dryRun?: boolean;
}

export interface StoreOptions {
  /** How many events a watch can resume from; older resourceVersions get 410 Expired. */
  historyLimit: number;
  now: () => Date;
  uid: () => string;
  random: () => number;
}

/** Resources whose main endpoint ignores `status` (it has its own subresource), as in the real registry. */
export const withStatusSubresource = new Set(['namespaces', 'nodes', 'pods', 'daemonsets', 'deployments']);
/** Resources whose controllers compare metadata.generation with status.observedGeneration. */
const withGeneration = new Set(['daemonsets', 'deployments']);

/** Sorted-key JSON, so that "nothing changed" does not depend on key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The etcd stand-in: objects by resource, one global revision counter, and a
 * bounded event history that watches resume from.
 */
export class Store {
  private readonly objects = new Map<ResourceType, Map<string, KubeObject>>(resourceTypes.map((t) => [t, new Map()]));
  private revision = 0;
  private readonly history: StoreEvent[] = [];
  /** The newest revision no longer in `history`: a watch from before it has missed events. */
  private compactedThrough = 0;
  private readonly subscribers = new Set<(event: StoreEvent) => void>();

  constructor(private readonly options: StoreOptions) {}

  get currentRevision(): number {
    return this.revision;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(type).get(key(type, namespace, name));
    return found && structuredClone(found);
  }

  list(type: ResourceType, namespace: string | undefined): KubeObject[] {
    const items = [...this.bucket(type).values()].filter(
      (o) => namespace === undefined || o.metadata.namespace === namespace,
    );
    // Code-point order of namespace/name, as etcd keys sort; `continue` tokens rely on it.
    const sortKey = (o: KubeObject) => key(type, o.metadata.namespace, o.metadata.name ?? '');
    return structuredClone(items).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  }

  create(type: ResourceType, namespace: string | undefined, body: unknown, options: WriteOptions = {}): StoreResult {
    const checked = this.checkBody(type, namespace, body);
    if (!checked.ok) return checked;
    const object = checked.object;
    const meta = object.metadata;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + this.randomSuffix();
    if (!meta.name)
      return {
        ok: false,
        error: invalid(type, '', [
          { field: 'metadata.name', detail: 'Required value: name or generateName is required' },
        ]),
      };
    if (type.namespaced && !this.namespaceExists(namespace!))
      return { ok: false, error: namespaceNotFound(namespace!) };
    if (this.bucket(type).has(key(type, namespace, meta.name)))
      return { ok: false, error: alreadyExists(type, meta.name) };
    delete meta.resourceVersion;
    meta.uid = this.options.uid();
    meta.creationTimestamp = this.options
      .now()
      .toISOString()
      .replace(/\.\d+Z$/, 'Z');
    if (withGeneration.has(type.plural)) meta.generation = 1;
    normalize(type, object);
    const errors = validate(type, object, undefined);
    if (errors.length > 0) return { ok: false, error: invalid(type, meta.name, errors) };
    return { ok: true, object: this.commit('ADDED', type, object, undefined, options.dryRun) };
  }

  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions = {},
  ): StoreResult {
    const current = this.bucket(type).get(key(type, namespace, name));
    if (!current) return { ok: false, error: notFound(type, name) };
    const checked = this.checkBody(type, namespace, body);
    if (!checked.ok) return checked;
    const proposed = checked.object;
    if (proposed.metadata.name !== undefined && proposed.metadata.name !== name) {
      return {
        ok: false,
        error: badRequest(
          `the name of the object (${proposed.metadata.name}) does not match the name on the URL (${name})`,
        ),
      };
    }
    const requested = proposed.metadata.resourceVersion;
    if (requested !== undefined && requested !== '' && requested !== current.metadata.resourceVersion)
      return { ok: false, error: conflict(type, name) };
    return this.replace(type, current, proposed, options);
  }

  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options: WriteOptions = {},
  ): StoreResult {
    const current = this.bucket(type).get(key(type, namespace, name));
    if (!current && patchType === 'apply' && options.subresource === undefined)
      return this.create(
        type,
        namespace,
        { ...(patch as object), metadata: { ...(patch as KubeObject).metadata, name } },
        options,
      );
    if (!current) return { ok: false, error: notFound(type, name) };
    const patched = applyPatch(patchType, current, patch);
    if (!patched.ok) return { ok: false, error: { code: 422, reason: 'Invalid', message: patched.message } };
    return this.update(type, namespace, name, patched.value, options);
  }

  /**
   * Create or replace, `status` included and without resourceVersion checks:
   * tests use it to set up state. Invalid objects and missing namespaces throw.
   */
  seed(type: ResourceType, object: KubeObject): KubeObject {
    const namespace = type.namespaced ? (object.metadata.namespace ?? 'default') : undefined;
    const current = this.bucket(type).get(key(type, namespace, object.metadata.name ?? ''));
    const incoming = { ...structuredClone(object), metadata: { ...structuredClone(object.metadata), namespace } };
    if (current) {
      const replaced = normalize(type, {
        ...incoming,
        metadata: {
          ...incoming.metadata,
          uid: current.metadata.uid,
          creationTimestamp: current.metadata.creationTimestamp,
        },
      });
      const errors = validate(type, replaced, current);
      if (errors.length > 0) throw new Error(`seed: ${invalid(type, replaced.metadata.name ?? '', errors).message}`);
      return this.commit('MODIFIED', type, replaced, current, false);
    }
    const created = this.create(type, namespace, incoming);
    if (!created.ok) throw new Error(`seed: ${created.error.message}`);
    return created.object;
  }

  /** `resourceVersion`: the precondition of a DeleteOptions body. */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: WriteOptions & { resourceVersion?: string } = {},
  ): StoreResult {
    const current = this.bucket(type).get(key(type, namespace, name));
    if (!current) return { ok: false, error: notFound(type, name) };
    if (options.resourceVersion !== undefined && options.resourceVersion !== current.metadata.resourceVersion) {
      return {
        ok: false,
        error: preconditionFailed(type, name, options.resourceVersion, current.metadata.resourceVersion ?? ''),
      };
    }
    if (options.dryRun) return { ok: true, object: structuredClone(current) };
    if (type.plural === 'namespaces') {
      for (const contained of resourceTypes.filter((t) => t.namespaced)) {
        for (const object of this.list(contained, name)) this.remove(contained, object);
      }
    }
    return { ok: true, object: this.remove(type, current) };
  }

  /** Events after `since`, or Expired when some of them were already dropped from history. */
  eventsSince(since: number): { ok: true; events: StoreEvent[] } | { ok: false; error: ApiError } {
    if (since < this.compactedThrough) return { ok: false, error: expired(since, this.compactedThrough + 1) };
    return { ok: true, events: this.history.filter((e) => e.revision > since) };
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  private namespaceExists(namespace: string): boolean {
    return this.bucket(resourceTypes.find((t) => t.plural === 'namespaces')!).has(namespace);
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    return this.objects.get(type)!;
  }

  private randomSuffix(): string {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    return Array.from({ length: 5 }, () => alphabet[Math.floor(this.options.random() * alphabet.length)]).join('');
  }

  /** The checks every write shares: an object of this resource, in the namespace of the URL. */
  private checkBody(type: ResourceType, namespace: string | undefined, body: unknown): StoreResult {
    if (!isObject(body)) return { ok: false, error: badRequest('the request body must be a JSON object') };
    const object = structuredClone(body) as KubeObject;
    if (object.metadata === undefined) object.metadata = {};
    if (!isObject(object.metadata)) return { ok: false, error: badRequest('metadata must be an object') };
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersionOf(type)) {
      return {
        ok: false,
        error: badRequest(
          `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`,
        ),
      };
    }
    if (object.kind !== undefined && object.kind !== type.kind)
      return {
        ok: false,
        error: badRequest(
          `the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`,
        ),
      };
    if (type.namespaced) {
      if (
        object.metadata.namespace !== undefined &&
        object.metadata.namespace !== '' &&
        object.metadata.namespace !== namespace
      ) {
        return {
          ok: false,
          error: badRequest('the namespace of the provided object does not match the namespace sent on the request'),
        };
      }
      object.metadata.namespace = namespace;
    } else delete object.metadata.namespace;
    return { ok: true, object };
  }

  private replace(type: ResourceType, current: KubeObject, proposed: KubeObject, options: WriteOptions): StoreResult {
    let next: KubeObject;
    if (options.subresource === 'status') next = { ...structuredClone(current), status: proposed.status };
    else {
      next = {
        ...proposed,
        metadata: {
          ...proposed.metadata,
          uid: current.metadata.uid,
          creationTimestamp: current.metadata.creationTimestamp,
          generation: current.metadata.generation,
        },
      };
      if (withStatusSubresource.has(type.plural)) next.status = structuredClone(current.status);
      if (next.status === undefined) delete next.status;
    }
    next = normalize(type, next);
    if (withGeneration.has(type.plural) && canonical(next.spec) !== canonical(current.spec))
      next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    const unchanged =
      canonical({ ...next, metadata: { ...next.metadata, resourceVersion: undefined } }) ===
      canonical({ ...current, metadata: { ...current.metadata, resourceVersion: undefined } });
    // The real apiserver skips the write (no new resourceVersion, no event) when nothing changed.
    if (unchanged) return { ok: true, object: structuredClone(current) };
    const errors = validate(type, next, current);
    if (errors.length > 0) return { ok: false, error: invalid(type, next.metadata.name ?? '', errors) };
    return { ok: true, object: this.commit('MODIFIED', type, next, current, options.dryRun) };
  }

  private remove(type: ResourceType, object: KubeObject): KubeObject {
    this.bucket(type).delete(key(type, object.metadata.namespace, object.metadata.name ?? ''));
    this.revision++;
    const deleted = structuredClone(object);
    // Like the real server, the DELETED event carries the revision of the deletion.
    deleted.metadata.resourceVersion = String(this.revision);
    this.record({
      type: 'DELETED',
      resource: type,
      object: deleted,
      previous: structuredClone(object),
      revision: this.revision,
    });
    return deleted;
  }

  private commit(
    type: EventType,
    resource: ResourceType,
    object: KubeObject,
    previous: KubeObject | undefined,
    dryRun = false,
  ): KubeObject {
    if (dryRun) return structuredClone(object);
    this.revision++;
    object.metadata.resourceVersion = String(this.revision);
    this.bucket(resource).set(key(resource, object.metadata.namespace, object.metadata.name ?? ''), object);
    this.record({
      type,
      resource,
      object: structuredClone(object),
      previous: previous && structuredClone(previous),
      revision: this.revision,
    });
    return structuredClone(object);
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    while (this.history.length > this.options.historyLimit) this.compactedThrough = this.history.shift()!.revision;
    for (const listener of this.subscribers) listener(event);
  }
}

function key(type: ResourceType, namespace: string | undefined, name: string): string {
  return type.namespaced ? `${namespace}/${name}` : name;
}

/** What the real registries do to every write of these kinds. */
function normalize(type: ResourceType, object: KubeObject): KubeObject {
  object.apiVersion = apiVersionOf(type);
  object.kind = type.kind;
  if (type.plural === 'secrets') {
    const stringData = object.stringData;
    if (isObject(stringData)) {
      const data = isObject(object.data) ? (object.data as Record<string, string>) : {};
      for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      object.data = data;
    }
    delete object.stringData;
    object.type ??= 'Opaque';
  }
  // The defaults kubectl rollout status and controllers rely on; pod template defaults are left out.
  if (type.plural === 'daemonsets' && isObject(object.spec)) {
    object.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
    object.spec.revisionHistoryLimit ??= 10;
  }
  if (type.plural === 'deployments' && isObject(object.spec)) {
    object.spec.replicas ??= 1;
    object.spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
    object.spec.revisionHistoryLimit ??= 10;
    object.spec.progressDeadlineSeconds ??= 600;
  }
  if (type.plural === 'namespaces') {
    object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name ?? '' };
    object.spec = { finalizers: ['kubernetes'], ...(isObject(object.spec) ? object.spec : {}) };
    object.status = { phase: 'Active', ...(isObject(object.status) ? object.status : {}) };
  }
  return object;
}
