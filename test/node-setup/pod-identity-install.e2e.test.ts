// node-setup and pod identity, through the built acr-node-setup on temporary
// host roots: the ServiceAccount-token entry is written only for a kubelet
// that takes it, in front of the node's entry (or alone with require-role),
// switched off again by the configuration, and the second name of the
// executable is a link that uninstall removes with everything else.
import { mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runBinary } from '../support/binaries.js';
import { makeHost, type Host } from './host-fixture.js';
import { kubeletConfigErrors } from './kubelet-config-rules.js';

const OWN_DIR_CONFIG = '/etc/kubernetes/credential-provider-config.d/acr-credential-provider.yaml';
const OWN_CONFIG = '/etc/kubernetes/credential-provider-config.yaml';
const LINK = '/etc/kubernetes/credential-provider/acr-credential-provider-pod-identity';
const OIDC = 'acs:ram::1234567890:oidc-provider/ack-rrsa-c0ffee';

const hosts: Host[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.cleanup();
});

function host(files: Record<string, string> = {}): Host {
  const h = makeHost({ layout: 'kubeadm-deb', glibc: '2.36', files });
  hosts.push(h);
  return h;
}

function configMap(h: Host, podIdentity: string): string {
  const dir = join(h.work, `configmap-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'pod-identity'), podIdentity);
  return dir;
}

async function install(h: Host, version: string, podIdentity: string) {
  return runBinary('acr-node-setup', [
    'install',
    ...h.installArgs(version),
    '--configmap-dir',
    configMap(h, podIdentity),
  ]);
}

const names = (text: string) => (parse(text) as { providers: { name: string }[] }).providers.map((p) => p.name);

describe('the ServiceAccount-token entry', () => {
  it('kubelet 1.34: written in front of the node entry, accepted by the kubelet’s rules, the second name a link', async () => {
    const h = host();
    const result = await install(h, '1.34.1', `enable: true\noidc-provider-arn: ${OIDC}`);
    expect(result.code).toBe(0);
    const text = h.read(OWN_DIR_CONFIG);
    expect(names(text)).toEqual(['acr-credential-provider-pod-identity', 'acr-credential-provider']);
    expect(kubeletConfigErrors(parse(text), true)).toEqual([]);
    expect(parse(text).providers[0].tokenAttributes).toMatchObject({
      serviceAccountTokenAudience: 'sts.aliyuncs.com',
      cacheType: 'ServiceAccount',
      requireServiceAccount: false,
    });
    expect(readlinkSync(join(h.root, LINK))).toBe('acr-credential-provider');
    expect(h.restarts()).toBe(1);
  });

  it.each([
    ['1.32.4', [], 'needs 1.33 or newer'],
    ['1.33.2', [], 'alpha and off'],
    ['1.35.0', ['--feature-gates=KubeletServiceAccountTokenForCredentialProviders=false'], '=false'],
  ])('kubelet %s %j: never written, and the log says why', async (version, flags, reason) => {
    const h = host({ '/etc/default/kubelet': `KUBELET_EXTRA_ARGS="${flags.join(' ')}"\n` });
    const result = await install(h, version, `enable: true\noidc-provider-arn: ${OIDC}`);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('pod-identity is enabled in acr-configuration, but');
    expect(result.stderr).toContain(reason);
    const path = h.exists(OWN_DIR_CONFIG) ? OWN_DIR_CONFIG : OWN_CONFIG;
    expect(names(h.read(path))).toEqual(['acr-credential-provider']);
    expect(kubeletConfigErrors(parse(h.read(path)), false)).toEqual([]);
  });

  it('kubelet 1.33 with the gate on in its KubeletConfiguration file takes it', async () => {
    const h = host({
      '/etc/default/kubelet': 'KUBELET_EXTRA_ARGS="--config=/var/lib/kubelet/config.yaml"\n',
      '/var/lib/kubelet/config.yaml':
        'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfeatureGates:\n  KubeletServiceAccountTokenForCredentialProviders: true\n',
    });
    expect((await install(h, '1.33.2', `enable: true\noidc-provider-arn: ${OIDC}`)).code).toBe(0);
    expect(names(h.read(OWN_CONFIG))).toEqual(['acr-credential-provider-pod-identity', 'acr-credential-provider']);
  });

  it('kubelet 1.35 with the gate turned off in a --config-dir drop-in: never written', async () => {
    const h = host({
      '/etc/default/kubelet':
        'KUBELET_EXTRA_ARGS="--config=/var/lib/kubelet/config.yaml --config-dir=/etc/kubernetes/kubelet.conf.d"\n',
      '/var/lib/kubelet/config.yaml': 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n',
      '/etc/kubernetes/kubelet.conf.d/50-gates.conf':
        'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfeatureGates:\n  KubeletServiceAccountTokenForCredentialProviders: false\n',
    });
    const result = await install(h, '1.35.0', `enable: true\noidc-provider-arn: ${OIDC}`);
    expect(result.stderr).toContain('KubeletServiceAccountTokenForCredentialProviders=false');
    expect(names(h.read(OWN_DIR_CONFIG))).toEqual(['acr-credential-provider']);
  });

  it('require-role leaves the node entry out; turning pod identity off puts it back alone; uninstall restores every byte', async () => {
    const h = host();
    const before = h.snapshot();
    expect((await install(h, '1.34.1', `enable: true\noidc-provider-arn: ${OIDC}\nrequire-role: true`)).code).toBe(0);
    expect(names(h.read(OWN_DIR_CONFIG))).toEqual(['acr-credential-provider-pod-identity']);

    expect((await install(h, '1.34.1', 'enable: false')).code).toBe(0);
    expect(names(h.read(OWN_DIR_CONFIG))).toEqual(['acr-credential-provider']);
    expect(h.restarts()).toBe(2);
    // Same configuration again: nothing to change, no restart.
    expect((await install(h, '1.34.1', 'enable: false')).code).toBe(0);
    expect(h.restarts()).toBe(2);

    const removed = await runBinary('acr-node-setup', ['uninstall', ...h.kubeletArgs()]);
    expect(removed.code).toBe(0);
    expect(h.exists(LINK)).toBe(false);
    expect(h.snapshot()).toEqual(before);
  });
});
