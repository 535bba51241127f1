// `install`: puts the provider binary, its CredentialProviderConfig entry and
// the kubelet flags in place, restarts the kubelet only when what it reads at
// start changed, and rolls every change of this run back when the kubelet
// does not come back healthy.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { matchImagesFor } from '../provider/registry/image-match.js';
import type { Problem } from '../provider/common/problem.js';
import {
  mergeProviders,
  OUR_PROVIDER_NAMES,
  ourProviders,
  providerEntries,
  providerNames,
  removeProviders,
  renderOwnConfig,
} from './credential-provider-config.js';
import { appendWords, removeWords, variableValue, words } from './environment-file.js';
import { runCommand, waitHealthy, type HealthOptions } from './host-commands.js';
import {
  atLeast,
  formatVersion,
  glibcRefusal,
  hostGlibc,
  KUBELET_CONFIG_DIRECTORY,
  layoutFeatureGates,
  MIN_KUBELET,
  parseKubeletVersion,
  tokenModeSupport,
  type Version,
} from './host-checks.js';
import { HostTransaction, readJournal } from './host-journal.js';
import {
  DEFAULT_BIN_DIR,
  OWN_PROVIDER_CONFIG_DIR,
  OWN_PROVIDER_CONFIG_FILE,
  onHost,
  PROVIDER_CONFIG_FILE_IN_DIR,
} from './host-paths.js';
import { POD_IDENTITY_PROVIDER_NAME, PROVIDER_NAME } from '../provider/common/executable-names.js';
import { DEFAULT_CACHE_DIR, DEFAULT_CONFIG_PATH } from '../provider/common/paths.js';
import { BIN_DIR_FLAG, CONFIG_FLAG, detectLayout, type HostFiles, type KubeletLayout } from './kubelet-layout.js';
import { configurationInForce, type MirrorSources } from './mirror.js';
import { domainsInForce, type Discover } from './domain-discovery.js';
import { DEFAULT_POD_IDENTITY } from '../provider/configuration/settings.js';
import { failedWith, succeeded, type Result } from '../provider/common/result.js';

export interface KubeletControl {
  restartCommand: string;
  health: HealthOptions;
}

export interface InstallOptions {
  hostRoot: string;
  /** The provider executable to install (in the pod). */
  providerBinary: string;
  /** Given by --kubelet-version, else asked with versionCommand. */
  kubeletVersion: Version | undefined;
  versionCommand: string;
  /** Mirror the configuration first (the DaemonSet does); undefined = use what is on the host. */
  mirror: MirrorSources | undefined;
  /** false = --no-restart. */
  restart: boolean;
  kubelet: KubeletControl;
  /** Only find out what would change. */
  dryRun?: boolean;
  /** Looks up the custom domains of instances without `domains` (the provider's `match-images`); undefined = listed domains only. */
  discover?: Discover;
  now?: () => number;
  log: (line: string) => void;
}

export type InstallResult =
  /** mirrored: false when the configuration was invalid and the last valid one was kept. */
  | {
      ok: true;
      changed: string[];
      restarted: boolean;
      restartPending: boolean;
      mirrored: boolean | undefined;
      warnings: Problem[];
      /** Why the custom domains could not be looked up (the last known ones were used). */
      discoveryFailure?: string;
    }
  | { ok: false; exitCode: 1 | 2; message: string };

export function hostFiles(hostRoot: string): HostFiles {
  return {
    read(path) {
      try {
        return readFileSync(onHost(hostRoot, path), 'utf8');
      } catch {
        return undefined;
      }
    },
    list(dir) {
      try {
        return readdirSync(onHost(hostRoot, dir));
      } catch {
        return [];
      }
    },
  };
}

function fail(message: string, exitCode: 1 | 2 = 1): InstallResult {
  return { ok: false, exitCode, message };
}

function isDirectory(path: string): boolean | undefined {
  try {
    return statSync(path).isDirectory();
  } catch {
    return undefined;
  }
}

/** Where our provider entry goes and which flags (if any) we add. */
type ConfigTarget = { kind: 'own-file'; path: string; flags: string[] } | { kind: 'merge'; path: string; flags: [] };

function configTarget(hostRoot: string, layout: KubeletLayout, version: Version, binDir: string): Result<ConfigTarget> {
  const existing = layout.existing.config;
  if (existing === undefined) {
    const directory = atLeast(version, KUBELET_CONFIG_DIRECTORY);
    const configPath = directory ? OWN_PROVIDER_CONFIG_DIR : OWN_PROVIDER_CONFIG_FILE;
    return succeeded({
      kind: 'own-file',
      path: directory ? `${OWN_PROVIDER_CONFIG_DIR}/${PROVIDER_CONFIG_FILE_IN_DIR}` : OWN_PROVIDER_CONFIG_FILE,
      flags: [`${CONFIG_FLAG}=${configPath}`, `${BIN_DIR_FLAG}=${binDir}`],
    });
  }
  const dir = isDirectory(onHost(hostRoot, existing));
  if (dir === true) {
    const files = hostFiles(hostRoot);
    const clash = files
      .list(existing)
      .filter((name) => name !== PROVIDER_CONFIG_FILE_IN_DIR && /\.(ya?ml|json)$/.test(name))
      .find((name) =>
        providerNames(files.read(`${existing}/${name}`) ?? '').some((n) =>
          (OUR_PROVIDER_NAMES as readonly string[]).includes(n),
        ),
      );
    if (clash) {
      return failedWith(
        `${existing}/${clash} already declares a provider named ${OUR_PROVIDER_NAMES.join(' or ')}; the kubelet refuses duplicate names. Remove that entry, then run install again.`,
      );
    }
    return succeeded({ kind: 'own-file', path: `${existing}/${PROVIDER_CONFIG_FILE_IN_DIR}`, flags: [] });
  }
  if (dir === false) return succeeded({ kind: 'merge', path: existing, flags: [] });
  return succeeded({ kind: 'own-file', path: existing, flags: [] });
}

async function kubeletVersion(options: InstallOptions): Promise<Result<Version>> {
  if (options.kubeletVersion) return succeeded(options.kubeletVersion);
  const result = await runCommand(options.versionCommand, 30_000);
  const version = result.code === 0 ? parseKubeletVersion(result.output) : undefined;
  if (version) return succeeded(version);
  const said =
    result.code === 0 ? `printed ${JSON.stringify(result.output)}` : `exited ${result.code}: ${result.output}`;
  return failedWith(
    `Cannot tell the kubelet's version: \`${options.versionCommand}\` ${said}. Pass --kubelet-version.`,
  );
}

// Reading a 100 MB executable on every poll of `mirror --watch` would be
// wasteful: once a host copy is known equal, it stays so while its stat does.
const knownEqual = new Set<string>();

function binaryUpToDate(source: string, target: string): boolean {
  try {
    const st = statSync(target);
    const key = `${source}\0${target}\0${st.size}\0${st.mtimeMs}\0${st.ino}\0${st.mode}`;
    if (knownEqual.has(key)) return true;
    if (
      (st.mode & 0o7777) !== 0o755 ||
      st.size !== statSync(source).size ||
      !readFileSync(source).equals(readFileSync(target))
    )
      return false;
    knownEqual.add(key);
    return true;
  } catch {
    return false;
  }
}

export async function install(options: InstallOptions): Promise<InstallResult> {
  const { hostRoot, log } = options;
  const glibc = glibcRefusal(hostGlibc(hostRoot));
  if (glibc) return fail(glibc);

  const journal = readJournal(hostRoot);
  const detection = detectLayout(hostFiles(hostRoot), journal?.flags?.words ?? []);
  if (!detection.ok) return fail(detection.message);
  const layout = detection.layout;
  const { config: existingConfig, binDir: existingBinDir } = layout.existing;
  if ((existingConfig === undefined) !== (existingBinDir === undefined)) {
    return fail(
      `The kubelet has ${existingConfig ? CONFIG_FLAG : BIN_DIR_FLAG} but not ${existingConfig ? BIN_DIR_FLAG : CONFIG_FLAG}: a half-configured credential provider setup. Fix the kubelet flags (${layout.unitFiles.join(', ')}), then run install again.`,
    );
  }
  const versionFound = await kubeletVersion(options);
  if (!versionFound.ok) return fail(versionFound.error);
  const version = versionFound.value;
  if (!atLeast(version, MIN_KUBELET))
    return fail(
      `The kubelet is ${formatVersion(version)}; credential provider config v1 needs ${formatVersion(MIN_KUBELET)} or newer. Nothing was changed.`,
    );

  const binDir = existingBinDir ?? DEFAULT_BIN_DIR;
  const targetFound = configTarget(hostRoot, layout, version, binDir);
  if (!targetFound.ok) return fail(targetFound.error);
  const target = targetFound.value;

  const tx = new HostTransaction(hostRoot, { dryRun: options.dryRun ?? false });
  const { configuration, mirrored, warnings } = configurationInForce(tx, options.mirror, log);
  const files = hostFiles(hostRoot);
  const gates = layoutFeatureGates(files, layout);
  const domains = await domainsInForce(hostRoot, configuration, tx.current(DEFAULT_CONFIG_PATH)?.toString('utf8'), {
    discover: options.discover,
    now: (options.now ?? Date.now)(),
    dryRun: options.dryRun ?? false,
    log,
  });
  const plan = providerEntries(
    matchImagesFor(domains.customDomains),
    configuration?.podIdentity ?? DEFAULT_POD_IDENTITY,
    tokenModeSupport(version, gates),
  );
  if (plan.podIdentityUnavailable) {
    log(
      `pod-identity is enabled in acr-configuration, but ${plan.podIdentityUnavailable}: pods on this node pull with the node's identity.`,
    );
  }
  const current = tx.current(target.path)?.toString('utf8');
  let config: { text: string; mode: number; role: 'provider-config' | 'provider-config-merged' } | undefined;
  if (target.kind === 'own-file') {
    config = { text: renderOwnConfig(plan.entries), mode: 0o644, role: 'provider-config' };
  } else if (!isDeepStrictEqual(ourProviders(current ?? ''), plan.entries)) {
    const merged = mergeProviders(current ?? '', plan.entries);
    if (!merged.ok) {
      tx.rollback();
      return fail(
        `The kubelet's credential provider config ${target.path} (${CONFIG_FLAG}) cannot be merged into: ${merged.message}. Nothing was changed.`,
      );
    }
    const theirs = removeProviders(current ?? '');
    if (theirs.ok) tx.rebaseOriginal(target.path, theirs.text);
    config = {
      text: merged.text,
      mode: statSync(onHost(hostRoot, target.path)).mode & 0o7777,
      role: 'provider-config-merged',
    };
  }

  // The binary before the config that names it: a kubelet restarted by someone else in between must find it.
  const binaryPath = `${binDir}/${PROVIDER_NAME}`;
  tx.ensureDirectory(binDir, 0o755);
  if (!binaryUpToDate(options.providerBinary, onHost(hostRoot, binaryPath))) {
    tx.writeFile(binaryPath, readFileSync(options.providerBinary), 0o755, 'binary');
  }
  // Always there, so turning pod identity on or off changes only the kubelet's config.
  tx.linkFile(`${binDir}/${POD_IDENTITY_PROVIDER_NAME}`, PROVIDER_NAME, 'binary');
  tx.ensureDirectory(DEFAULT_CACHE_DIR, 0o700);
  let kubeletInputsChanged = config !== undefined && tx.writeFile(target.path, config.text, config.mode, config.role);
  kubeletInputsChanged = wireFlags(tx, layout, target.flags) || kubeletInputsChanged;

  const changed = tx.changed.map((c) => c.path);
  const done = (restarted: boolean, restartPending: boolean): InstallResult => ({
    ok: true,
    changed,
    restarted,
    restartPending,
    mirrored,
    warnings,
    ...(domains.failure ? { discoveryFailure: domains.failure } : {}),
  });
  if (options.dryRun) return done(false, kubeletInputsChanged || (journal?.restartPending ?? false));

  const restartPending = kubeletInputsChanged || tx.journal.restartPending;
  if (!restartPending) {
    if (changed.length > 0) tx.saveJournal();
    return done(false, false);
  }
  if (!options.restart) {
    tx.journal.restartPending = true;
    tx.saveJournal();
    log(
      `The kubelet must be restarted to use the credential provider (--no-restart given): run \`systemctl restart kubelet\` on the node.`,
    );
    return done(false, true);
  }

  log(`Restarting the kubelet: ${options.kubelet.restartCommand}`);
  const health = await restartAndWait(options.kubelet);
  if (!health.ok) {
    tx.rollback();
    log(
      `The kubelet did not come back healthy (${health.message}); rolled back ${changed.length} change(s), restarting it again.`,
    );
    const again = await restartAndWait(options.kubelet);
    return fail(
      `The kubelet did not come back healthy after the credential provider was configured: ${health.message}. Every change was rolled back (${changed.join(', ')}); the kubelet ${again.ok ? 'is healthy again' : `is still not healthy (${again.message}): check it now`}.`,
    );
  }
  tx.journal.restartPending = false;
  tx.saveJournal();
  return done(true, false);
}

export async function restartAndWait(kubelet: KubeletControl): Promise<{ ok: true } | { ok: false; message: string }> {
  const restart = await runCommand(kubelet.restartCommand);
  if (restart.code !== 0)
    return {
      ok: false,
      message: `\`${kubelet.restartCommand}\` exited ${restart.code}${restart.output ? `: ${restart.output}` : ''}`,
    };
  const health = await waitHealthy(kubelet.health);
  return health.ok
    ? health
    : { ok: false, message: `not healthy within ${kubelet.health.timeoutMs / 1000}s (${health.lastOutput})` };
}

/** Appends our flags to the layout's variable; a previous install's different words are taken out first. */
function wireFlags(tx: HostTransaction, layout: KubeletLayout, flags: string[]): boolean {
  const previous = tx.journal.flags;
  const file = layout.environmentFile;
  const text = tx.current(file)?.toString('utf8');
  const have = words(text === undefined ? '' : (variableValue(text, layout.variable) ?? ''));
  if (flags.length > 0 && flags.every((f) => have.includes(f)) && isDeepStrictEqual(previous?.words, flags))
    return false;
  if (flags.length === 0 && !previous) return false;
  const oursPresent = previous !== undefined && previous.words.some((w) => have.includes(w));
  const baseline = text !== undefined && oursPresent ? removeWords(text, previous.variable, previous.words) : text;
  if (baseline !== undefined) tx.rebaseOriginal(file, baseline);
  const mode = text === undefined ? 0o644 : statSync(onHost(tx.hostRoot, file)).mode & 0o7777;
  const desired = flags.length === 0 ? baseline! : appendWords(baseline, layout.variable, flags);
  tx.journal.flags = flags.length === 0 ? undefined : { file, variable: layout.variable, words: flags };
  return tx.writeFile(file, desired, mode, 'kubelet-flags');
}
