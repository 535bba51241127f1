// Facts about the host that decide whether and how we install: its glibc
// (the SEA executables are linked against glibc 2.28 symbols) and its
// kubelet's version (directory configs need 1.34, the v1 API 1.26).
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { onHost } from './host-paths.js';
import type { HostFiles, KubeletLayout } from './kubelet-layout.js';

export interface Version {
  major: number;
  minor: number;
}

export const MIN_GLIBC: Version = { major: 2, minor: 28 };
/** credentialprovider.kubelet.k8s.io/v1 and kubelet.config.k8s.io/v1 CredentialProviderConfig are GA in 1.26. */
export const MIN_KUBELET: Version = { major: 1, minor: 26 };
/** --image-credential-provider-config may name a directory from 1.34 on. */
export const KUBELET_CONFIG_DIRECTORY: Version = { major: 1, minor: 34 };

/** ServiceAccount-token mode for credential providers: alpha (off) in 1.33, beta (on) from 1.34. */
export const TOKEN_MODE_GATE = 'KubeletServiceAccountTokenForCredentialProviders';
export const TOKEN_MODE_ALPHA: Version = { major: 1, minor: 33 };
export const TOKEN_MODE_BETA: Version = { major: 1, minor: 34 };

/**
 * The kubelet's feature gates as it resolves them: its KubeletConfiguration
 * file, then each `--config-dir` drop-in in order, then `--feature-gates`
 * (flags win, as in the kubelet).
 */
export function kubeletFeatureGates(flag: string | undefined, configTexts: readonly string[]): Map<string, boolean> {
  const gates = new Map<string, boolean>();
  for (const text of configTexts) {
    const fromFile: unknown = parseDocument(text).toJS();
    const map = (fromFile as { featureGates?: unknown } | null)?.featureGates;
    if (typeof map === 'object' && map !== null) {
      for (const [name, value] of Object.entries(map)) if (typeof value === 'boolean') gates.set(name, value);
    }
  }
  for (const item of (flag ?? '').split(',')) {
    const [name, value] = item.split('=').map((part) => part.trim());
    if (name && (value === 'true' || value === 'false')) gates.set(name, value === 'true');
  }
  return gates;
}

/** The gates of the kubelet a layout runs: its config file, then its drop-ins (*.conf, in lexical order), then its flag. */
export function layoutFeatureGates(
  files: HostFiles,
  layout: Pick<KubeletLayout, 'featureGates' | 'kubeletConfigFile' | 'kubeletConfigDir'>,
): Map<string, boolean> {
  const dir = layout.kubeletConfigDir;
  const dropIns =
    dir === undefined
      ? []
      : files
          .list(dir)
          .filter((name) => name.endsWith('.conf'))
          .sort();
  const texts = [layout.kubeletConfigFile, ...dropIns.map((name) => `${dir}/${name}`)].flatMap((path) => {
    const text = path === undefined ? undefined : files.read(path);
    return text === undefined ? [] : [text];
  });
  return kubeletFeatureGates(layout.featureGates, texts);
}

/** Whether this kubelet takes a provider entry with tokenAttributes; it refuses the whole config otherwise. */
export function tokenModeSupport(
  version: Version,
  gates: ReadonlyMap<string, boolean>,
): { ok: true } | { ok: false; reason: string } {
  const gate = gates.get(TOKEN_MODE_GATE);
  if (!atLeast(version, TOKEN_MODE_ALPHA))
    return {
      ok: false,
      reason: `the kubelet is ${formatVersion(version)}; ServiceAccount-token mode needs ${formatVersion(TOKEN_MODE_ALPHA)} or newer`,
    };
  if (!atLeast(version, TOKEN_MODE_BETA) && gate !== true)
    return {
      ok: false,
      reason: `the kubelet is ${formatVersion(version)}, where ${TOKEN_MODE_GATE} is alpha and off; turn it on (--feature-gates=${TOKEN_MODE_GATE}=true) or upgrade to ${formatVersion(TOKEN_MODE_BETA)}`,
    };
  if (gate === false) return { ok: false, reason: `the kubelet runs with ${TOKEN_MODE_GATE}=false` };
  return { ok: true };
}

export function atLeast(version: Version, minimum: Version): boolean {
  return version.major > minimum.major || (version.major === minimum.major && version.minor >= minimum.minor);
}

export function formatVersion(version: Version): string {
  return `${version.major}.${version.minor}`;
}

// Where distributions keep libc.so.6 (Debian/Ubuntu multiarch, RHEL/Alibaba Cloud Linux lib64).
const LIBC_PATHS = [
  '/lib/x86_64-linux-gnu/libc.so.6',
  '/usr/lib/x86_64-linux-gnu/libc.so.6',
  '/lib/aarch64-linux-gnu/libc.so.6',
  '/usr/lib/aarch64-linux-gnu/libc.so.6',
  '/lib64/libc.so.6',
  '/usr/lib64/libc.so.6',
  '/lib/libc.so.6',
  '/usr/lib/libc.so.6',
];

/**
 * The glibc version in a libc.so.6: its banner ("GNU C Library … version 2.36.")
 * names it; failing that, the newest GLIBC_x.y symbol version it defines.
 */
export function glibcVersionIn(bytes: Buffer): Version | undefined {
  const text = bytes.toString('latin1');
  const banner = /GNU C Library[^\n\0]*?version (\d+)\.(\d+)/.exec(text);
  if (banner) return { major: Number(banner[1]), minor: Number(banner[2]) };
  let newest: Version | undefined;
  for (const m of text.matchAll(/GLIBC_(\d+)\.(\d+)/g)) {
    const v = { major: Number(m[1]), minor: Number(m[2]) };
    if (!newest || atLeast(v, newest)) newest = v;
  }
  return newest;
}

export type HostGlibc = { ok: true; version: Version; path: string } | { ok: false; message: string };

export function hostGlibc(hostRoot: string): HostGlibc {
  for (const path of LIBC_PATHS) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(onHost(hostRoot, path));
    } catch {
      continue;
    }
    const version = glibcVersionIn(bytes);
    if (version) return { ok: true, version, path };
  }
  return {
    ok: false,
    message: `No glibc found on the host (looked for ${LIBC_PATHS.join(', ')}): acr-credential-provider needs glibc ${formatVersion(MIN_GLIBC)} or newer and cannot run on this node.`,
  };
}

/** Refusal message when the host's glibc is too old for our executables, undefined when it is fine. */
export function glibcRefusal(glibc: HostGlibc): string | undefined {
  if (!glibc.ok) return glibc.message;
  if (atLeast(glibc.version, MIN_GLIBC)) return undefined;
  return `The host's glibc is ${formatVersion(glibc.version)} (${glibc.path}); acr-credential-provider needs glibc ${formatVersion(MIN_GLIBC)} or newer. Nothing was changed. Upgrade the node's OS image (e.g. Alibaba Cloud Linux 3, Ubuntu 20.04+, Debian 10+, RHEL 8+).`;
}

/** `Kubernetes v1.34.1`, `v1.31.2-aliyun.1`, `1.30` → {1, 34}. */
export function parseKubeletVersion(text: string): Version | undefined {
  const m = /(?:^|\s|v)(\d+)\.(\d+)(?:\.\d+)?/.exec(text.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}
