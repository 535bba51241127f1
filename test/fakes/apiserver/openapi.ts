import { resourceTypes, type ResourceType } from './resources.js';

/**
 * Just enough OpenAPI v3 for kubectl. `create`, `replace` and `apply` validate
 * manifests (--validate=strict) and refuse to run when no schema can be
 * downloaded; they skip client-side validation for a kind whose PATCH
 * operation declares the `fieldValidation` query parameter (the server
 * validates instead). The PATCH operations declare no request body, so
 * `kubectl apply` builds its strategic merge patch from its compiled-in Go
 * types rather than from a schema, as it does for built-in kinds anyway.
 */

function groupVersionPath(type: ResourceType): string {
  return type.group === '' ? `api/${type.version}` : `apis/${type.group}/${type.version}`;
}

function itemPath(type: ResourceType): string {
  return `/${groupVersionPath(type)}/${type.namespaced ? 'namespaces/{namespace}/' : ''}${type.plural}/{name}`;
}

export function openapiDocument(path: string): object | undefined {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '/openapi/v3') {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const type of resourceTypes)
      paths[groupVersionPath(type)] = { serverRelativeURL: `/openapi/v3/${groupVersionPath(type)}` };
    return { paths };
  }
  const types = resourceTypes.filter((t) => `/openapi/v3/${groupVersionPath(t)}` === trimmed);
  if (types.length === 0) return undefined;
  const paths: Record<string, object> = {};
  for (const type of types) {
    paths[itemPath(type)] = {
      patch: {
        'x-kubernetes-group-version-kind': { group: type.group, version: type.version, kind: type.kind },
        'x-kubernetes-action': 'patch',
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.4' }, paths };
}
