// What nodes need from the API server for pod identity: since Kubernetes
// 1.32 (ServiceAccountNodeAudienceRestriction) a kubelet may request a
// ServiceAccount token only for audiences it is granted with the verb
// `request-serviceaccounts-token-audience` on the audience as resource.
import { RRSA_AUDIENCE } from '../../provider/credentials/service-account-token.js';
import type { KubeObject } from '../kube-client.js';

export const POD_IDENTITY_RBAC_NAME = 'acr-credential-provider-pod-identity';
const LABELS = {
  'app.kubernetes.io/name': POD_IDENTITY_RBAC_NAME,
  'app.kubernetes.io/managed-by': 'kubectl-acr',
};

export function podIdentityRbac(): KubeObject[] {
  const metadata = { name: POD_IDENTITY_RBAC_NAME, labels: LABELS };
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata,
      rules: [{ apiGroups: [''], resources: [RRSA_AUDIENCE], verbs: ['request-serviceaccounts-token-audience'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: POD_IDENTITY_RBAC_NAME },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' }],
    },
  ];
}
