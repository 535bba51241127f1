// The built acr-node-setup on temporary host roots: files, modes, flags,
// idempotency, rollback, uninstall restoring every byte.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACR_MATCH_IMAGES } from '../../provider/registry/image-match.js';
import { runBinary } from '../support/binaries.js';
import { makeHost, type Host, type HostOptions } from './host-fixture.js';

const BINARY = '/etc/kubernetes/credential-provider/acr-credential-provider';
const OWN_CONFIG = '/etc/kubernetes/credential-provider-config.yaml';
const FLAGS =
  '--image-credential-provider-config=/etc/kubernetes/credential-provider-config.yaml --image-credential-provider-bin-dir=/etc/kubernetes/credential-provider';

const hosts: Host[] = [];
afterEach(() => {
  for (const host of hosts.splice(0)) host.cleanup();
});

function host(options: Partial<HostOptions> & Pick<HostOptions, 'layout'>): Host {
  const h = makeHost({ glibc: '2.36', ...options });
  hosts.push(h);
  return h;
}

function run(h: Host, command: string, extra: string[] = [], kubeletVersion?: string) {
  const args = command === 'uninstall' ? h.kubeletArgs() : h.installArgs(kubeletVersion);
  return runBinary('acr-node-setup', [command, ...args, ...extra]);
}

const ECR_CONFIG = `# ECR for the images we mirror from AWS
apiVersion: kubelet.config.k8s.io/v1
kind: CredentialProviderConfig
providers:
  - name: ecr-credential-provider # keep
    matchImages:
      - "*.dkr.ecr.*.amazonaws.com"
    defaultCacheDuration: "12h"
    apiVersion: credentialprovider.kubelet.k8s.io/v1
`;

describe('install on a kubeadm node (deb: /etc/default/kubelet)', () => {
  it('installs the binary 0755, its own config 0644 and the flags, restarts once; a second install changes nothing; uninstall restores every byte', async () => {
    const h = host({ layout: 'kubeadm-deb' });
    const before = h.snapshot();

    const first = await run(h, 'install');
    expect(first.stderr).toContain('Restarting the kubelet');
    expect(first.code).toBe(0);
    expect(h.mode(BINARY)).toBe(0o755);
    expect(h.read(BINARY)).toBe(readFileSync(h.providerBinary, 'utf8'));
    expect(h.mode(OWN_CONFIG)).toBe(0o644);
    const config = parse(h.read(OWN_CONFIG));
    expect(config).toMatchObject({ apiVersion: 'kubelet.config.k8s.io/v1', kind: 'CredentialProviderConfig' });
    expect(config.providers).toEqual([
      {
        name: 'acr-credential-provider',
        matchImages: [...ACR_MATCH_IMAGES],
        defaultCacheDuration: '30m',
        apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
        args: [
          '--config',
          '/etc/kubernetes/acr/acr-configuration.yaml',
          '--cache-dir',
          '/var/lib/acr-credential-provider',
        ],
      },
    ]);
    expect(h.read('/etc/default/kubelet')).toBe(`KUBELET_EXTRA_ARGS="${FLAGS}"\n`);
    expect(h.mode('/var/lib/acr-credential-provider')).toBe(0o700);
    expect(h.restarts()).toBe(1);

    const installed = h.snapshot();
    const second = await run(h, 'install');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('nothing changed');
    expect(h.restarts()).toBe(1);
    expect(h.snapshot()).toEqual(installed);

    const removed = await run(h, 'uninstall');
    expect(removed.code).toBe(0);
    expect(h.restarts()).toBe(2);
    expect(h.snapshot()).toEqual(before);
  });

  it('rolls every change back when the kubelet does not come back healthy, restarts it again and exits 1', async () => {
    const h = host({ layout: 'kubeadm-deb' });
    const before = h.snapshot();
    h.failHealth(true);
    const result = await run(h, 'install');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/did not come back healthy/);
    expect(result.stderr).toMatch(/rolled back/);
    expect(h.restarts()).toBe(2);
    expect(h.snapshot()).toEqual(before);
  });

  it('--no-restart changes the files, says a restart is needed, and the next install restarts once', async () => {
    const h = host({ layout: 'kubeadm-deb' });
    const first = await run(h, 'install', ['--no-restart']);
    expect(first.code).toBe(0);
    expect(first.stdout + first.stderr).toMatch(/restart/i);
    expect(h.restarts()).toBe(0);
    expect(h.read('/etc/default/kubelet')).toContain(FLAGS);
    const second = await run(h, 'install');
    expect(second.code).toBe(0);
    expect(h.restarts()).toBe(1);
    const third = await run(h, 'install');
    expect(third.code).toBe(0);
    expect(h.restarts()).toBe(1);
  });
});

describe('install on other layouts', () => {
  it('kubeadm rpm without /etc/sysconfig/kubelet: creates it, uninstall removes it', async () => {
    const h = host({ layout: 'kubeadm-rpm' });
    const before = h.snapshot();
    expect((await run(h, 'install')).code).toBe(0);
    expect(h.read('/etc/sysconfig/kubelet')).toBe(`KUBELET_EXTRA_ARGS="${FLAGS}"\n`);
    expect((await run(h, 'uninstall')).code).toBe(0);
    expect(h.snapshot()).toEqual(before);
  });

  it('ACK: appends to KUBELET_CUSTOMIZED_ARGS keeping the node pool flags; uninstall restores the file byte for byte', async () => {
    const h = host({ layout: 'ack' });
    const before = h.snapshot();
    expect((await run(h, 'install')).code).toBe(0);
    expect(h.read('/etc/kubernetes/kubelet-customized-args.conf')).toBe(
      `KUBELET_CUSTOMIZED_ARGS=" --eviction-hard=imagefs.available<15%,memory.available<300Mi --system-reserved=cpu=50m,memory=1272Mi ${FLAGS}"\n`,
    );
    expect((await run(h, 'install')).stdout).toContain('nothing changed');
    expect(h.restarts()).toBe(1);
    expect((await run(h, 'uninstall')).code).toBe(0);
    expect(h.snapshot()).toEqual(before);
  });

  it("ACK's console rewriting kubelet-customized-args.conf: install adds the flags again; uninstall restores the console's version, not the old one", async () => {
    const h = host({ layout: 'ack' });
    expect((await run(h, 'install')).code).toBe(0);
    const rewritten = 'KUBELET_CUSTOMIZED_ARGS="--eviction-hard=memory.available<500Mi"\n';
    h.write('/etc/kubernetes/kubelet-customized-args.conf', rewritten);
    expect((await run(h, 'install')).code).toBe(0);
    expect(h.read('/etc/kubernetes/kubelet-customized-args.conf')).toBe(
      `KUBELET_CUSTOMIZED_ARGS="--eviction-hard=memory.available<500Mi ${FLAGS}"\n`,
    );
    expect(h.restarts()).toBe(2);
    expect((await run(h, 'uninstall')).code).toBe(0);
    expect(h.read('/etc/kubernetes/kubelet-customized-args.conf')).toBe(rewritten);
  });

  it('an operator flag added after install survives uninstall; only our flags go', async () => {
    const h = host({ layout: 'kubeadm-deb' });
    expect((await run(h, 'install')).code).toBe(0);
    h.write(
      '/etc/default/kubelet',
      h.read('/etc/default/kubelet').replace('KUBELET_EXTRA_ARGS="', 'KUBELET_EXTRA_ARGS="--max-pods=200 '),
    );
    const removed = await run(h, 'uninstall');
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain('only our flags were removed');
    expect(h.read('/etc/default/kubelet')).toBe('KUBELET_EXTRA_ARGS="--max-pods=200"\n');
  });

  it('kubelet 1.34 without a config: a config directory of our own holding our file', async () => {
    const h = host({ layout: 'kubeadm-deb' });
    expect((await run(h, 'install', [], '1.34.1')).code).toBe(0);
    expect(h.read('/etc/default/kubelet')).toContain(
      '--image-credential-provider-config=/etc/kubernetes/credential-provider-config.d ',
    );
    expect(
      parse(h.read('/etc/kubernetes/credential-provider-config.d/acr-credential-provider.yaml')).providers[0].name,
    ).toBe('acr-credential-provider');
  });

  it('refuses an unknown layout clearly and changes nothing', async () => {
    const h = host({ layout: 'unknown' });
    const before = h.snapshot();
    const result = await run(h, 'install');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Unknown kubelet layout.*KUBELET_CUSTOMIZED_ARGS.*KUBELET_EXTRA_ARGS.*add --image-credential-provider-config/s,
    );
    expect(h.snapshot()).toEqual(before);
    expect(h.restarts()).toBe(0);
  });

  it('refuses a host whose glibc is older than 2.28 and changes nothing', async () => {
    const h = host({ layout: 'kubeadm-rpm', glibc: '2.17' });
    const before = h.snapshot();
    const result = await run(h, 'install');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/glibc is 2\.17.*2\.28 or newer/);
    expect(h.snapshot()).toEqual(before);
  });
});

describe('install next to an existing credential provider', () => {
  const existing = {
    '/etc/default/kubelet':
      'KUBELET_EXTRA_ARGS="--image-credential-provider-config=/etc/kubernetes/image-credential-provider-config.yaml --image-credential-provider-bin-dir=/usr/libexec/kubernetes/kubelet-plugins/credential-provider/exec"\n',
    '/etc/kubernetes/image-credential-provider-config.yaml': ECR_CONFIG,
    '/usr/libexec/kubernetes/kubelet-plugins/credential-provider/exec/ecr-credential-provider': 'ecr',
  };

  it('merges our entry into their file, keeps theirs (and its comments), uses their bin dir, adds no flags; uninstall restores every byte', async () => {
    const h = host({ layout: 'kubeadm-deb', files: existing });
    const before = h.snapshot();
    expect((await run(h, 'install')).code).toBe(0);
    const merged = h.read('/etc/kubernetes/image-credential-provider-config.yaml');
    expect(merged).toContain('# ECR for the images we mirror from AWS');
    expect(merged).toContain('- name: ecr-credential-provider # keep');
    const providers = parse(merged).providers;
    expect(providers[0]).toEqual(parse(ECR_CONFIG).providers[0]);
    expect(providers.map((p: { name: string }) => p.name)).toEqual([
      'ecr-credential-provider',
      'acr-credential-provider',
    ]);
    expect(h.read('/etc/default/kubelet')).toBe(existing['/etc/default/kubelet']);
    expect(h.mode('/usr/libexec/kubernetes/kubelet-plugins/credential-provider/exec/acr-credential-provider')).toBe(
      0o755,
    );
    expect(h.exists(OWN_CONFIG)).toBe(false);

    const installed = h.snapshot();
    expect((await run(h, 'install')).stdout).toContain('nothing changed');
    expect(h.snapshot()).toEqual(installed);
    expect(h.restarts()).toBe(1);

    expect((await run(h, 'uninstall')).code).toBe(0);
    expect(h.snapshot()).toEqual(before);
  });

  it.each([
    [
      'is not valid YAML',
      { '/etc/kubernetes/image-credential-provider-config.yaml': 'providers: [\n' },
      /cannot be merged into: not valid YAML/,
    ],
    [
      'is not a CredentialProviderConfig',
      { '/etc/kubernetes/image-credential-provider-config.yaml': 'apiVersion: v1\nkind: ConfigMap\n' },
      /not CredentialProviderConfig/,
    ],
    [
      'is named without a bin dir',
      {
        '/etc/default/kubelet':
          'KUBELET_EXTRA_ARGS=--image-credential-provider-config=/etc/kubernetes/image-credential-provider-config.yaml\n',
      },
      /half-configured/,
    ],
  ])('refuses when their config %s, changing nothing', async (_, files, message) => {
    const h = host({ layout: 'kubeadm-deb', files: { ...existing, ...files } });
    const configmap = join(h.work, 'configmap');
    mkdirSync(configmap);
    writeFileSync(join(configmap, 'watch-namespace'), 'all');
    const before = h.snapshot();
    // The configuration is mirrored before the merge is refused: that too is taken back.
    const result = await run(h, 'install', ['--configmap-dir', configmap]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(h.snapshot()).toEqual(before);
    expect(h.restarts()).toBe(0);
  });

  it('kubelet 1.34 with a config directory: adds a file of our own to it and leaves theirs alone', async () => {
    const h = host({
      layout: 'kubeadm-deb',
      files: {
        '/etc/default/kubelet':
          'KUBELET_EXTRA_ARGS=--image-credential-provider-config=/etc/kubernetes/credential-providers.d --image-credential-provider-bin-dir=/opt/credential-providers\n',
        '/etc/kubernetes/credential-providers.d/10-ecr.yaml': ECR_CONFIG,
      },
    });
    const before = h.snapshot();
    expect((await run(h, 'install', [], '1.34.0')).code).toBe(0);
    expect(h.read('/etc/kubernetes/credential-providers.d/10-ecr.yaml')).toBe(ECR_CONFIG);
    expect(parse(h.read('/etc/kubernetes/credential-providers.d/acr-credential-provider.yaml')).providers[0].name).toBe(
      'acr-credential-provider',
    );
    expect(h.mode('/opt/credential-providers/acr-credential-provider')).toBe(0o755);
    expect((await run(h, 'uninstall')).code).toBe(0);
    expect(h.snapshot()).toEqual(before);
  });
});
