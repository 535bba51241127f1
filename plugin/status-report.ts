// `kubectl acr status` as a pure function: the cluster objects it read →
// what the configuration means, every problem with its fix, which nodes run
// the provider, the state of the Secret sync, and the verdict. No secret
// value ever enters the report.

import { parseConfigurationData } from '../provider/configuration/parse-configuration.js';
import {
  CONFIGURATION_SECRETS_NAME,
  type AcrConfiguration,
  type NameSelection,
  type RegistryEntry,
} from '../provider/configuration/model.js';
import { formatHumanDuration } from '../provider/common/go-duration.js';
import { parseImageReference } from '../provider/registry/image-reference.js';
import type { Problem } from '../provider/common/problem.js';
import { classifyHost } from '../provider/registry/registry-host.js';
import type { KubeObject } from './kube-client.js';
import type { NodeSetupState } from './commands/install.js';
import { MANAGED_BY, MANAGED_BY_LABEL, type ConfigMapObject, type SecretObject } from './configuration-store.js';

export const NODE_SETUP_LABEL = 'app.kubernetes.io/name=acr-node-setup';
export const HELPER_DEPLOYMENT = 'aliyun-acr-credential-helper';
export const SYNC_DEPLOYMENT = 'kubectl-acr-sync';
/** RFC 3339 expiry of the token in a synced Secret, written by kubectl-acr's sync. */
export const TOKEN_EXPIRY_ANNOTATION = 'kubectl-acr/token-expires-at';
const OLD_HELPER_SECRET_PREFIX = 'acr-credential-';

export interface ClusterSnapshot {
  configMap: ConfigMapObject | undefined;
  accessKeySecret: SecretObject | undefined;
  namespaces: KubeObject[];
  serviceAccounts: KubeObject[];
  /** Secrets of type kubernetes.io/dockerconfigjson, every namespace. */
  pullSecrets: SecretObject[];
  nodes: KubeObject[];
  nodeSetupPods: KubeObject[];
  /** The DaemonSet kube-system/acr-node-setup as `kubectl acr install` reads it. */
  nodeSetup: NodeSetupState;
  deployments: KubeObject[];
  daemonSets: KubeObject[];
  pods: KubeObject[];
  now: Date;
}

export interface RegistrySummary {
  edition: 'enterprise' | 'personal';
  instanceId?: string;
  region: string;
  domains: string;
  credentials: string;
  assumeRole?: string;
}

export interface ConfigurationSummary {
  present: boolean;
  valid: boolean;
  registries: RegistrySummary[];
  watchNamespaces: string[] | 'all';
  serviceAccounts: string[] | '*';
  expiringThreshold: string;
  rrsa: boolean;
  webhook: string;
  ignoredKeys: string[];
}

export interface NodeProviderState {
  node: string;
  provider: 'ready' | 'not-ready' | 'missing';
  pod?: string;
}

export type WorkloadState = 'running' | 'not-ready' | 'absent';

export interface NamespaceSyncState {
  namespace: string;
  exists: boolean;
  secret?: string;
  /** RFC 3339, when known. */
  tokenExpiresAt?: string;
  tokenExpired?: boolean;
  serviceAccounts: { name: string; patched: boolean }[];
}

export interface SecretSyncState {
  helper: WorkloadState;
  sync: WorkloadState;
  namespaces: NamespaceSyncState[];
}

export type Health = 'healthy' | 'problems' | 'invalid';

export interface StatusReport {
  configuration: ConfigurationSummary;
  problems: Problem[];
  /** Facts worth knowing that need no action. */
  notes: string[];
  nodeSetup: NodeSetupState;
  nodes: NodeProviderState[];
  secretSync: SecretSyncState;
  health: Health;
}

/** Warnings that need no action: kept as notes so a configuration copied from the docs can be healthy. */
const INFORMATIONAL_CODES = new Set(['ignored-key']);

function name(object: KubeObject): string {
  return object.metadata.name ?? '';
}

function namespaceOf(object: KubeObject): string {
  return object.metadata.namespace ?? '';
}

function spec(object: KubeObject): Record<string, any> {
  return (object.spec as Record<string, any> | undefined) ?? {};
}

function podSpecOf(object: KubeObject): Record<string, any> | undefined {
  if (object.kind === 'Pod') return spec(object);
  return spec(object).template?.spec as Record<string, any> | undefined;
}

function isConditionTrue(object: KubeObject, type: string): boolean {
  const conditions = ((object.status as Record<string, any> | undefined)?.conditions ?? []) as {
    type: string;
    status: string;
  }[];
  return conditions.some((condition) => condition.type === type && condition.status === 'True');
}

function selectionText<W extends string>(selection: NameSelection, allWord: W): string[] | W {
  return selection.all ? allWord : selection.names;
}

function credentialText(entry: RegistryEntry): string {
  const c = entry.credentials;
  switch (c.kind) {
    case 'node':
      return "node's RAM role";
    case 'rrsa':
      return `RRSA role ${c.roleArn}`;
    case 'access-key':
      return c.secret.kind === 'secret-ref'
        ? `AccessKey ${c.accessKeyId} (Secret kube-system/${CONFIGURATION_SECRETS_NAME}, key ${c.secret.key})`
        : `AccessKey ${c.accessKeyId} (secret in plain text in the ConfigMap)`;
  }
}

function registrySummary(entry: RegistryEntry): RegistrySummary {
  const region = entry.regionId ?? "node's region";
  const defaultDomains =
    entry.edition === 'enterprise'
      ? "all of the instance's domains"
      : `registry[-vpc].${entry.regionId ?? '<region>'}.aliyuncs.com`;
  return {
    edition: entry.edition,
    ...(entry.edition === 'enterprise' ? { instanceId: entry.instanceId } : {}),
    region,
    domains: entry.domains?.join(',') ?? defaultDomains,
    credentials: credentialText(entry),
    ...(entry.assumeRole ? { assumeRole: `${entry.assumeRole.roleArn} (${entry.assumeRole.durationSeconds}s)` } : {}),
  };
}

function summarize(configMap: ConfigMapObject | undefined, config: AcrConfiguration | undefined): ConfigurationSummary {
  if (!config) {
    return {
      present: configMap !== undefined,
      valid: false,
      registries: [],
      watchNamespaces: [],
      serviceAccounts: [],
      expiringThreshold: '',
      rrsa: false,
      webhook: '',
      ignoredKeys: [],
    };
  }
  const webhook = config.webhook.enabled
    ? `on (failure policy ${config.webhook.failurePolicy}, timeout ${config.webhook.timeoutSeconds}s)`
    : 'off';
  return {
    present: configMap !== undefined,
    valid: true,
    registries: config.registries.map(registrySummary),
    watchNamespaces: selectionText(config.watchNamespaces, 'all'),
    serviceAccounts: selectionText(config.serviceAccounts, '*'),
    expiringThreshold: formatHumanDuration(config.expiringThresholdSeconds),
    rrsa: config.rrsaEnabled,
    webhook,
    ignoredKeys: config.ignoredKeys,
  };
}

/** The parser's advice, made specific where kubectl-acr has a command for it. */
function withPluginFix(problem: Problem): Problem {
  if (problem.code === 'plaintext-secret') {
    return {
      ...problem,
      fix: 'Run `kubectl acr configure --move-inline-secrets`: it moves the secret into the Secret kube-system/acr-configuration-secrets and leaves a customAccessKeySecretRef.',
    };
  }
  return problem;
}

function deploymentState(deployments: KubeObject[], deploymentName: string): WorkloadState {
  const deployment = deployments.find((d) => namespaceOf(d) === 'kube-system' && name(d) === deploymentName);
  if (!deployment) return 'absent';
  const ready = Number((deployment.status as Record<string, unknown> | undefined)?.readyReplicas ?? 0);
  return ready > 0 ? 'running' : 'not-ready';
}

function nodeStates(snapshot: ClusterSnapshot): NodeProviderState[] {
  return snapshot.nodes.map((node) => {
    const pods = snapshot.nodeSetupPods.filter((pod) => spec(pod).nodeName === name(node));
    const ready = pods.find((pod) => isConditionTrue(pod, 'Ready'));
    const pod = ready ?? pods[0];
    return {
      node: name(node),
      provider: ready ? 'ready' : pods.length > 0 ? 'not-ready' : 'missing',
      ...(pod ? { pod: name(pod) } : {}),
    };
  });
}

function isManagedPullSecret(secret: SecretObject): boolean {
  return secret.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY || name(secret).startsWith(OLD_HELPER_SECRET_PREFIX);
}

/** When the token in a synced Secret expires: our annotation, else the `exp` of a JWT password. */
function tokenExpiry(secret: SecretObject): Date | undefined {
  const annotated = secret.metadata.annotations?.[TOKEN_EXPIRY_ANNOTATION];
  if (annotated && !Number.isNaN(Date.parse(annotated))) return new Date(annotated);
  try {
    const config = JSON.parse(Buffer.from(secret.data?.['.dockerconfigjson'] ?? '', 'base64').toString('utf8')) as {
      auths?: Record<string, { password?: string }>;
    };
    const expiries = Object.values(config.auths ?? {})
      .map((auth) => auth.password?.split('.')[1])
      .filter((payload): payload is string => payload !== undefined)
      .map((payload) => (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp)
      .filter((exp): exp is number => typeof exp === 'number');
    return expiries.length > 0 ? new Date(Math.min(...expiries) * 1000) : undefined;
  } catch {
    return undefined;
  }
}

function watchedNamespaces(config: AcrConfiguration, snapshot: ClusterSnapshot): string[] {
  return config.watchNamespaces.all ? snapshot.namespaces.map(name) : config.watchNamespaces.names;
}

function syncStates(config: AcrConfiguration, snapshot: ClusterSnapshot): NamespaceSyncState[] {
  const existing = new Set(snapshot.namespaces.map(name));
  return watchedNamespaces(config, snapshot).map((namespace) => {
    const secret = snapshot.pullSecrets.find((s) => namespaceOf(s) === namespace && isManagedPullSecret(s));
    const expiry = secret ? tokenExpiry(secret) : undefined;
    const accounts = snapshot.serviceAccounts.filter(
      (sa) =>
        namespaceOf(sa) === namespace &&
        (config.serviceAccounts.all || config.serviceAccounts.names.includes(name(sa))),
    );
    const managedNames = new Set(
      snapshot.pullSecrets.filter((s) => namespaceOf(s) === namespace && isManagedPullSecret(s)).map(name),
    );
    return {
      namespace,
      exists: existing.has(namespace),
      ...(secret ? { secret: name(secret) } : {}),
      ...(expiry
        ? { tokenExpiresAt: expiry.toISOString(), tokenExpired: expiry.getTime() <= snapshot.now.getTime() }
        : {}),
      serviceAccounts: accounts.map((sa) => ({
        name: name(sa),
        patched: ((sa.imagePullSecrets as { name?: string }[] | undefined) ?? []).some(
          (ref) => ref.name !== undefined && managedNames.has(ref.name),
        ),
      })),
    };
  });
}

function usesConfiguredRegistry(image: string, config: AcrConfiguration): boolean {
  const parsed = parseImageReference(image);
  if (!parsed.ok) return false;
  const host = parsed.ref.host;
  return classifyHost(host).kind !== 'other' || config.registries.some((entry) => entry.domains?.includes(host));
}

interface Workload {
  kind: string;
  namespace: string;
  name: string;
  podSpec: Record<string, any>;
}

/** Owners status reads directly; pods of other controllers (StatefulSet, Job, …) stand for their owner. */
const LISTED_OWNERS = new Set(['ReplicaSet', 'DaemonSet']);

function workloads(snapshot: ClusterSnapshot): Workload[] {
  const controllers = [
    ...snapshot.deployments.map((object) => ({
      kind: 'Deployment',
      object,
      podSpec: podSpecOf({ ...object, kind: 'Deployment' }),
    })),
    ...snapshot.daemonSets.map((object) => ({
      kind: 'DaemonSet',
      object,
      podSpec: podSpecOf({ ...object, kind: 'DaemonSet' }),
    })),
  ].flatMap(({ kind, object, podSpec }) =>
    podSpec ? [{ kind, namespace: namespaceOf(object), name: name(object), podSpec }] : [],
  );
  const byOwner = new Map<string, Workload>();
  for (const pod of snapshot.pods) {
    const owner = pod.metadata.ownerReferences?.[0];
    if (owner && LISTED_OWNERS.has(owner.kind)) continue;
    const workload = owner
      ? { kind: owner.kind, namespace: namespaceOf(pod), name: owner.name, podSpec: spec(pod) }
      : { kind: 'Pod', namespace: namespaceOf(pod), name: name(pod), podSpec: spec(pod) };
    const key = `${workload.kind}/${workload.namespace}/${workload.name}`;
    if (!byOwner.has(key)) byOwner.set(key, workload);
  }
  return [...controllers, ...byOwner.values()];
}

function imagesOf(podSpec: Record<string, any>): string[] {
  const containers = [
    ...((podSpec.containers ?? []) as { image?: string }[]),
    ...((podSpec.initContainers ?? []) as { image?: string }[]),
  ];
  return containers.map((c) => c.image).filter((image): image is string => typeof image === 'string');
}

/** Pods that depend on the Secret sync but will not get its Secret. */
function workloadProblems(config: AcrConfiguration, snapshot: ClusterSnapshot): Problem[] {
  const watched = new Set(watchedNamespaces(config, snapshot));
  const managed = new Set(snapshot.pullSecrets.filter(isManagedPullSecret).map((s) => `${namespaceOf(s)}/${name(s)}`));
  const problems: Problem[] = [];
  const uncovered = new Map<string, string[]>();
  for (const workload of workloads(snapshot)) {
    if (
      !watched.has(workload.namespace) ||
      !imagesOf(workload.podSpec).some((image) => usesConfiguredRegistry(image, config))
    )
      continue;
    const label = `${workload.kind} ${workload.namespace}/${workload.name}`;
    const own = ((workload.podSpec.imagePullSecrets ?? []) as { name?: string }[])
      .map((ref) => ref.name ?? '')
      .filter((ref) => !managed.has(`${workload.namespace}/${ref}`));
    if (own.length > 0) {
      problems.push({
        severity: 'warning',
        code: 'workload-own-pull-secrets',
        message: `${label} sets its own imagePullSecrets (${own.join(', ')}), so the ACR Secret the sync adds to its ServiceAccount is not used for its pods.`,
        fix: `Remove imagePullSecrets from ${label} (its ServiceAccount then supplies the ACR Secret), or install the provider on its nodes with \`kubectl acr install\`.`,
      });
      continue;
    }
    const account =
      (workload.podSpec.serviceAccountName as string | undefined) ||
      (workload.podSpec.serviceAccount as string | undefined) ||
      'default';
    if (!config.serviceAccounts.all && !config.serviceAccounts.names.includes(account)) {
      uncovered.set(account, [...(uncovered.get(account) ?? []), label]);
    }
  }
  if (uncovered.size > 0 && !config.serviceAccounts.all) {
    const accounts = [...uncovered.keys()];
    const list = [...config.serviceAccounts.names, ...accounts].join(',');
    for (const [account, labels] of uncovered) {
      problems.push({
        severity: 'warning',
        code: 'service-account-not-covered',
        key: 'service-account',
        message: `ServiceAccount \`${account}\` is used by ${labels.join(', ')} but is not in service-account, so the sync gives it no ACR Secret.`,
        fix: `Run \`kubectl acr configure --service-account ${list}\`.`,
      });
    }
  }
  return problems;
}

function clusterProblems(
  config: AcrConfiguration,
  snapshot: ClusterSnapshot,
  nodes: NodeProviderState[],
  sync: SecretSyncState,
): Problem[] {
  const problems: Problem[] = [];
  const kubeSystemWatched = config.watchNamespaces.all || config.watchNamespaces.names.includes('kube-system');
  if (kubeSystemWatched) {
    problems.push({
      severity: 'warning',
      code: 'watch-namespace-kube-system',
      key: 'watch-namespace',
      line: 1,
      column: 1,
      message: config.watchNamespaces.all
        ? '`watch-namespace: all` includes kube-system: the Secret sync patches system ServiceAccounts, and a sync failure can break pulls of system components.'
        : 'watch-namespace includes kube-system: the Secret sync patches system ServiceAccounts.',
      fix: 'List only your application namespaces, e.g. `kubectl acr configure --watch-namespace default,<your-namespaces>`.',
    });
  }

  for (const entry of config.registries) {
    const c = entry.credentials;
    if (c.kind !== 'access-key' || c.secret.kind !== 'secret-ref') continue;
    const key = c.secret.key;
    if (snapshot.accessKeySecret?.data?.[key] !== undefined) continue;
    const select =
      entry.edition === 'enterprise'
        ? `--instance-id ${entry.instanceId}`
        : `--personal${entry.regionId ? ` --region ${entry.regionId}` : ''}`;
    problems.push({
      severity: 'error',
      code: 'access-key-secret-missing',
      key: 'acr-registry-info',
      message: `Registry entry ${entry.index + 1} refers to key \`${key}\` of the Secret kube-system/${CONFIGURATION_SECRETS_NAME}, which ${snapshot.accessKeySecret ? 'has no such key' : 'does not exist'}.`,
      fix: `Store the secret again: \`kubectl acr configure ${select} --access-key-id ${c.accessKeyId} --access-key-secret-stdin\`.`,
    });
  }

  const providerNodes = nodes.filter((n) => n.provider === 'ready');
  const syncRunning = sync.helper === 'running' || sync.sync === 'running';
  if (providerNodes.length === 0 && !syncRunning) {
    problems.push({
      severity: 'error',
      code: 'no-credential-source',
      message: 'Nothing serves ACR credentials: no node runs the credential provider and no Secret sync is running.',
      fix: snapshot.nodeSetup.installed
        ? 'Check the acr-node-setup pods (`kubectl -n kube-system describe pods -l app.kubernetes.io/name=acr-node-setup`): the DaemonSet is installed but no pod is ready.'
        : 'Install the provider on the nodes with `kubectl acr install`, or run a Secret sync (kube-system/kubectl-acr-sync or aliyun-acr-credential-helper).',
    });
  } else if (!syncRunning && providerNodes.length < nodes.length) {
    const without = nodes.filter((n) => n.provider !== 'ready').map((n) => `${n.node} (${n.provider})`);
    problems.push({
      severity: 'warning',
      code: 'node-without-provider',
      message: `Pods scheduled on ${without.join(', ')} get no ACR credentials: the provider is not ready there and no Secret sync is running.`,
      fix: 'Check the acr-node-setup pods on those nodes (`kubectl -n kube-system get pods -l app.kubernetes.io/name=acr-node-setup -o wide`).',
    });
  }

  if (syncRunning) {
    for (const ns of sync.namespaces) {
      if (!ns.exists) continue;
      if (!ns.secret) {
        problems.push({
          severity: 'warning',
          code: 'sync-secret-missing',
          key: 'watch-namespace',
          message: `Namespace ${ns.namespace} is watched but has no synced ACR pull Secret.`,
          fix: 'Check the logs of the Secret sync Deployment in kube-system.',
        });
        continue;
      }
      if (ns.tokenExpired) {
        problems.push({
          severity: 'warning',
          code: 'sync-token-expired',
          message: `The token in Secret ${ns.namespace}/${ns.secret} expired at ${ns.tokenExpiresAt}.`,
          fix: 'Check the logs of the Secret sync Deployment in kube-system; it should refresh the Secret before expiry.',
        });
      }
      const unpatched = ns.serviceAccounts.filter((sa) => !sa.patched).map((sa) => sa.name);
      if (unpatched.length > 0) {
        problems.push({
          severity: 'warning',
          code: 'service-account-not-patched',
          message: `ServiceAccount(s) ${unpatched.join(', ')} in ${ns.namespace} do not list the ACR Secret ${ns.secret} in imagePullSecrets.`,
          fix: 'Check the logs of the Secret sync Deployment in kube-system.',
        });
      }
    }
  }
  // Pods only depend on the Secret sync where the provider does not run.
  if (providerNodes.length < nodes.length || nodes.length === 0) problems.push(...workloadProblems(config, snapshot));
  return problems;
}

export function buildStatusReport(snapshot: ClusterSnapshot): StatusReport {
  const parsed = parseConfigurationData(snapshot.configMap?.data ?? {});
  const config = parsed.ok ? parsed.config : undefined;
  const nodes = nodeStates(snapshot);
  const sync: SecretSyncState = {
    helper: deploymentState(snapshot.deployments, HELPER_DEPLOYMENT),
    sync: deploymentState(snapshot.deployments, SYNC_DEPLOYMENT),
    namespaces: config ? syncStates(config, snapshot) : [],
  };
  const notes: string[] = [];
  if (!snapshot.configMap)
    notes.push(
      "kube-system/acr-configuration does not exist: the defaults apply (Personal Edition of the node's region, Secret sync for ServiceAccount default in namespace default).",
    );
  const parserProblems = parsed.problems.map(withPluginFix);
  for (const problem of parserProblems.filter((p) => INFORMATIONAL_CODES.has(p.code)))
    notes.push(`${problem.message} ${problem.fix}`);
  const problems = [
    ...parserProblems.filter((p) => !INFORMATIONAL_CODES.has(p.code)),
    ...(config ? clusterProblems(config, snapshot, nodes, sync) : []),
  ];
  const health: Health = !parsed.ok ? 'invalid' : problems.length > 0 ? 'problems' : 'healthy';
  return {
    configuration: summarize(snapshot.configMap, config),
    problems,
    notes,
    nodeSetup: snapshot.nodeSetup,
    nodes,
    secretSync: sync,
    health,
  };
}

export function exitCodeFor(health: Health): 0 | 1 | 2 {
  return health === 'healthy' ? 0 : health === 'problems' ? 1 : 2;
}
