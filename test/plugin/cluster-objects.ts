// Cluster objects as status reads them, for table tests and for seeding the
// fake apiserver.

import type { KubeObject } from '../../plugin/kube-client.js';

export const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

export const node = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });

export const providerPod = (
  nodeName: string,
  ready: boolean,
  image = 'registry.example.com/acr-node-setup:1',
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `acr-node-setup-${nodeName}`,
    namespace: 'kube-system',
    labels: { 'app.kubernetes.io/name': 'acr-node-setup' },
    ownerReferences: [{ kind: 'DaemonSet', name: 'acr-node-setup' }],
  },
  spec: { nodeName, containers: [{ name: 'node-setup', image }] },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

export const deployment = (
  ns: string,
  name: string,
  podSpec: Record<string, unknown>,
  readyReplicas = 1,
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: podSpec },
  },
  status: { replicas: 1, readyReplicas },
});

export const helperDeployment = (ready: boolean): KubeObject =>
  deployment(
    'kube-system',
    'aliyun-acr-credential-helper',
    {
      containers: [{ name: 'helper', image: 'registry.cn-hangzhou.aliyuncs.com/acs/aliyun-acr-credential-helper:v23' }],
    },
    ready ? 1 : 0,
  );

export const serviceAccount = (ns: string, name: string, pullSecrets: string[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace: ns },
  ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets.map((secret) => ({ name: secret })) } : {}),
});

export const pullSecret = (
  ns: string,
  name: string,
  options: { expiresAt?: string; managed?: boolean; password?: string } = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'kubernetes.io/dockerconfigjson',
  metadata: {
    name,
    namespace: ns,
    ...(options.managed ? { labels: { 'app.kubernetes.io/managed-by': 'kubectl-acr' } } : {}),
    ...(options.expiresAt ? { annotations: { 'kubectl-acr/token-expires-at': options.expiresAt } } : {}),
  },
  data: {
    '.dockerconfigjson': Buffer.from(
      JSON.stringify({
        auths: {
          'registry.cn-hangzhou.aliyuncs.com': {
            username: 'cr_temp_user',
            password: options.password ?? 'opaque-password',
          },
        },
      }),
    ).toString('base64'),
  },
});

export const acrImage = 'registry.cn-hangzhou.aliyuncs.com/team/app:1.0';
