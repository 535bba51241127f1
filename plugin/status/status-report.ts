// `kubectl acr status` as a pure function: the cluster objects it read →
// what the configuration means, every problem with its fix, which nodes run
// the provider, the state of the Secret sync, and the verdict. No secret
// value ever enters the report.

import { parseConfigurationData } from '../../provider/configuration/parse-configuration.js';
import { CONFIGURATION_SECRETS_NAME, type AcrConfiguration } from '../../provider/configuration/model.js';
import type { Problem } from '../../provider/common/problem.js';
import {
  type ClusterSnapshot,
  HELPER_DEPLOYMENT,
  type Health,
  type NodeProviderState,
  SYNC_DEPLOYMENT,
  type SecretSyncState,
  type StatusReport,
} from './status-model.js';
import { isConditionTrue, name, spec } from './object-fields.js';
import { summarize, withPluginFix } from './configuration-summary.js';
import { deploymentState, syncStates } from './secret-sync-state.js';
import { workloadProblems } from './workload-problems.js';
import { podIdentityState } from './pod-identity-state.js';

/** Warnings that need no action: kept as notes so a configuration copied from the docs can be healthy. */
const INFORMATIONAL_CODES = new Set(['ignored-key']);

function nodeStates(snapshot: ClusterSnapshot): NodeProviderState[] {
  return snapshot.nodes.map((node) => {
    const pods = snapshot.nodeSetupPods.filter((pod) => spec(pod).nodeName === name(node));
    const ready = pods.find((pod) => isConditionTrue(pod, 'Ready'));
    const pod = ready ?? pods[0];
    const image = pod ? spec(pod).containers?.[0]?.image : undefined;
    const current = snapshot.nodeSetup.image;
    return {
      node: name(node),
      provider: ready ? 'ready' : pods.length > 0 ? 'not-ready' : 'missing',
      ...(pod ? { pod: name(pod) } : {}),
      ...(image ? { version: image.slice(image.lastIndexOf(':') + 1) } : {}),
      ...(image && current && image !== current ? { lagging: true } : {}),
    };
  });
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

  const lagging = nodes.filter((n) => n.lagging);
  if (lagging.length > 0) {
    problems.push({
      severity: 'warning',
      code: 'node-provider-lagging',
      message: `${lagging.map((n) => `${n.node} (${n.version ?? '?'})`).join(', ')} still run${lagging.length === 1 ? 's' : ''} an older acr-node-setup than the DaemonSet's ${snapshot.nodeSetup.image ?? ''}.`,
      fix: "The rollout replaces one node at a time and waits for each to be ready again: `kubectl -n kube-system rollout status daemonset/acr-node-setup`; a node whose kubelet did not survive the new version keeps its pod not ready and holds the rollout — read that pod's log.",
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
  const podIdentity = config
    ? podIdentityState(config, snapshot.serviceAccounts, snapshot.podIdentityBinding)
    : undefined;
  notes.push(...(podIdentity?.notes ?? []));
  const problems = [
    ...parserProblems.filter((p) => !INFORMATIONAL_CODES.has(p.code)),
    ...(config ? clusterProblems(config, snapshot, nodes, sync) : []),
    ...(podIdentity?.problems ?? []),
  ];
  const health: Health = !parsed.ok ? 'invalid' : problems.length > 0 ? 'problems' : 'healthy';
  return {
    configuration: summarize(snapshot.configMap, config),
    problems,
    notes,
    nodeSetup: snapshot.nodeSetup,
    nodes,
    secretSync: sync,
    ...(podIdentity ? { podIdentity: podIdentity.state } : {}),
    health,
  };
}

export function exitCodeFor(health: Health): 0 | 1 | 2 {
  return health === 'healthy' ? 0 : health === 'problems' ? 1 : 2;
}
