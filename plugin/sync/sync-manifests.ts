// The Secret sync in the cluster, as objects for `kubectl acr install --sync`:
// the Deployment kube-system/kubectl-acr-sync (two replicas, one leader), its
// ServiceAccount, the Service its webhook is reached through, and
// least-privilege RBAC — exactly what it reads and writes. The kustomize base
// in manifests/ holds the same objects (a test keeps the two equal).
import { HELPER_DEPLOYMENT, SYNC_DEPLOYMENT } from '../status/status-model.js';
import { WEBHOOK_NAME } from './webhook-registration.js';

export const SYNC_IMAGE_PLACEHOLDER = 'acr-node-setup';
const LABELS = { 'app.kubernetes.io/name': SYNC_DEPLOYMENT, 'app.kubernetes.io/part-of': 'acr-credentials' };
const METRICS_PORT = 8080;
const WEBHOOK_PORT = 8443;

export function renderSyncManifests({
  image,
  namespace = 'kube-system',
}: {
  image: string;
  namespace?: string;
}): object[] {
  const meta = (name: string, namespaced = true) => ({
    name,
    ...(namespaced ? { namespace } : {}),
    labels: { ...LABELS },
  });
  const subject = [{ kind: 'ServiceAccount', name: SYNC_DEPLOYMENT, namespace }];
  const clusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: meta(SYNC_DEPLOYMENT, false),
    rules: [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      // update, never patch: the write carries the resourceVersion read.
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list', 'watch', 'update'] },
      // The pull Secrets in every namespace in scope (the watch is by label).
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['mutatingwebhookconfigurations'],
        verbs: ['create'],
      },
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['mutatingwebhookconfigurations'],
        resourceNames: [WEBHOOK_NAME],
        verbs: ['get', 'update', 'delete'],
      },
    ],
  };
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: meta(SYNC_DEPLOYMENT),
    rules: [
      // The informer lists kube-system's ConfigMaps; only acr-configuration is read.
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: [SYNC_DEPLOYMENT],
        verbs: ['get', 'update'],
      },
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        resourceNames: [HELPER_DEPLOYMENT],
        verbs: ['get'],
      },
    ],
  };
  const bindings = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(SYNC_DEPLOYMENT, false),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: SYNC_DEPLOYMENT },
      subjects: subject,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(SYNC_DEPLOYMENT),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: SYNC_DEPLOYMENT },
      subjects: subject,
    },
  ];
  const serviceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(SYNC_DEPLOYMENT) };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(WEBHOOK_NAME),
    spec: {
      selector: { 'app.kubernetes.io/name': SYNC_DEPLOYMENT },
      ports: [{ name: 'webhook', port: 443, targetPort: 'webhook', protocol: 'TCP' }],
    },
  };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(SYNC_DEPLOYMENT),
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': SYNC_DEPLOYMENT } },
      template: {
        metadata: { labels: { ...LABELS } },
        spec: {
          serviceAccountName: SYNC_DEPLOYMENT,
          priorityClassName: 'system-cluster-critical',
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          // Replicas on different nodes: one node going away leaves a leader and a webhook.
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: 'kubernetes.io/hostname',
                    labelSelector: { matchLabels: { 'app.kubernetes.io/name': SYNC_DEPLOYMENT } },
                  },
                },
              ],
            },
          },
          containers: [
            {
              name: 'sync',
              image,
              command: [
                '/kubectl-acr',
                'sync',
                '--leader-elect',
                `--metrics-address=0.0.0.0:${METRICS_PORT}`,
                `--webhook-address=0.0.0.0:${WEBHOOK_PORT}`,
                '--cache-dir=/var/cache/kubectl-acr',
                '--rrsa-token-file=/var/run/secrets/tokens/rrsa',
              ],
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'HOME', value: '/tmp' },
              ],
              ports: [
                { name: 'metrics', containerPort: METRICS_PORT },
                { name: 'webhook', containerPort: WEBHOOK_PORT },
              ],
              livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/readyz', port: 'metrics' }, periodSeconds: 5 },
              resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'cache', mountPath: '/var/cache/kubectl-acr' },
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'rrsa-token', mountPath: '/var/run/secrets/tokens', readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'cache', emptyDir: { sizeLimit: '16Mi' } },
            { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
            // For entries with rrsaRoleARN (`rrsa: enable: true`): the token STS exchanges, audience sts.aliyuncs.com.
            {
              name: 'rrsa-token',
              projected: {
                sources: [
                  { serviceAccountToken: { audience: 'sts.aliyuncs.com', expirationSeconds: 3600, path: 'rrsa' } },
                ],
              },
            },
          ],
        },
      },
    },
  };
  return [serviceAccount, clusterRole, role, ...bindings, service, deployment];
}
