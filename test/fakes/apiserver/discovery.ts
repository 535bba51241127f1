import { apiVersionOf, resourceTypes, verbsOf, type ResourceType } from './resources.js';
import { withStatusSubresource } from './store.js';

/**
 * Legacy (unaggregated) discovery documents. kubectl asks for aggregated
 * discovery first and falls back to these when the reply's Content-Type is
 * plain application/json, which is what the server sends.
 */

const versionInfo = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:02:27Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function groups(): Map<string, ResourceType[]> {
  const byGroupVersion = new Map<string, ResourceType[]>();
  for (const type of resourceTypes) {
    const gv = apiVersionOf(type);
    byGroupVersion.set(gv, [...(byGroupVersion.get(gv) ?? []), type]);
  }
  return byGroupVersion;
}

function groupEntry(group: string, version: string) {
  const gv = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [gv], preferredVersion: gv };
}

/** The discovery document at `path`, or undefined when the path is not a discovery path. */
export function discoveryDocument(path: string, serverAddress: string): object | undefined {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '/version') return versionInfo;
  if (trimmed === '/api')
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  const apiGroups = [...groups().keys()]
    .filter((gv) => gv.includes('/'))
    .map((gv) => gv.split('/') as [string, string]);
  if (trimmed === '/apis')
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups.map(([g, v]) => groupEntry(g, v)) };
  const group = /^\/apis\/([^/]+)$/.exec(trimmed);
  if (group) {
    const found = apiGroups.find(([g]) => g === group[1]);
    return found && { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(...found) };
  }
  const list = /^\/api\/(v1)$|^\/apis\/([^/]+\/[^/]+)$/.exec(trimmed);
  const groupVersion = list?.[1] ?? list?.[2];
  const types = groupVersion === undefined ? undefined : groups().get(groupVersion);
  if (!types) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: types.flatMap(resourceEntries) };
}

function resourceEntries(type: ResourceType): object[] {
  const main = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: [...verbsOf(type)],
    ...(type.shortNames.length ? { shortNames: type.shortNames } : {}),
    ...(type.categories ? { categories: type.categories } : {}),
  };
  if (!withStatusSubresource.has(type.plural)) return [main];
  return [
    main,
    {
      name: `${type.plural}/status`,
      singularName: '',
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: ['get', 'patch', 'update'],
    },
  ];
}
