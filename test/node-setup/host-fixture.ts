// Temporary host roots laid out like real nodes, plus the scripts that stand
// in for the kubelet's restart and health commands (they count restarts in a
// file), and a byte-level snapshot to prove uninstall restores everything.
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { InstallOptions } from '../../node-setup/install.js';

export type NodeLayout = 'kubeadm-deb' | 'kubeadm-rpm' | 'ack' | 'unknown';

export interface HostOptions {
  layout: NodeLayout;
  /** glibc release in the host's libc.so.6; undefined = none at all. */
  glibc?: string | undefined;
  /** Where the libc lives: Debian's multiarch directory of this architecture (default amd64). */
  arch?: 'amd64' | 'arm64';
  /** Extra host files (path → content). */
  files?: Record<string, string>;
}

export interface Host {
  root: string;
  /** Outside the root: scripts, the fake provider binary, mounted ConfigMap/Secret dirs. */
  work: string;
  providerBinary: string;
  restarts(): number;
  /** Makes the health command fail (true) or pass (false). */
  failHealth(fail: boolean): void;
  read(path: string): string;
  mode(path: string): number;
  exists(path: string): boolean;
  write(path: string, content: string, mode?: number): void;
  /** Every entry under the root: type, mode and bytes. */
  snapshot(): Map<string, string>;
  /** Flags that point every command at this host and its fake kubelet. */
  kubeletArgs(): string[];
  /** kubeletArgs plus the provider binary and the kubelet's version, for install and mirror. */
  installArgs(kubeletVersion?: string): string[];
  cleanup(): void;
}

export const KUBEADM_DROP_IN = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort.
EnvironmentFile=-${'${ENVFILE}'}
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

const KUBELET_SERVICE = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

export const ACK_DROP_IN = `[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
Environment="KUBELET_SYSTEM_PODS_ARGS=--max-pods 64 --pod-manifest-path=/etc/kubernetes/manifests"
Environment="KUBELET_NETWORK_ARGS=--network-plugin=cni --cni-conf-dir=/etc/cni/net.d --cni-bin-dir=/opt/cni/bin"
EnvironmentFile=-/etc/kubernetes/kubelet-customized-args.conf
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_SYSTEM_PODS_ARGS $KUBELET_NETWORK_ARGS $KUBELET_CUSTOMIZED_ARGS
`;

export const ACK_CUSTOMIZED_ARGS =
  'KUBELET_CUSTOMIZED_ARGS=" --eviction-hard=imagefs.available<15%,memory.available<300Mi --system-reserved=cpu=50m,memory=1272Mi "\n';

function layoutFiles(layout: NodeLayout): Record<string, string> {
  const common = {
    '/usr/lib/systemd/system/kubelet.service': KUBELET_SERVICE,
    '/var/lib/kubelet/kubeadm-flags.env':
      'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"\n',
    '/var/lib/kubelet/config.yaml': 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n',
  };
  switch (layout) {
    case 'kubeadm-deb':
      return {
        ...common,
        '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': KUBEADM_DROP_IN.replace(
          '${ENVFILE}',
          '/etc/default/kubelet',
        ),
        '/etc/default/kubelet': 'KUBELET_EXTRA_ARGS=\n',
      };
    case 'kubeadm-rpm':
      // rpm nodes often have no /etc/sysconfig/kubelet until someone needs it.
      return {
        ...common,
        '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': KUBEADM_DROP_IN.replace(
          '${ENVFILE}',
          '/etc/sysconfig/kubelet',
        ),
      };
    case 'ack':
      return {
        ...common,
        '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf': ACK_DROP_IN,
        '/etc/kubernetes/kubelet-customized-args.conf': ACK_CUSTOMIZED_ARGS,
      };
    case 'unknown':
      // A kubelet started with its flags inline: nowhere known to add ours.
      return {
        '/etc/systemd/system/kubelet.service': KUBELET_SERVICE.replace(
          'ExecStart=/usr/bin/kubelet',
          'ExecStart=/usr/local/bin/kubelet --config=/var/lib/kubelet/config.yaml',
        ),
      };
  }
}

export function libcBytes(release: string): string {
  return `\x7fELF\0\0GLIBC_2.2.5\0GLIBC_2.17\0GNU C Library (GNU libc) stable release version ${release}.\nCopyright (C) Free Software Foundation, Inc.\n\0`;
}

export function makeHost(options: HostOptions): Host {
  const work = mkdtempSync(join(tmpdir(), 'acr-node-setup-'));
  const root = join(work, 'host');
  const write = (path: string, content: string, mode = 0o644): void => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    chmodSync(full, mode);
  };
  mkdirSync(root);
  for (const [path, content] of Object.entries(layoutFiles(options.layout))) write(path, content);
  const multiarch = options.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  if (options.glibc !== undefined) write(`/lib/${multiarch}/libc.so.6`, libcBytes(options.glibc), 0o755);
  for (const [path, content] of Object.entries(options.files ?? {})) write(path, content);

  const script = (name: string, body: string): string => {
    const path = join(work, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const restart = script('restart-kubelet', `echo restart >> '${join(work, 'restarts')}'`);
  const health = script('kubelet-health', `test ! -e '${join(work, 'unhealthy')}'`);
  // Answers match-images as the provider does for a configuration whose instances have no custom domains.
  const providerBinary = script(
    'acr-credential-provider',
    `if [ "$1" = match-images ]; then echo '{"matchImages":[],"customDomains":[],"failures":[]}'; else echo "fake provider"; fi`,
  );

  return {
    root,
    work,
    providerBinary,
    restarts: () => {
      try {
        return readFileSync(join(work, 'restarts'), 'utf8').split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    },
    failHealth: (fail) =>
      fail ? writeFileSync(join(work, 'unhealthy'), '') : rmSync(join(work, 'unhealthy'), { force: true }),
    read: (path) => readFileSync(join(root, path), 'utf8'),
    mode: (path) => lstatSync(join(root, path)).mode & 0o7777,
    exists: (path) => {
      try {
        lstatSync(join(root, path));
        return true;
      } catch {
        return false;
      }
    },
    write,
    snapshot: () => {
      const entries = new Map<string, string>();
      const walk = (dir: string): void => {
        for (const name of readdirSync(dir).sort()) {
          const full = join(dir, name);
          const st = lstatSync(full);
          const rel = full.slice(root.length);
          const mode = (st.mode & 0o7777).toString(8);
          if (st.isDirectory()) {
            entries.set(rel, `dir ${mode}`);
            walk(full);
          } else if (st.isSymbolicLink()) entries.set(rel, `link ${readlinkSync(full)}`);
          else entries.set(rel, `file ${mode} ${readFileSync(full).toString('base64')}`);
        }
      };
      walk(root);
      return entries;
    },
    kubeletArgs: () => [
      '--host-root',
      root,
      '--restart-command',
      restart,
      '--health-command',
      health,
      '--healthz-url',
      '',
      '--health-timeout',
      '1',
      '--health-interval',
      '0.02',
    ],
    installArgs(kubeletVersion = '1.31.2') {
      return [...this.kubeletArgs(), '--provider-binary', providerBinary, '--kubelet-version', kubeletVersion];
    },
    cleanup: () => rmSync(work, { recursive: true, force: true }),
  };
}

/**
 * An ACK host watched in-process (`mirror --watch` with a mounted ConfigMap
 * directory): the install options, the ConfigMap to change, and the log.
 */
export function watchedHost(extra: Partial<InstallOptions> = {}) {
  const h = makeHost({ layout: 'ack', glibc: '2.32' });
  const configmap = join(h.work, 'configmap');
  mkdirSync(configmap);
  const setData = (data: Record<string, string>) => {
    rmSync(configmap, { recursive: true, force: true });
    mkdirSync(configmap);
    for (const [k, v] of Object.entries(data)) writeFileSync(join(configmap, k), v);
  };
  const logs: string[] = [];
  const args = h.installArgs();
  const arg = (name: string) => args[args.indexOf(name) + 1]!;
  const options: InstallOptions & { mirror: NonNullable<InstallOptions['mirror']> } = {
    hostRoot: h.root,
    providerBinary: h.providerBinary,
    kubeletVersion: { major: 1, minor: 32 },
    versionCommand: 'false',
    mirror: { configmapDir: configmap, secretsDir: undefined, rrsaTokenFile: undefined },
    restart: true,
    kubelet: {
      restartCommand: arg('--restart-command'),
      health: { command: arg('--health-command'), healthzUrl: '', timeoutMs: 500, intervalMs: 10 },
    },
    log: (line) => logs.push(line),
    ...extra,
  };
  return { h, options, setData, logs, readyFile: join(h.work, 'ready') };
}
