// `kubectl acr status`: read what matters from the cluster, build the report,
// print it. Exit 0 healthy, 1 problems found, 2 invalid configuration.

import { formatProblem } from '../../provider/common/problem.js';
import { connect, KubeApiError, resourcePath, type KubeClient, type KubeObject } from '../kube-client.js';
import { CONFIGURATION_SECRETS_NAME } from '../../provider/configuration/model.js';
import { CONFIGMAP_NAME, CONFIGMAP_NAMESPACE, readConfigMap, type SecretObject } from '../configuration-store.js';
import { render, renderTable } from '../output.js';
import type { StatusArgs } from './status-flags.js';
import { redactSecrets, secretValuesIn } from '../../provider/common/redaction.js';
import { connectionFlags, type Runtime } from '../runtime.js';
import { type ExitCode } from '../../provider/common/exit-codes.js';
import { NODE_SETUP_NAME } from '../../node-setup/manifests.js';
import { buildStatusReport, exitCodeFor } from './status-report.js';
import { NODE_SETUP_LABEL, type ClusterSnapshot, type NodeSetupState, type StatusReport } from './status-model.js';
import { POD_IDENTITY_RBAC_NAME } from '../configure/pod-identity-rbac.js';

export async function readNodeSetupState(client: KubeClient, namespace = 'kube-system'): Promise<NodeSetupState> {
  const ds = await client.get<KubeObject>(
    resourcePath({ group: 'apps', version: 'v1', plural: 'daemonsets' }, namespace, NODE_SETUP_NAME),
  );
  if (!ds) return { installed: false, image: undefined, desired: 0, ready: 0, updated: 0 };
  const status = (ds.status ?? {}) as {
    desiredNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
  };
  const containers =
    (ds.spec as { template?: { spec?: { containers?: Array<{ image?: string }> } } } | undefined)?.template?.spec
      ?.containers ?? [];
  return {
    installed: true,
    image: containers[0]?.image,
    desired: status.desiredNumberScheduled ?? 0,
    ready: status.numberReady ?? 0,
    updated: status.updatedNumberScheduled ?? 0,
  };
}

/** A list the user may not be allowed to read: the report goes on without it, saying so. */
async function listOrNote<T extends KubeObject>(
  client: KubeClient,
  path: string,
  what: string,
  notes: string[],
  query?: Record<string, string>,
): Promise<T[]> {
  try {
    return await client.list<T>(path, query);
  } catch (error) {
    if (error instanceof KubeApiError && (error.status === 403 || error.status === 404)) {
      notes.push(`Cannot list ${what} (${error.status} ${error.reason}); the report leaves them out.`);
      return [];
    }
    throw error;
  }
}

/** Every read at once, each answer under its own name. */
async function allOf<T extends Record<string, Promise<unknown>>>(reads: T): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const answers = await Promise.all(Object.entries(reads).map(async ([name, read]) => [name, await read] as const));
  return Object.fromEntries(answers) as { [K in keyof T]: Awaited<T[K]> };
}

async function readSnapshot(client: KubeClient, now: Date, notes: string[]): Promise<ClusterSnapshot> {
  const apps = (plural: string) => ({ group: 'apps', version: 'v1', plural });
  const snapshot = await allOf({
    configMap: readConfigMap(client),
    accessKeySecret: client
      .get<SecretObject>(resourcePath({ plural: 'secrets' }, CONFIGMAP_NAMESPACE, CONFIGURATION_SECRETS_NAME))
      .catch((error: unknown) => {
        if (error instanceof KubeApiError && error.status === 403) return undefined;
        throw error;
      }),
    namespaces: listOrNote(client, resourcePath({ plural: 'namespaces' }), 'namespaces', notes),
    serviceAccounts: listOrNote(client, resourcePath({ plural: 'serviceaccounts' }), 'ServiceAccounts', notes),
    pullSecrets: listOrNote<SecretObject>(client, resourcePath({ plural: 'secrets' }), 'image pull Secrets', notes, {
      fieldSelector: 'type=kubernetes.io/dockerconfigjson',
    }),
    nodes: listOrNote(client, resourcePath({ plural: 'nodes' }), 'nodes', notes),
    nodeSetupPods: listOrNote(
      client,
      resourcePath({ plural: 'pods' }, CONFIGMAP_NAMESPACE),
      'acr-node-setup pods',
      notes,
      { labelSelector: NODE_SETUP_LABEL },
    ),
    nodeSetup: readNodeSetupState(client).catch((error: unknown) => {
      if (!(error instanceof KubeApiError && error.status === 403)) throw error;
      notes.push('Cannot read the DaemonSet kube-system/acr-node-setup (403); the report leaves it out.');
      return { installed: false, image: undefined, desired: 0, ready: 0, updated: 0 };
    }),
    deployments: listOrNote(client, resourcePath(apps('deployments')), 'Deployments', notes),
    daemonSets: listOrNote(client, resourcePath(apps('daemonsets')), 'DaemonSets', notes),
    pods: listOrNote(client, resourcePath({ plural: 'pods' }), 'Pods', notes),
    podIdentityBinding: client
      .get<KubeObject>(
        resourcePath(
          { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings' },
          undefined,
          POD_IDENTITY_RBAC_NAME,
        ),
      )
      .catch((error: unknown): 'forbidden' => {
        if (error instanceof KubeApiError && error.status === 403) return 'forbidden';
        throw error;
      }),
  });
  return { ...snapshot, now };
}

function section(title: string, body: string): string {
  return `${title}\n${body
    .trimEnd()
    .split('\n')
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n')}\n\n`;
}

function listText(value: string[] | string): string {
  return Array.isArray(value) ? value.join(', ') : value;
}

export function renderStatusTable(report: StatusReport): string {
  const c = report.configuration;
  let out = '';
  const title = `Configuration (${CONFIGMAP_NAMESPACE}/${CONFIGMAP_NAME}${c.present ? '' : ', absent: defaults apply'})`;
  if (c.valid) {
    const registries = renderTable(
      ['edition', 'instance', 'region', 'domains', 'credentials'],
      c.registries.map((r) => [
        r.edition,
        r.instanceId ?? '-',
        r.region,
        r.domains,
        r.assumeRole ? `${r.credentials}, then assume ${r.assumeRole}` : r.credentials,
      ]),
    );
    const scope = [
      `Secret sync namespaces: ${listText(c.watchNamespaces)}`,
      `Secret sync ServiceAccounts: ${listText(c.serviceAccounts)}`,
      `Refresh before expiry: ${c.expiringThreshold}   RRSA: ${c.rrsa ? 'on' : 'off'}   Webhook: ${c.webhook}`,
    ].join('\n');
    out += section(title, `${registries}\n${scope}`);
  } else {
    out += section(title, 'invalid: see the problems below');
  }
  const ds = report.nodeSetup;
  out += section(
    `Nodes (credential provider: DaemonSet kube-system/acr-node-setup ${ds.installed ? `${ds.ready}/${ds.desired} ready${ds.image ? `, image ${ds.image}` : ''}` : 'not installed'})`,
    report.nodes.length > 0
      ? renderTable(
          ['node', 'provider', 'version', 'pod'],
          report.nodes.map((n) => [
            n.node,
            n.provider,
            `${n.version ?? '-'}${n.lagging ? ' (lagging)' : ''}`,
            n.pod ?? '-',
          ]),
        )
      : 'no nodes listed',
  );
  const sync = report.secretSync;
  const syncTitle = `Secret sync (aliyun-acr-credential-helper: ${sync.helper}, kubectl-acr-sync: ${sync.sync})`;
  out += section(
    syncTitle,
    sync.namespaces.length > 0
      ? renderTable(
          ['namespace', 'secret', 'token expires', 'serviceaccounts patched'],
          sync.namespaces.map((ns) => [
            ns.exists ? ns.namespace : `${ns.namespace} (absent)`,
            ns.secret ?? '-',
            ns.tokenExpiresAt ? `${ns.tokenExpiresAt}${ns.tokenExpired ? ' (expired)' : ''}` : '-',
            ns.serviceAccounts.length > 0
              ? ns.serviceAccounts.map((sa) => `${sa.name}${sa.patched ? '' : ' (not patched)'}`).join(', ')
              : '-',
          ]),
        )
      : 'no namespaces in scope',
  );
  const pi = report.podIdentity;
  if (pi && (pi.enabled || pi.serviceAccounts.length > 0)) {
    const access = { granted: 'granted', missing: 'NOT granted', unknown: 'cannot tell' }[pi.nodeAccess];
    const title = `Pod identity (${pi.enabled ? 'on' : 'off'}${pi.requireRole ? ', require-role' : ''}; nodes' sts.aliyuncs.com token audience: ${access})`;
    const rows = pi.serviceAccounts.map((s) => [
      s.serviceAccount,
      s.role ?? '-',
      s.refused ? `refused: ${s.refused}` : s.annotation!,
    ]);
    const table =
      rows.length > 0 ? renderTable(['serviceaccount', 'role', 'from'], rows) : 'no ServiceAccount names a role';
    out += section(
      title,
      `${table}
${pi.withoutRole} ServiceAccount(s) name no role: ${pi.requireRole ? 'refused' : "the node's identity"}`,
    );
  }
  if (report.notes.length > 0) out += section('Notes', report.notes.join('\n'));
  out += section(
    `Problems (${report.problems.length})`,
    report.problems.length > 0 ? report.problems.map((p) => formatProblem(p)).join('\n') : 'none',
  );
  const verdict = {
    healthy: 'healthy',
    problems: `${report.problems.length} problem(s) found`,
    invalid: 'the configuration is invalid',
  }[report.health];
  return `${out}Result: ${verdict}\n`;
}

export async function runStatus(args: StatusArgs, runtime: Runtime): Promise<ExitCode> {
  const client = connect(connectionFlags(args), runtime.env);
  const notes: string[] = [];
  const snapshot = await readSnapshot(client, runtime.now(), notes);
  const built = buildStatusReport(snapshot);
  const report = { ...built, notes: [...built.notes, ...notes] };
  // Nothing in the report should hold a secret; this makes sure of it.
  const secrets = secretValuesIn(snapshot.configMap?.data ?? {});
  runtime.stdout(
    redactSecrets(
      render(args.output, report, () => renderStatusTable(report)),
      secrets,
    ),
  );
  return exitCodeFor(report.health);
}
