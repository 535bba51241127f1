// Pod identity as `kubectl acr status` sees it: whether nodes may request
// RRSA tokens, which ServiceAccounts pull with their own role (and which
// name one the provider would refuse), and how many pull with the node's.
import type { Problem } from '../../provider/common/problem.js';
import type { AcrConfiguration } from '../../provider/configuration/model.js';
import { workloadRole } from '../../provider/credentials/workload-identity.js';
import type { KubeObject } from '../kube-client.js';
import { POD_IDENTITY_RBAC_NAME } from '../configure/pod-identity-rbac.js';
import { name, namespaceOf } from './object-fields.js';

export interface WorkloadRoleState {
  serviceAccount: string;
  /** The role ARN the provider would assume. */
  role?: string;
  /** The annotation it came from. */
  annotation?: string;
  /** Why the provider refuses the ServiceAccount's annotations. */
  refused?: string;
}

export interface PodIdentityState {
  enabled: boolean;
  requireRole: boolean;
  oidcProviderArn?: string;
  /** The ClusterRoleBinding that lets nodes request tokens for sts.aliyuncs.com. */
  nodeAccess: 'granted' | 'missing' | 'unknown';
  /** ServiceAccounts that name a role, with the verdict on it. */
  serviceAccounts: WorkloadRoleState[];
  /** ServiceAccounts that name none: they pull with the node's identity (or are refused with require-role). */
  withoutRole: number;
}

export function podIdentityState(
  config: AcrConfiguration,
  serviceAccounts: KubeObject[],
  binding: KubeObject | undefined | 'forbidden',
): { state: PodIdentityState; problems: Problem[]; notes: string[] } {
  const { podIdentity } = config;
  const problems: Problem[] = [];
  const notes: string[] = [];
  const states: WorkloadRoleState[] = [];
  let withoutRole = 0;
  for (const account of serviceAccounts) {
    const serviceAccount = `${namespaceOf(account)}/${name(account)}`;
    const role = workloadRole(account.metadata.annotations, podIdentity, serviceAccount);
    if (role.kind === 'none') {
      withoutRole++;
      continue;
    }
    if (role.kind === 'role') {
      states.push({ serviceAccount, role: role.roleArn, annotation: role.annotation });
      continue;
    }
    states.push({ serviceAccount, refused: role.message });
    // With pod identity off the kubelet sends no token: the annotation is not used at all.
    if (!podIdentity.enabled) continue;
    problems.push({
      severity: 'error',
      code: 'pod-identity-role-invalid',
      key: 'pod-identity',
      message: `${role.message}: pulls of its pods are refused (${role.code}).`,
      fix: role.fix,
    });
  }
  const nodeAccess = binding === 'forbidden' ? 'unknown' : binding ? 'granted' : 'missing';
  if (podIdentity.enabled && nodeAccess === 'missing') {
    problems.push({
      severity: 'error',
      code: 'pod-identity-node-access',
      key: 'pod-identity',
      message: `pod-identity is on, but nodes are not allowed to request ServiceAccount tokens for sts.aliyuncs.com (no ClusterRoleBinding ${POD_IDENTITY_RBAC_NAME}): the kubelet skips the provider for pods.`,
      fix: 'Run `kubectl acr configure --pod-identity`: it grants system:nodes the verb request-serviceaccounts-token-audience on sts.aliyuncs.com.',
    });
  }
  const named = states.length;
  if (!podIdentity.enabled && named > 0) {
    problems.push({
      severity: 'warning',
      code: 'pod-identity-off',
      key: 'pod-identity',
      message: `${named} ServiceAccount(s) name a RAM role, but pod-identity is off in acr-configuration: their pods pull with the node's identity.`,
      fix: 'Run `kubectl acr configure --pod-identity --oidc-provider-arn acs:ram::<account-id>:oidc-provider/ack-rrsa-<cluster-id>`.',
    });
  }
  if (podIdentity.enabled && podIdentity.requireRole && withoutRole > 0)
    notes.push(
      `${withoutRole} ServiceAccount(s) name no role: with require-role, pulls of their pods are refused (static pods still pull with the node's identity).`,
    );
  return {
    state: {
      enabled: podIdentity.enabled,
      requireRole: podIdentity.requireRole,
      ...(podIdentity.oidcProviderArn ? { oidcProviderArn: podIdentity.oidcProviderArn } : {}),
      nodeAccess,
      serviceAccounts: states,
      withoutRole,
    },
    problems,
    notes,
  };
}
