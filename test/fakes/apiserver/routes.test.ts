import { describe, expect, it } from 'vitest';
import { routeRequest } from './routes.js';

const route = (method: string, url: string) => {
  const parsed = new URL(url, 'http://x');
  const routed = routeRequest(method, parsed.pathname, parsed.searchParams);
  return routed.kind === 'resource'
    ? [routed.route.verb, routed.route.type.plural, routed.route.namespace, routed.route.name, routed.route.subresource]
    : routed.kind;
};

describe('routeRequest', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/configmaps', ['list', 'configmaps', 'default', undefined, undefined]],
    ['GET', '/api/v1/namespaces/default/configmaps?watch=1', ['watch', 'configmaps', 'default', undefined, undefined]],
    [
      'GET',
      '/api/v1/namespaces/default/configmaps?watch=true',
      ['watch', 'configmaps', 'default', undefined, undefined],
    ],
    ['GET', '/api/v1/configmaps', ['list', 'configmaps', undefined, undefined, undefined]],
    [
      'GET',
      '/api/v1/namespaces/kube-system/serviceaccounts/default',
      ['get', 'serviceaccounts', 'kube-system', 'default', undefined],
    ],
    ['POST', '/apis/apps/v1/namespaces/x/daemonsets', ['create', 'daemonsets', 'x', undefined, undefined]],
    ['PUT', '/apis/apps/v1/namespaces/x/deployments/d/status', ['update', 'deployments', 'x', 'd', 'status']],
    ['PATCH', '/apis/coordination.k8s.io/v1/namespaces/x/leases/l', ['patch', 'leases', 'x', 'l', undefined]],
    ['DELETE', '/api/v1/namespaces/x/secrets/s', ['delete', 'secrets', 'x', 's', undefined]],
    ['DELETE', '/api/v1/namespaces/x/secrets', ['deletecollection', 'secrets', 'x', undefined, undefined]],
    // A namespace's own paths, including one named like a resource.
    ['GET', '/api/v1/namespaces/configmaps', ['get', 'namespaces', undefined, 'configmaps', undefined]],
    ['PUT', '/api/v1/namespaces/team/status', ['update', 'namespaces', undefined, 'team', 'status']],
    ['GET', '/api/v1/namespaces/status/configmaps', ['list', 'configmaps', 'status', undefined, undefined]],
    ['GET', '/api/v1/nodes/n1', ['get', 'nodes', undefined, 'n1', undefined]],
    [
      'POST',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      ['create', 'selfsubjectaccessreviews', undefined, undefined, undefined],
    ],
    ['GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', 'method-not-allowed'],
    ['POST', '/api/v1/configmaps', 'method-not-allowed'],
    ['POST', '/api/v1/namespaces/x/configmaps/c', 'method-not-allowed'],
    ['DELETE', '/apis/apps/v1/namespaces/x/deployments/d/status', 'method-not-allowed'],
    ['GET', '/api/v1/namespaces/x/endpoints', 'unknown'],
    ['GET', '/apis/apps/v2/namespaces/x/deployments', 'unknown'],
    ['GET', '/api/v1/namespaces/x/pods/p/log', 'unknown'],
    ['GET', '/api/v1/namespaces/x/nodes', 'unknown'],
    ['GET', '/healthz', 'unknown'],
  ])('%s %s', (method, url, expected) => {
    expect(route(method, url)).toEqual(expected);
  });
});
