// The kustomize base and the objects `kubectl acr install` applies are the
// same, and the DaemonSet holds what a node installer needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { IMAGE_PLACEHOLDER, renderNodeSetupManifests } from '../../node-setup/manifests.js';
import { repoRoot } from '../support/binaries.js';

const dir = join(repoRoot, 'node-setup', 'manifests');
const kustomized = () =>
  (parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).resources as string[]).flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => doc.toJS()),
  );

describe('node-setup manifests', () => {
  it('the kustomize base equals renderNodeSetupManifests with the image placeholder', () => {
    expect(kustomized()).toEqual(renderNodeSetupManifests({ image: IMAGE_PLACEHOLDER }));
  });

  it('rolls out one node at a time, and its uninstall mode differs only in the command', () => {
    type DaemonSet = {
      spec: { updateStrategy: unknown; template: { spec: { containers: { command: string[] }[] } } };
    };
    const [, install] = renderNodeSetupManifests({ image: 'img' }) as [unknown, DaemonSet];
    const [, uninstall] = renderNodeSetupManifests({ image: 'img', mode: 'uninstall' }) as [unknown, DaemonSet];
    expect(install.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    expect(uninstall.spec.template.spec.containers[0]!.command).toEqual([
      '/acr-node-setup',
      'uninstall',
      '--stay',
      '--host-root=/host',
      '--ready-file=/run/acr-node-setup/ready',
    ]);
    const withoutCommand = (ds: DaemonSet) =>
      JSON.stringify(ds, (key: string, value: unknown) => (key === 'command' ? undefined : value));
    expect(withoutCommand(uninstall)).toBe(withoutCommand(install));
  });

  it('sets the image and the namespace', () => {
    const [sa, ds] = renderNodeSetupManifests({
      image: 'registry.example.com/acr/acr-node-setup:1.2.3',
      namespace: 'acr',
    }) as any[];
    expect(sa.metadata.namespace).toBe('acr');
    expect(ds.metadata.namespace).toBe('acr');
    expect(ds.spec.template.spec.containers[0].image).toBe('registry.example.com/acr/acr-node-setup:1.2.3');
  });

  it('runs on every node with host access, resource limits, and a readiness probe that means installed and current', () => {
    const ds = renderNodeSetupManifests({ image: 'x' })[1] as any;
    const pod = ds.spec.template.spec;
    expect(ds.metadata.labels['app.kubernetes.io/name']).toBe('acr-node-setup');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.hostPID).toBe(true);
    const [container] = pod.containers;
    expect(container.command.slice(0, 3)).toEqual(['/acr-node-setup', 'mirror', '--watch']);
    expect(container.resources.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.readinessProbe.exec.command.slice(0, 2)).toEqual(['/acr-node-setup', 'ready']);
    const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.name, m.mountPath]));
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    expect(volumes.host.hostPath.path).toBe('/');
    expect(container.command).toContain(`--host-root=${mounts.host}`);
    expect(volumes['acr-configuration'].configMap).toEqual({ name: 'acr-configuration', optional: true });
    expect(container.command).toContain(`--configmap-dir=${mounts['acr-configuration']}`);
    expect(volumes['acr-configuration-secrets'].secret).toEqual({
      secretName: 'acr-configuration-secrets',
      optional: true,
    });
    expect(volumes['rrsa-token'].projected.sources[0].serviceAccountToken.audience).toBe('sts.aliyuncs.com');
    expect(container.command).toContain(`--rrsa-token-file=${mounts['rrsa-token']}/rrsa`);
    expect(pod.automountServiceAccountToken).toBe(false);
  });
});
