// The Secret sync's manifests: the kustomize base equals what
// `kubectl acr install --sync` applies, the RBAC is exactly what the sync
// calls, and install --sync creates every object.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runInstall } from '../../../plugin/install/install-command.js';
import { createKubeClient } from '../../../plugin/kube-client.js';
import type { Runtime } from '../../../plugin/runtime.js';
import { renderSyncManifests, SYNC_IMAGE_PLACEHOLDER } from '../../../plugin/sync/sync-manifests.js';
import { startFakeApiserver, type FakeApiserver } from '../../fakes/apiserver/index.js';
import { repoRoot } from '../../support/binaries.js';

const dir = join(repoRoot, 'plugin', 'sync', 'manifests');
const kustomized = () =>
  (parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).resources as string[]).flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => doc.toJS()),
  );

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
const byKind = (kind: string) => (renderSyncManifests({ image: 'img' }) as any[]).find((o) => o.kind === kind);
const grants = (rules: Rule[]) =>
  rules.flatMap((r) =>
    r.resources.flatMap((res) =>
      r.verbs.map(
        (v) => `${r.apiGroups[0] || 'core'}/${res}:${v}${r.resourceNames ? `(${r.resourceNames.join(',')})` : ''}`,
      ),
    ),
  );

describe('sync manifests', () => {
  it('the kustomize base equals renderSyncManifests with the image placeholder', () => {
    expect(kustomized()).toEqual(renderSyncManifests({ image: SYNC_IMAGE_PLACEHOLDER }));
  });

  it('least privilege: what the sync reads and writes, no wildcard, no patch, nothing cluster-admin', () => {
    expect(grants(byKind('ClusterRole').rules).sort()).toEqual(
      [
        'core/namespaces:get',
        'core/namespaces:list',
        'core/namespaces:watch',
        'core/serviceaccounts:get',
        'core/serviceaccounts:list',
        'core/serviceaccounts:watch',
        'core/serviceaccounts:update',
        'core/secrets:get',
        'core/secrets:list',
        'core/secrets:watch',
        'core/secrets:create',
        'core/secrets:update',
        'core/secrets:delete',
        'admissionregistration.k8s.io/mutatingwebhookconfigurations:create',
        'admissionregistration.k8s.io/mutatingwebhookconfigurations:get(kubectl-acr-sync)',
        'admissionregistration.k8s.io/mutatingwebhookconfigurations:update(kubectl-acr-sync)',
        'admissionregistration.k8s.io/mutatingwebhookconfigurations:delete(kubectl-acr-sync)',
      ].sort(),
    );
    expect(grants(byKind('Role').rules).sort()).toEqual(
      [
        'core/configmaps:get',
        'core/configmaps:list',
        'core/configmaps:watch',
        'coordination.k8s.io/leases:create',
        'coordination.k8s.io/leases:get(kubectl-acr-sync)',
        'coordination.k8s.io/leases:update(kubectl-acr-sync)',
        'apps/deployments:get(aliyun-acr-credential-helper)',
      ].sort(),
    );
    expect(byKind('ClusterRoleBinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'kubectl-acr-sync', namespace: 'kube-system' },
    ]);
  });

  it('two replicas electing a leader, with probes, metrics, the webhook port and resource limits', () => {
    const deployment = byKind('Deployment');
    expect(deployment.spec.replicas).toBe(2);
    const [container] = deployment.spec.template.spec.containers;
    expect(container.command).toEqual([
      '/kubectl-acr',
      'sync',
      '--leader-elect',
      '--metrics-address=0.0.0.0:8080',
      '--webhook-address=0.0.0.0:8443',
      '--cache-dir=/var/cache/kubectl-acr',
      '--rrsa-token-file=/var/run/secrets/tokens/rrsa',
    ]);
    expect(deployment.spec.template.spec.volumes.find((v: any) => v.name === 'rrsa-token').projected.sources).toEqual([
      { serviceAccountToken: { audience: 'sts.aliyuncs.com', expirationSeconds: 3600, path: 'rrsa' } },
    ]);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.resources.limits.memory).toBe('256Mi');
    expect(byKind('Service').spec.ports).toEqual([
      { name: 'webhook', port: 443, targetPort: 'webhook', protocol: 'TCP' },
    ]);
  });
});

describe('kubectl acr install --sync', () => {
  let api: FakeApiserver;
  beforeEach(async () => {
    api = await startFakeApiserver();
  });
  afterEach(async () => {
    await api.close();
  });
  const out: string[] = [];
  const rt: Runtime = {
    env: {},
    stdout: (t) => void out.push(t),
    stderr: (t) => void out.push(t),
    readStdin: async () => '',
    readFile: () => '',
    now: () => new Date(),
  };

  it('creates every object, cluster-scoped ones without a namespace, and says how to watch the rollout', async () => {
    out.length = 0;
    const connectTo = () => createKubeClient(api.kubeConfig(), 5000);
    expect(
      await runInstall({ image: 'registry.example.com/acr/acr-node-setup:0.1.0', sync: true }, rt, connectTo),
    ).toBe(0);
    expect(out.join('')).toBe(
      [
        'serviceaccount/kubectl-acr-sync created',
        'clusterrole/kubectl-acr-sync created',
        'role/kubectl-acr-sync created',
        'clusterrolebinding/kubectl-acr-sync created',
        'rolebinding/kubectl-acr-sync created',
        'service/kubectl-acr-sync created',
        'deployment/kubectl-acr-sync created',
        'Watch the rollout: kubectl -n kube-system rollout status deployment/kubectl-acr-sync',
        '',
      ].join('\n'),
    );
    expect(api.get('clusterroles', undefined, 'kubectl-acr-sync')).toBeDefined();
    expect(api.get('deployments', 'kube-system', 'kubectl-acr-sync').spec.template.spec.containers[0].image).toBe(
      'registry.example.com/acr/acr-node-setup:0.1.0',
    );
  });
});
