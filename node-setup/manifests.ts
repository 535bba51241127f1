// The DaemonSet that installs the provider on every node, and its
// ServiceAccount, as objects for `kubectl acr install`. The kustomize base in
// manifests/ holds the same objects (a test keeps the two equal).
//
// The pod needs no Kubernetes API access: the kubelet mounts the ConfigMap,
// the Secret and the RRSA token for it. So the ServiceAccount has no role
// bindings and its API token is not mounted; the minimal RBAC is none.
import { CONFIGURATION_SECRETS_NAME } from '../provider/configuration/model.js';
import { NODE_SETUP_READY_FILE } from '../provider/common/paths.js';

export const NODE_SETUP_NAME = 'acr-node-setup';
export const IMAGE_PLACEHOLDER = 'acr-node-setup';
const LABELS = { 'app.kubernetes.io/name': NODE_SETUP_NAME, 'app.kubernetes.io/part-of': 'acr-credentials' };

export interface ManifestOptions {
  image: string;
  namespace?: string;
  /**
   * `uninstall`: every pod restores its node (the journal install keeps),
   * then reports ready and stays; `kubectl acr uninstall` waits for all of
   * them before it deletes anything.
   */
  mode?: 'install' | 'uninstall';
}

/** The container's command in each mode. */
function command(mode: 'install' | 'uninstall'): string[] {
  if (mode === 'uninstall')
    return ['/acr-node-setup', 'uninstall', '--stay', '--host-root=/host', `--ready-file=${NODE_SETUP_READY_FILE}`];
  return [
    '/acr-node-setup',
    'mirror',
    '--watch',
    '--host-root=/host',
    '--configmap-dir=/etc/acr-configuration',
    '--secrets-dir=/etc/acr-configuration-secrets',
    '--rrsa-token-file=/var/run/secrets/tokens/rrsa',
    `--ready-file=${NODE_SETUP_READY_FILE}`,
  ];
}

export function renderNodeSetupManifests({
  image,
  namespace = 'kube-system',
  mode = 'install',
}: ManifestOptions): object[] {
  const serviceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: NODE_SETUP_NAME, namespace, labels: { ...LABELS } },
    automountServiceAccountToken: false,
  };
  const daemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: NODE_SETUP_NAME, namespace, labels: { ...LABELS } },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': NODE_SETUP_NAME } },
      // One node at a time: each pod may restart its node's kubelet.
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: { ...LABELS } },
        spec: {
          serviceAccountName: NODE_SETUP_NAME,
          automountServiceAccountToken: false,
          // hostPID: `nsenter -t 1` reaches the host's systemd to restart the kubelet.
          hostPID: true,
          // hostNetwork: the kubelet's healthz listens on the node's 127.0.0.1:10248.
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          priorityClassName: 'system-node-critical',
          // Every node, whatever its taints: a node without the provider cannot pull from ACR.
          tolerations: [{ operator: 'Exists' }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          // Virtual nodes (ECI) have no kubelet of their own to configure.
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: 'type', operator: 'NotIn', values: ['virtual-kubelet'] }] },
                ],
              },
            },
          },
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: 'node-setup',
              image,
              command: command(mode),
              securityContext: { privileged: true },
              resources: { requests: { cpu: '10m', memory: '48Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
              readinessProbe: {
                exec: { command: ['/acr-node-setup', 'ready', `--ready-file=${NODE_SETUP_READY_FILE}`] },
                initialDelaySeconds: 5,
                periodSeconds: 10,
                timeoutSeconds: 5,
              },
              volumeMounts: [
                { name: 'host', mountPath: '/host' },
                { name: 'acr-configuration', mountPath: '/etc/acr-configuration', readOnly: true },
                { name: 'acr-configuration-secrets', mountPath: '/etc/acr-configuration-secrets', readOnly: true },
                { name: 'rrsa-token', mountPath: '/var/run/secrets/tokens', readOnly: true },
                { name: 'state', mountPath: '/run/acr-node-setup' },
              ],
            },
          ],
          volumes: [
            { name: 'host', hostPath: { path: '/', type: 'Directory' } },
            { name: 'acr-configuration', configMap: { name: 'acr-configuration', optional: true } },
            { name: 'acr-configuration-secrets', secret: { secretName: CONFIGURATION_SECRETS_NAME, optional: true } },
            {
              name: 'rrsa-token',
              projected: {
                sources: [
                  { serviceAccountToken: { audience: 'sts.aliyuncs.com', expirationSeconds: 3600, path: 'rrsa' } },
                ],
              },
            },
            { name: 'state', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
          ],
        },
      },
    },
  };
  return [serviceAccount, daemonSet];
}
