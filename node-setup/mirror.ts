// Keeps the host's copy of the configuration equal to the ConfigMap mounted in
// the pod: the configuration file the provider reads, the Secret keys it
// references, and the RRSA token. Only a configuration that validates (with
// every Secret key it references present) is written: otherwise the last
// valid one stays in force and the problems are reported.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfigurationData, parseConfigurationFile } from '../provider/configuration/parse-configuration.js';
import { CONFIGURATION_SECRETS_NAME, type AcrConfiguration } from '../provider/configuration/model.js';
import { formatProblem, type Problem } from '../provider/common/problem.js';
import type { HostTransaction } from './host-journal.js';
import { ACR_RRSA_TOKEN_FILE, ACR_SECRETS_DIR } from './host-paths.js';
import { ACR_DIR, DEFAULT_CONFIG_PATH } from '../provider/common/paths.js';

export interface MirrorSources {
  /** The ConfigMap acr-configuration mounted as a directory of key files. */
  configmapDir: string;
  /** The Secret acr-configuration-secrets mounted (optional) as a directory. */
  secretsDir: string | undefined;
  /** The DaemonSet's projected ServiceAccount token for RRSA. */
  rrsaTokenFile: string | undefined;
}

export type MirrorResult =
  { ok: true; config: AcrConfiguration; warnings: Problem[] } | { ok: false; problems: Problem[] };

/** A mounted ConfigMap or Secret: one file per key; `..data` and the other dot entries are the kubelet's bookkeeping. */
export function readMountedData(dir: string): Record<string, string> | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const data: Record<string, string> = {};
  for (const name of names.filter((n) => !n.startsWith('.')).sort()) {
    const path = join(dir, name);
    // A key's symlink can dangle for a moment while the kubelet swaps ..data.
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isFile()) data[name] = readFileSync(path, 'utf8');
  }
  return data;
}

/** The mirrored file: the ConfigMap's data as a YAML map, keys in order, so equal data gives equal bytes. */
export function renderMirroredConfiguration(data: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => a.localeCompare(b)));
  return `# Mirrored from ConfigMap kube-system/acr-configuration by acr-node-setup; edit the ConfigMap, not this file.\n${Object.keys(sorted).length === 0 ? '{}\n' : stringify(sorted)}`;
}

/** Secret keys the configuration references (customAccessKeySecretRef). */
export function referencedSecretKeys(config: AcrConfiguration): string[] {
  const keys = config.registries.flatMap((r) =>
    r.credentials.kind === 'access-key' && r.credentials.secret.kind === 'secret-ref' ? [r.credentials.secret.key] : [],
  );
  return [...new Set(keys)].sort();
}

function problem(code: string, message: string, fix: string): Problem {
  return { severity: 'error', code, message, fix };
}

export function mirrorConfiguration(tx: HostTransaction, sources: MirrorSources): MirrorResult {
  const data = readMountedData(sources.configmapDir);
  if (data === undefined) {
    return {
      ok: false,
      problems: [
        problem(
          'configmap-not-mounted',
          `${sources.configmapDir} does not exist.`,
          'Mount ConfigMap kube-system/acr-configuration there (optional: true), or pass the right --configmap-dir.',
        ),
      ],
    };
  }
  const parsed = parseConfigurationData(data);
  if (!parsed.ok) return parsed;

  const secretData = sources.secretsDir ? (readMountedData(sources.secretsDir) ?? {}) : {};
  const keys = referencedSecretKeys(parsed.config);
  const missing = keys.filter((key) => secretData[key] === undefined);
  const problems = missing.map((key) =>
    problem(
      'missing-secret-key',
      `customAccessKeySecretRef \`${key}\` names a key that Secret kube-system/${CONFIGURATION_SECRETS_NAME} does not have.`,
      `Add it: \`kubectl acr configure --access-key-id <id> --access-key-secret-stdin\`, or create key \`${key}\` in Secret kube-system/${CONFIGURATION_SECRETS_NAME}.`,
    ),
  );
  const token = parsed.config.rrsaEnabled ? readToken(sources.rrsaTokenFile) : undefined;
  if (parsed.config.rrsaEnabled && token === undefined) {
    problems.push(
      problem(
        'missing-rrsa-token',
        `rrsa is enabled but there is no projected ServiceAccount token at ${sources.rrsaTokenFile ?? '(no --rrsa-token-file)'}.`,
        'Deploy the DaemonSet from `kubectl acr install` (it projects a token with audience sts.aliyuncs.com), or pass --rrsa-token-file.',
      ),
    );
  }
  if (problems.length > 0) return { ok: false, problems };

  tx.ensureDirectory(ACR_DIR, 0o700);
  // May hold an inline customAccessKeySecret (reported as a risk by the parser): owner-only.
  tx.writeFile(DEFAULT_CONFIG_PATH, renderMirroredConfiguration(data), 0o600, 'mirror');
  tx.ensureDirectory(ACR_SECRETS_DIR, 0o700);
  for (const key of keys) tx.writeFile(`${ACR_SECRETS_DIR}/${key}`, secretData[key]!, 0o600, 'mirror');
  for (const stale of tx.list(ACR_SECRETS_DIR).filter((name) => !keys.includes(name)))
    tx.removeFile(`${ACR_SECRETS_DIR}/${stale}`, 'mirror');
  if (token !== undefined) {
    tx.ensureDirectory(ACR_RRSA_TOKEN_FILE.slice(0, ACR_RRSA_TOKEN_FILE.lastIndexOf('/')), 0o700);
    tx.writeFile(ACR_RRSA_TOKEN_FILE, token, 0o600, 'mirror');
  } else {
    tx.removeFile(ACR_RRSA_TOKEN_FILE, 'mirror');
  }
  return { ok: true, config: parsed.config, warnings: parsed.problems };
}

function readToken(path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** The configuration already mirrored on the host (undefined when there is none or it is invalid). */
function hostConfiguration(tx: HostTransaction): AcrConfiguration | undefined {
  const text = tx.current(DEFAULT_CONFIG_PATH)?.toString('utf8');
  if (text === undefined) return undefined;
  const parsed = parseConfigurationFile(text);
  return parsed.ok ? parsed.config : undefined;
}

/**
 * The configuration install works from: the mounted one once mirrored, else
 * (no sources, or an invalid ConfigMap, reported) the last valid one on the host.
 */
export function configurationInForce(
  tx: HostTransaction,
  sources: MirrorSources | undefined,
  log: (line: string) => void,
): { configuration: AcrConfiguration | undefined; mirrored: boolean | undefined; warnings: Problem[] } {
  if (!sources) return { configuration: hostConfiguration(tx), mirrored: undefined, warnings: [] };
  const mirror = mirrorConfiguration(tx, sources);
  if (mirror.ok) return { configuration: mirror.config, mirrored: true, warnings: mirror.warnings };
  for (const p of mirror.problems) log(formatProblem(p, 'acr-configuration'));
  log(
    'The configuration was not mirrored; the provider keeps the last valid one. Installing with the custom domains of that one.',
  );
  return { configuration: hostConfiguration(tx), mirrored: false, warnings: [] };
}
