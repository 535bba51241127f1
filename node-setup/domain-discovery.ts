// Custom domains nobody listed: an Enterprise entry without `domains` is
// served for every domain of its instance, but the kubelet calls the
// provider only for images its matchImages cover. The provider looks the
// domains up (`acr-credential-provider match-images`, with the node's
// identity and its cache); this keeps the answer on the host with the
// configuration it was for, asks again when that changes or once a day, and
// keeps the last known list when a look-up fails.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../provider/cache/atomic-file.js';
import type { AcrConfiguration } from '../provider/configuration/model.js';
import { DEFAULT_CACHE_DIR, DEFAULT_CONFIG_PATH } from '../provider/common/paths.js';
import { sha256 } from './host-journal.js';
import { onHost, STATE_DIR } from './host-paths.js';
import { domainsUnlisted, listedCustomDomains } from '../provider/registry/image-match.js';

const STATE_FILE = `${STATE_DIR}/custom-domains.json`;
const REFRESH_MS = 24 * 60 * 60 * 1000;
const RETRY_MS = 5 * 60 * 1000;

export interface DiscoveryState {
  /** sha256 of the mirrored configuration the domains were looked up for. */
  configuration: string;
  /** epoch ms of the last look-up. */
  at: number;
  customDomains: string[];
  /** Set when the last look-up failed: the domains are the last known ones. */
  failure?: string;
}

/** Runs `match-images` against the host's configuration and cache. */
export type Discover = (
  hostRoot: string,
) => Promise<{ ok: true; customDomains: string[] } | { ok: false; message: string }>;

/** The provider executable's `match-images`, as the DaemonSet runs it. */
export function discoverWith(providerBinary: string, env: NodeJS.ProcessEnv): Discover {
  return (hostRoot) =>
    new Promise((resolve) => {
      const args = [
        'match-images',
        '--config',
        onHost(hostRoot, DEFAULT_CONFIG_PATH),
        '--cache-dir',
        onHost(hostRoot, DEFAULT_CACHE_DIR),
      ];
      execFile(providerBinary, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
        try {
          const report = JSON.parse(stdout) as { customDomains?: unknown };
          if (!error && Array.isArray(report.customDomains))
            return resolve({ ok: true, customDomains: report.customDomains.filter((d) => typeof d === 'string') });
        } catch {
          // not an answer: reported below
        }
        const said = stderr.trim().split('\n')[0] ?? '';
        resolve({ ok: false, message: said || (error ? error.message : 'match-images answered no domains') });
      });
    });
}

export function readDiscovery(hostRoot: string): DiscoveryState | undefined {
  try {
    return JSON.parse(readFileSync(onHost(hostRoot, STATE_FILE), 'utf8')) as DiscoveryState;
  } catch {
    return undefined;
  }
}

/**
 * The discovered custom domains for `configurationText`: the kept ones while
 * current, else a new look-up (kept unless `dryRun`). A failed look-up
 * answers the last known domains and says why.
 */
export async function discoveredDomains(
  hostRoot: string,
  configurationText: string,
  discover: Discover,
  options: { now: number; dryRun: boolean },
): Promise<{ customDomains: string[]; failure?: string }> {
  const configuration = sha256(configurationText);
  const kept = readDiscovery(hostRoot);
  const current =
    kept?.configuration === configuration && options.now - kept.at < (kept.failure ? RETRY_MS : REFRESH_MS);
  if (kept && current) return { customDomains: kept.customDomains, ...(kept.failure ? { failure: kept.failure } : {}) };
  if (options.dryRun) return { customDomains: kept?.customDomains ?? [] };
  const found = await discover(hostRoot);
  const state: DiscoveryState = found.ok
    ? { configuration, at: options.now, customDomains: found.customDomains }
    : { configuration, at: options.now, customDomains: kept?.customDomains ?? [], failure: found.message };
  mkdirSync(onHost(hostRoot, STATE_DIR), { recursive: true, mode: 0o700 });
  writeFileAtomic(onHost(hostRoot, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, 0o600);
  return { customDomains: state.customDomains, ...(state.failure ? { failure: state.failure } : {}) };
}

/**
 * Every custom domain the kubelet must send to the provider: the listed ones,
 * and the discovered ones where an instance lists none. A failure says why
 * (and the last known domains stand in).
 */
export async function domainsInForce(
  hostRoot: string,
  configuration: AcrConfiguration | undefined,
  configurationText: string | undefined,
  options: { discover: Discover | undefined; now: number; dryRun: boolean; log: (line: string) => void },
): Promise<{ customDomains: string[]; failure?: string }> {
  const listed = configuration ? listedCustomDomains(configuration) : [];
  if (
    !options.discover ||
    !configuration ||
    configurationText === undefined ||
    !configuration.registries.some(domainsUnlisted)
  )
    return { customDomains: listed };
  const found = await discoveredDomains(hostRoot, configurationText, options.discover, options);
  if (found.failure)
    options.log(
      `The custom domains of the configured instances could not be looked up (${found.failure}); the kubelet keeps the last known ones: ${found.customDomains.join(', ') || 'none'}.`,
    );
  const all = [...new Set([...listed, ...found.customDomains])].sort();
  return { customDomains: all, ...(found.failure ? { failure: found.failure } : {}) };
}
