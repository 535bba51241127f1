// What `kubectl acr status` reads from the cluster and what it reports: the
// data shapes of the report (also its json and yaml output) and the names of
// the cluster objects it looks for.
// `kubectl acr status` as a pure function: the cluster objects it read →
// what the configuration means, every problem with its fix, which nodes run
// the provider, the state of the Secret sync, and the verdict. No secret
// value ever enters the report.

import type { Problem } from '../../provider/common/problem.js';
import type { KubeObject } from '../kube-client.js';
import { type ConfigMapObject, type SecretObject } from '../configuration-store.js';
import type { PodIdentityState } from './pod-identity-state.js';

export const NODE_SETUP_LABEL = 'app.kubernetes.io/name=acr-node-setup';
export const HELPER_DEPLOYMENT = 'aliyun-acr-credential-helper';
export const SYNC_DEPLOYMENT = 'kubectl-acr-sync';
/**
 * RFC 3339 expiry of the token in a synced Secret. The Secret sync
 * (`kubectl acr sync`, Deployment SYNC_DEPLOYMENT) writes it; status reads it.
 */
export const TOKEN_EXPIRY_ANNOTATION = 'kubectl-acr/token-expires-at';

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
  /** The ClusterRoleBinding of pod identity ('forbidden' when it cannot be read). */
  podIdentityBinding: KubeObject | undefined | 'forbidden';
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
  /** The node-setup image (tag) the node's pod runs: the provider version it installs. */
  version?: string;
  /** The pod runs another image than the DaemonSet's: the node lags behind the rollout. */
  lagging?: boolean;
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
  /** Absent when the configuration is invalid. */
  podIdentity?: PodIdentityState;
  health: Health;
}

/** For `kubectl acr status`: how far the node installer has got. */
export interface NodeSetupState {
  installed: boolean;
  image: string | undefined;
  /** Nodes that should run it, nodes where it is installed with the configuration current (ready), nodes on the current spec. */
  desired: number;
  ready: number;
  updated: number;
}
