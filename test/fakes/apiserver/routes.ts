import { findResource, resourceTypes, verbsOf, type ResourceType } from './resources.js';

export const requestVerbs = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
] as const;
export type Verb = (typeof requestVerbs)[number];

/** A request for an API resource, decoded from the URL the way the apiserver's RequestInfo does. */
export interface ResourceRoute {
  type: ResourceType;
  verb: Verb;
  namespace: string | undefined;
  name: string | undefined;
  /** `token`: a ServiceAccount's TokenRequest (POST, the verb `create`). */
  subresource: 'status' | 'token' | undefined;
}

export type Route = { kind: 'resource'; route: ResourceRoute } | { kind: 'unknown' } | { kind: 'method-not-allowed' };

const isWatch = (query: URLSearchParams) => ['1', 'true'].includes(query.get('watch') ?? '');

export function routeRequest(method: string, pathname: string, query: URLSearchParams): Route {
  const segments = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) [group, version, rest] = ['', segments[1]!, segments.slice(2)];
  else if (segments[0] === 'apis' && segments.length >= 4)
    [group, version, rest] = [segments[1]!, segments[2]!, segments.slice(3)];
  else return { kind: 'unknown' };

  let namespace: string | undefined;
  // `/namespaces/x/configmaps` is a namespaced collection; `/namespaces/x` and `/namespaces/x/status` are the Namespace itself.
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    rest[2] !== 'status' &&
    resourceTypes.some((t) => t.plural === rest[2])
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  const type = plural === undefined ? undefined : findResource(group, version, plural);
  const tokenRequest = subresource === 'token' && plural === 'serviceaccounts' && group === '';
  if (!type || extra.length > 0 || (subresource !== undefined && subresource !== 'status' && !tokenRequest))
    return { kind: 'unknown' };
  if (namespace !== undefined && !type.namespaced) return { kind: 'unknown' };
  if (tokenRequest) {
    return method === 'POST'
      ? { kind: 'resource', route: { type, verb: 'create', namespace, name, subresource: 'token' } }
      : { kind: 'method-not-allowed' };
  }

  const verb = verbFor(method, name !== undefined, isWatch(query));
  if (!verb || !verbsOf(type).includes(verb) || (verb === 'create' && type.namespaced && namespace === undefined))
    return { kind: 'method-not-allowed' };
  if (subresource === 'status' && !['get', 'update', 'patch'].includes(verb)) return { kind: 'method-not-allowed' };
  return { kind: 'resource', route: { type, verb, namespace, name, subresource } };
}

function verbFor(method: string, named: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case 'GET':
      return named ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return named ? undefined : 'create';
    case 'PUT':
      return named ? 'update' : undefined;
    case 'PATCH':
      return named ? 'patch' : undefined;
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}
