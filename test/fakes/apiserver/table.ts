import type { KubeObject } from './store.js';

/**
 * Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`),
 * so `kubectl get` shows the columns a real cluster shows.
 */

type Cell = string | number;
interface Column {
  name: string;
  type: 'string' | 'integer';
  cell: (object: any) => Cell;
}

export function humanDuration(seconds: number): string {
  if (seconds < 0) return '0s';
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(seconds / 3600);
  const days = Math.floor(hours / 24);
  const join = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${small}${smallUnit}`;
  if (seconds < 120) return `${Math.floor(seconds)}s`;
  if (minutes < 10) return join(minutes, 'm', Math.floor(seconds) % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return join(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return join(days, 'd', hours % 24, 'h');
  if (days < 365 * 2) return `${days}d`;
  return join(Math.floor(days / 365), 'y', days % 365, 'd');
}

const count = (value: unknown) => (value && typeof value === 'object' ? Object.keys(value).length : 0);
const int = (value: unknown) => (typeof value === 'number' ? value : 0);

function nodeStatus(node: any): string {
  const ready = (node.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
  return ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
}

const columnsByResource: Record<string, Column[]> = {
  configmaps: [{ name: 'Data', type: 'integer', cell: (o) => count(o.data) + count(o.binaryData) }],
  secrets: [
    { name: 'Type', type: 'string', cell: (o) => o.type ?? 'Opaque' },
    { name: 'Data', type: 'integer', cell: (o) => count(o.data) },
  ],
  serviceaccounts: [{ name: 'Secrets', type: 'integer', cell: (o) => (o.secrets ?? []).length }],
  namespaces: [{ name: 'Status', type: 'string', cell: (o) => o.status?.phase ?? 'Active' }],
  nodes: [
    { name: 'Status', type: 'string', cell: nodeStatus },
    { name: 'Roles', type: 'string', cell: () => '<none>' },
  ],
  pods: [
    {
      name: 'Ready',
      type: 'string',
      cell: (o) =>
        `${(o.status?.containerStatuses ?? []).filter((c: { ready?: boolean }) => c.ready).length}/${(o.spec?.containers ?? []).length}`,
    },
    { name: 'Status', type: 'string', cell: (o) => o.status?.phase ?? 'Pending' },
    {
      name: 'Restarts',
      type: 'integer',
      cell: (o) =>
        (o.status?.containerStatuses ?? []).reduce(
          (n: number, c: { restartCount?: number }) => n + int(c.restartCount),
          0,
        ),
    },
  ],
  daemonsets: [
    { name: 'Desired', type: 'integer', cell: (o) => int(o.status?.desiredNumberScheduled) },
    { name: 'Current', type: 'integer', cell: (o) => int(o.status?.currentNumberScheduled) },
    { name: 'Ready', type: 'integer', cell: (o) => int(o.status?.numberReady) },
    { name: 'Up-to-date', type: 'integer', cell: (o) => int(o.status?.updatedNumberScheduled) },
    { name: 'Available', type: 'integer', cell: (o) => int(o.status?.numberAvailable) },
    {
      name: 'Node Selector',
      type: 'string',
      cell: (o) =>
        Object.entries(o.spec?.template?.spec?.nodeSelector ?? {})
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(',') || '<none>',
    },
  ],
  deployments: [
    { name: 'Ready', type: 'string', cell: (o) => `${int(o.status?.readyReplicas)}/${o.spec?.replicas ?? 1}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => int(o.status?.updatedReplicas) },
    { name: 'Available', type: 'integer', cell: (o) => int(o.status?.availableReplicas) },
  ],
  events: [
    { name: 'Type', type: 'string', cell: (o) => o.type ?? '' },
    { name: 'Reason', type: 'string', cell: (o) => o.reason ?? '' },
    {
      name: 'Object',
      type: 'string',
      cell: (o) => `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}`,
    },
    { name: 'Message', type: 'string', cell: (o) => o.message ?? '' },
  ],
  leases: [{ name: 'Holder', type: 'string', cell: (o) => o.spec?.holderIdentity ?? '' }],
  mutatingwebhookconfigurations: [{ name: 'Webhooks', type: 'integer', cell: (o) => (o.webhooks ?? []).length }],
};

export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export function asTable(
  resource: string,
  objects: KubeObject[],
  listMeta: object,
  includeObject: string | null,
  now: Date,
): object {
  const name: Column = { name: 'Name', type: 'string', cell: (o) => o.metadata.name };
  const age: Column = {
    name: 'Age',
    type: 'string',
    cell: (o) => humanDuration((now.getTime() - Date.parse(o.metadata.creationTimestamp)) / 1000),
  };
  const columns = [name, ...(columnsByResource[resource] ?? []), age];
  const rowObject = (o: KubeObject) =>
    includeObject === 'Object'
      ? o
      : includeObject === 'None'
        ? undefined
        : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c === name ? 'name' : '',
      description: '',
      priority: 0,
    })),
    rows: objects.map((o) => ({ cells: columns.map((c) => c.cell(o)), object: rowObject(o) })),
  };
}
