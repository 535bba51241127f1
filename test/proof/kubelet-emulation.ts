// What the kubelet does around a pull, on a node-setup host root: read its
// flags and the CredentialProviderConfig they name, pick the provider by
// matchImages, run it with the config's args and env (host paths mapped under
// the root), and keep the auth entries whose key matches the image. Shared by
// the proof test and `npm start`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { kubeletImageMatches } from '../../provider/registry/image-match.js';
import type { Host } from '../node-setup/host-fixture.js';
import { runProcess, type RunResult } from '../support/binaries.js';
import type { Login } from './oci-registry.js';

export interface ProviderEntry {
  name: string;
  matchImages: string[];
  apiVersion: string;
  args?: string[];
  env?: { name: string; value: string }[];
  /** ServiceAccount-token mode: the kubelet adds the pod's token and these annotations of its ServiceAccount. */
  tokenAttributes?: { serviceAccountTokenAudience: string; optionalServiceAccountAnnotationKeys?: string[] };
}

/** The pod a pull is for, as token mode sees it: its ServiceAccount's token for the entry's audience and annotations. */
export interface PodPull {
  token: (audience: string) => string;
  annotations: Record<string, string>;
}

export interface KubeletSetup {
  flags: string;
  configPath: string;
  binDir: string;
  providers: ProviderEntry[];
}

/** The kubelet's credential provider flags and the config they name (a file, or since 1.34 a directory read in lexical order). */
export function kubeletSetup(host: Pick<Host, 'read' | 'root'>): KubeletSetup {
  const flags = host.read('/etc/default/kubelet');
  const flag = (name: string) => {
    const value = new RegExp(`--${name}=([^\\s"]+)`).exec(flags)?.[1];
    if (value === undefined) throw new Error(`the kubelet flags name no --${name}: ${flags}`);
    return value;
  };
  const configPath = flag('image-credential-provider-config');
  const binDir = flag('image-credential-provider-bin-dir');
  return {
    flags,
    configPath,
    binDir,
    providers: configFiles(host, configPath).flatMap(
      (file) => (parse(host.read(file)) as { providers: ProviderEntry[] }).providers,
    ),
  };
}

function configFiles(host: Pick<Host, 'root'>, configPath: string): string[] {
  if (!statSync(join(host.root, configPath)).isDirectory()) return [configPath];
  return readdirSync(join(host.root, configPath))
    .filter((name) => /\.(json|ya?ml)$/.test(name))
    .sort()
    .map((name) => `${configPath}/${name}`);
}

/** Every provider one of whose matchImages matches the image, in the config's order: the kubelet runs them all. */
export function providersFor(setup: KubeletSetup, image: string): ProviderEntry[] {
  return setup.providers.filter((p) => p.matchImages.some((pattern) => kubeletImageMatches(pattern, image)));
}

/** The first of them. */
export function providerFor(setup: KubeletSetup, image: string): ProviderEntry | undefined {
  return providersFor(setup, image)[0];
}

/** Runs `provider` as the kubelet would, with the request on stdin; wall time in ms. */
export async function askProvider(
  host: Pick<Host, 'root'>,
  setup: KubeletSetup,
  provider: ProviderEntry,
  image: string,
  env: Record<string, string>,
  pod?: PodPull,
): Promise<RunResult & { ms: number }> {
  const attributes = provider.tokenAttributes;
  const tokenMode =
    attributes && pod
      ? {
          serviceAccountToken: pod.token(attributes.serviceAccountTokenAudience),
          serviceAccountAnnotations: Object.fromEntries(
            Object.entries(pod.annotations).filter(([key]) =>
              (attributes.optionalServiceAccountAnnotationKeys ?? []).includes(key),
            ),
          ),
        }
      : {};
  // The host's paths live under the temporary root here.
  const onHost = (value: string) => value.replace(/(^|=)\//, `$1${host.root}/`);
  const started = process.hrtime.bigint();
  const result = await runProcess(join(host.root, setup.binDir, provider.name), (provider.args ?? []).map(onHost), {
    env: { ...env, ...Object.fromEntries((provider.env ?? []).map((e) => [e.name, onHost(e.value)])) },
    stdin: JSON.stringify({ apiVersion: provider.apiVersion, kind: 'CredentialProviderRequest', image, ...tokenMode }),
  });
  return { ...result, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** The kubelet keeps the auth entries whose key matches the image, by the same rules. */
export function authFor(auth: Record<string, Login>, image: string): [string, Login][] {
  return Object.entries(auth).filter(([key]) => kubeletImageMatches(key, image));
}
