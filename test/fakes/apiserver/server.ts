import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { discoveryDocument } from './discovery.js';
import { splitUserPrefix, userForToken } from './kubeconfig.js';
import { openapiDocument } from './openapi.js';
import { patchContentTypes } from './patch.js';
import { decodeProtobufObject } from './protobuf.js';
import { apiVersionOf } from './resources.js';
import { routeRequest, type ResourceRoute, type Verb } from './routes.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { ServiceAccountIssuer } from './service-account-tokens.js';
import { badRequest, forbidden, notFound, statusBody, successStatus, unauthorized, type ApiError } from './status.js';
import type { KubeObject, Store, StoreResult, WriteOptions } from './store.js';
import { asTable, wantsTable } from './table.js';
import { serveWatch } from './watch.js';

/** Which requests a rule applies to: every field given must match. */
export interface RequestRule {
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  user?: string;
}
export type DenyRule = RequestRule;

/** Something a test does just before a matching request is served, once. */
export interface RequestHook {
  rule: RequestRule;
  action: () => void;
}

export interface RequestRecord {
  verb: string;
  method: string;
  path: string;
  query: string;
  resource?: string;
  namespace?: string;
  name?: string;
  user?: string;
  status: number;
}

export interface ServerState {
  store: Store;
  denies: DenyRule[];
  hooks: RequestHook[];
  requests: RequestRecord[];
  /** Ends the open watch streams when the server closes. */
  watches: Set<() => void>;
  serverAddress: () => string;
  now: () => Date;
  /** Signs the tokens TokenRequest answers. */
  issuer: ServiceAccountIssuer;
}

type Reply = { status: number; body: object } | { status: 'watch' };

// The user name tests see for requests without credentials (the real server says system:anonymous).
const anonymous = 'anonymous';

function userOf(request: IncomingMessage, prefixUser: string | undefined): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return prefixUser ?? anonymous;
  const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
  return token === undefined ? undefined : userForToken(token.trim());
}

/** What a deny rule is matched against: a request, or the question of an access review. */
interface Attributes {
  verb: string;
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
}

function matches(r: RequestRule, attributes: Attributes, user: string): boolean {
  return (
    (r.verb === undefined || r.verb === attributes.verb) &&
    (r.resource === undefined || r.resource === attributes.resource) &&
    (r.namespace === undefined || r.namespace === attributes.namespace) &&
    (r.name === undefined || r.name === attributes.name) &&
    (r.user === undefined || r.user === user)
  );
}

function denied(rules: DenyRule[], attributes: Attributes, user: string): boolean {
  return rules.some((r) => matches(r, attributes, user));
}

/** A SelfSubjectAccessReview answered from the deny rules: everything not denied is allowed. */
function review(rules: DenyRule[], body: unknown, user: string): Reply {
  const spec = (
    body as
      { spec?: { resourceAttributes?: Record<string, string | undefined>; nonResourceAttributes?: object } } | undefined
  )?.spec;
  const asked = spec?.resourceAttributes;
  if (!asked && !spec?.nonResourceAttributes)
    return fail(
      badRequest('spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified'),
    );
  const refused =
    asked !== undefined &&
    denied(
      rules,
      {
        verb: asked.verb ?? '',
        resource: asked.resource ?? '',
        namespace: asked.namespace || undefined,
        name: asked.name || undefined,
      },
      user,
    );
  // RBAC gives no reason when it does not allow, so kubectl auth can-i prints a bare "no" as on a cluster.
  const status = { allowed: !refused };
  return {
    status: 201,
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec, status },
  };
}

function fail(error: ApiError): Reply {
  return { status: error.code, body: statusBody(error) };
}

function fromStore(result: StoreResult, successCode = 200): Reply {
  return result.ok ? { status: successCode, body: result.object } : fail(result.error);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(
  bytes: Buffer,
  contentType: string,
  route: ResourceRoute,
): { ok: true; value: unknown } | { ok: false; error: ApiError } {
  if (/protobuf/.test(contentType)) {
    if (bytes.length === 0) return { ok: true, value: undefined };
    const decoded = decodeProtobufObject(bytes, route.subresource === 'token' ? 'TokenRequest' : route.type.kind);
    return decoded.ok
      ? decoded
      : { ok: false, error: { code: 415, reason: 'UnsupportedMediaType', message: decoded.message } };
  }
  const text = bytes.toString('utf8');
  const yaml = /yaml/.test(contentType);
  try {
    return { ok: true, value: text.trim() === '' ? undefined : yaml ? parseYaml(text) : JSON.parse(text) };
  } catch {
    // The parsers quote the input in their messages, and the input may be a Secret.
    return { ok: false, error: badRequest(`the body of the request is not valid ${yaml ? 'YAML' : 'JSON'}`) };
  }
}

/** The HTTP handler: authentication, discovery, deny rules, then the verb against the store. */
export function createHandler(state: ServerState): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const requested = new URL(request.url ?? '/', 'http://fake');
    const { path, user: prefixUser } = splitUserPrefix(requested.pathname);
    const url = new URL(path + requested.search, 'http://fake');
    const user = userOf(request, prefixUser);
    const method = request.method ?? 'GET';
    const routed = routeRequest(method, url.pathname, url.searchParams);
    const route = routed.kind === 'resource' ? routed.route : undefined;
    const record: RequestRecord = {
      verb: route?.verb ?? method.toLowerCase(),
      method,
      path: url.pathname,
      query: url.search,
      ...(route ? { resource: route.type.plural } : {}),
      ...(route?.namespace !== undefined ? { namespace: route.namespace } : {}),
      ...(route?.name !== undefined ? { name: route.name } : {}),
      ...(user !== undefined ? { user } : {}),
      status: 0,
    };
    state.requests.push(record);
    const send = (reply: Reply) => {
      if (reply.status === 'watch') {
        record.status = 200;
        return;
      }
      record.status = reply.status;
      response.writeHead(reply.status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(reply.body));
    };
    const handle = async (): Promise<Reply> => {
      if (user === undefined) return fail(unauthorized());
      const document =
        method === 'GET'
          ? (discoveryDocument(url.pathname, state.serverAddress()) ?? openapiDocument(url.pathname))
          : undefined;
      if (document) return { status: 200, body: document };
      if (routed.kind === 'unknown')
        return fail({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
      if (routed.kind === 'method-not-allowed')
        return fail({
          code: 405,
          reason: 'MethodNotAllowed',
          message: `the server does not allow this method on the requested resource`,
        });
      const resourceRoute = routed.route;
      const bytes = await readBody(request);
      const attributes = {
        verb: resourceRoute.verb,
        resource: resourceRoute.type.plural,
        namespace: resourceRoute.namespace,
        name: resourceRoute.name,
      };
      const hook = state.hooks.findIndex((h) => matches(h.rule, attributes, user));
      if (hook >= 0) state.hooks.splice(hook, 1)[0]!.action();
      if (denied(state.denies, attributes, user)) {
        return fail(
          forbidden(resourceRoute.type, resourceRoute.verb, user, resourceRoute.namespace, resourceRoute.name),
        );
      }
      const contentType = request.headers['content-type'] ?? 'application/json';
      const body = parseBody(bytes, contentType, resourceRoute);
      if (!body.ok) return fail(body.error);
      if (resourceRoute.type.review) return review(state.denies, body.value, user);
      const reply = serveResource(
        state,
        resourceRoute,
        url.searchParams,
        contentType,
        request.headers.accept,
        body.value,
        response,
      );
      return printed(reply, resourceRoute, request.headers.accept, url.searchParams, state.now());
    };
    handle().then(send, (error: unknown) =>
      send(fail({ code: 500, reason: 'InternalError', message: `fake apiserver bug: ${(error as Error).message}` })),
    );
  };
}

/** A successful get or list as a Table when the client asks for one (kubectl get does). */
function printed(
  reply: Reply,
  route: ResourceRoute,
  accept: string | undefined,
  query: URLSearchParams,
  now: Date,
): Reply {
  if (reply.status !== 200 || !wantsTable(accept) || (route.verb !== 'get' && route.verb !== 'list')) return reply;
  const body = reply.body as KubeObject & { items?: KubeObject[] };
  const objects = route.verb === 'list' ? (body.items ?? []) : [body];
  const listMeta = route.verb === 'list' ? body.metadata : { resourceVersion: body.metadata.resourceVersion };
  return { status: 200, body: asTable(route.type.plural, objects, listMeta, query.get('includeObject'), now) };
}

function selectorFilter(
  route: ResourceRoute,
  query: URLSearchParams,
): { ok: true; matches: (o: KubeObject) => boolean } | { ok: false; error: ApiError } {
  const labels = parseLabelSelector(query.get('labelSelector') ?? '');
  if (!labels.ok) return { ok: false, error: badRequest(labels.message) };
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '', route.type.plural);
  if (!fields.ok) return { ok: false, error: badRequest(fields.message) };
  return { ok: true, matches: (o) => matchesLabels(labels.value, o.metadata.labels) && matchesFields(fields.value, o) };
}

function writeOptions(
  route: ResourceRoute,
  query: URLSearchParams,
): { ok: true; value: WriteOptions } | { ok: false; error: ApiError } {
  const dryRun = query.getAll('dryRun');
  if (dryRun.some((v) => v !== 'All'))
    return {
      ok: false,
      error: badRequest(`Invalid dry run value: ${JSON.stringify(dryRun)}; only "All" is supported`),
    };
  return {
    ok: true,
    value: { ...(route.subresource === 'status' ? { subresource: 'status' } : {}), dryRun: dryRun.length > 0 },
  };
}

interface ContinueToken {
  /** The list's resourceVersion, which every page reports. */
  rv: number;
  /** namespace/name of the last item already returned. */
  after: string;
}

const itemKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/**
 * `limit` and `continue`. Later pages read the current state past the last
 * key rather than a snapshot, which only matters if a test writes between pages.
 */
function paginate(
  all: KubeObject[],
  query: URLSearchParams,
  revision: number,
):
  | {
      ok: true;
      items: KubeObject[];
      metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
    }
  | { ok: false; error: ApiError } {
  let rv = revision;
  let items = all;
  const token = query.get('continue');
  if (token) {
    let parsed: ContinueToken;
    try {
      parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    } catch {
      return {
        ok: false,
        error: badRequest(
          'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
        ),
      };
    }
    rv = parsed.rv;
    items = items.filter((o) => itemKey(o) > parsed.after);
  }
  const limit = Number(query.get('limit') ?? '0');
  if (!Number.isInteger(limit) || limit <= 0 || items.length <= limit)
    return { ok: true, items, metadata: { resourceVersion: String(rv) } };
  const page = items.slice(0, limit);
  const next: ContinueToken = { rv, after: itemKey(page.at(-1)!) };
  return {
    ok: true,
    items: page,
    metadata: {
      resourceVersion: String(rv),
      continue: Buffer.from(JSON.stringify(next)).toString('base64url'),
      remainingItemCount: items.length - limit,
    },
  };
}

/** DeleteOptions.preconditions.resourceVersion, the only precondition clients here send. */
function deletePrecondition(body: unknown): { resourceVersion?: string } {
  const preconditions = (body as { preconditions?: { resourceVersion?: unknown } } | undefined)?.preconditions;
  return typeof preconditions?.resourceVersion === 'string' ? { resourceVersion: preconditions.resourceVersion } : {};
}

/** POST serviceaccounts/<name>/token: a token for the ServiceAccount, with the audiences and lifetime asked for. */
function tokenRequest(state: ServerState, route: ResourceRoute, body: unknown): Reply {
  const account = state.store.get(route.type, route.namespace, route.name!);
  if (!account) return fail(notFound(route.type, route.name!));
  const spec = ((body ?? {}) as { spec?: { audiences?: unknown; expirationSeconds?: unknown } }).spec ?? {};
  const audiences =
    Array.isArray(spec.audiences) && spec.audiences.length > 0
      ? (spec.audiences as string[])
      : ['https://kubernetes.default.svc'];
  const expirationSeconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : 3600;
  if (expirationSeconds < 600)
    return fail(badRequest('spec.expirationSeconds: Invalid value: may not specify a duration less than 10 minutes'));
  const now = state.now().getTime();
  const token = state.issuer.mint({
    namespace: route.namespace!,
    name: route.name!,
    uid: account.metadata.uid,
    audience: audiences,
    expiresInSeconds: expirationSeconds,
    now,
  });
  return {
    status: 201,
    body: {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: route.name, namespace: route.namespace, creationTimestamp: null },
      spec: { audiences, expirationSeconds, boundObjectRef: null },
      status: {
        token,
        expirationTimestamp: new Date(now + expirationSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    },
  };
}

function serveResource(
  state: ServerState,
  route: ResourceRoute,
  query: URLSearchParams,
  contentType: string,
  accept: string | undefined,
  body: unknown,
  response: ServerResponse,
): Reply {
  const { store } = state;
  const { type, namespace, name } = route;
  const verb: Verb = route.verb;
  const parsedOptions = writeOptions(route, query);
  if (!parsedOptions.ok) return fail(parsedOptions.error);
  const options = parsedOptions.value;
  if (route.subresource === 'token') return tokenRequest(state, route, body);
  switch (verb) {
    case 'get': {
      const object = store.get(type, namespace, name!);
      return object ? { status: 200, body: object } : fail(notFound(type, name!));
    }
    case 'list': {
      const filter = selectorFilter(route, query);
      if (!filter.ok) return fail(filter.error);
      const page = paginate(store.list(type, namespace).filter(filter.matches), query, store.currentRevision);
      if (!page.ok) return fail(page.error);
      return {
        status: 200,
        body: { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: page.metadata, items: page.items },
      };
    }
    case 'watch': {
      const filter = selectorFilter(route, query);
      if (!filter.ok) return fail(filter.error);
      const resourceVersion = query.get('resourceVersion') ?? undefined;
      if (resourceVersion !== undefined && !/^\d*$/.test(resourceVersion))
        return fail(badRequest(`resourceVersion: Invalid value: "${resourceVersion}": must be a non-negative integer`));
      const timeout = Number(query.get('timeoutSeconds') ?? '');
      const stop = serveWatch(response, store, {
        type,
        namespace,
        matches: filter.matches,
        resourceVersion,
        timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
        bookmarks: query.get('allowWatchBookmarks') === 'true',
        render: wantsTable(accept)
          ? (o) =>
              asTable(
                type.plural,
                [o],
                { resourceVersion: o.metadata.resourceVersion },
                query.get('includeObject'),
                state.now(),
              )
          : (o) => o,
      });
      state.watches.add(stop);
      response.on('close', () => state.watches.delete(stop));
      return { status: 'watch' };
    }
    case 'create':
      return fromStore(store.create(type, namespace, body, options), 201);
    case 'update':
      return fromStore(store.update(type, namespace, name!, body, options));
    case 'patch': {
      const patchType = patchContentTypes[contentType.split(';')[0]!.trim()];
      if (!patchType)
        return fail({
          code: 415,
          reason: 'UnsupportedMediaType',
          message: `the body of the request was in an unknown format - accepted media types include: ${Object.keys(patchContentTypes).join(', ')}`,
        });
      if (patchType === 'apply' && !query.get('fieldManager'))
        return fail(badRequest('PATCH requests with apply content type require fieldManager'));
      return fromStore(store.patch(type, namespace, name!, patchType, body, options));
    }
    case 'delete': {
      const deleted = store.delete(type, namespace, name!, { ...options, ...deletePrecondition(body) });
      return deleted.ok
        ? { status: 200, body: successStatus(type, name!, deleted.object.metadata.uid ?? '') }
        : fail(deleted.error);
    }
    case 'deletecollection': {
      const filter = selectorFilter(route, query);
      if (!filter.ok) return fail(filter.error);
      const items = store.list(type, namespace).filter(filter.matches);
      for (const item of items) store.delete(type, item.metadata.namespace, item.metadata.name!, options);
      return {
        status: 200,
        body: {
          kind: `${type.kind}List`,
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: String(store.currentRevision) },
          items,
        },
      };
    }
  }
}
