// Where the credential helper reads its configuration and keeps its cache.
// Pure: the environment and two facts about this machine are passed in.
import { dirname, join } from 'node:path';
import { DEFAULT_CACHE_DIR, DEFAULT_CONFIG_PATH, RRSA_TOKEN_PATH } from '../provider/common/paths.js';
import { isRegionId } from '../provider/common/region-id.js';
import { LOG_LEVELS, type LogLevel, type ProviderOptions } from '../provider/kubelet/provider-cli.js';

/** The variables that change what the helper does (docker passes it no flags). */
export const HELPER_VARIABLES = {
  config: 'ACR_CREDENTIALS_CONFIG',
  cacheDir: 'ACR_CREDENTIALS_CACHE_DIR',
  region: 'ACR_CREDENTIALS_REGION',
  logLevel: 'ACR_CREDENTIALS_LOG_LEVEL',
} as const;

export interface HelperMachine {
  env: Record<string, string | undefined>;
  /** The effective user ID; undefined where there is none (Windows). */
  uid: number | undefined;
  home: string;
  /** Whether the provider's cache directory exists: the provider runs on this node. */
  providerCacheExists: boolean;
}

const set = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

/**
 * The cache: the provider's own when root on a node, so a `get` during a
 * kubelet burst shares its tokens and lock; per user otherwise
 * ($XDG_CACHE_HOME/acr-credentials), never a directory another user writes.
 */
export function helperCacheDir(machine: HelperMachine): string {
  const { env } = machine;
  const chosen = set(env[HELPER_VARIABLES.cacheDir]);
  if (chosen) return chosen;
  if (machine.uid === 0 && machine.providerCacheExists) return DEFAULT_CACHE_DIR;
  return join(set(env['XDG_CACHE_HOME']) ?? join(machine.home, '.cache'), 'acr-credentials');
}

export function helperOptions(
  machine: HelperMachine,
): { ok: true; options: ProviderOptions } | { ok: false; message: string } {
  const { env } = machine;
  const configPath = set(env[HELPER_VARIABLES.config]) ?? DEFAULT_CONFIG_PATH;
  const region = set(env[HELPER_VARIABLES.region]);
  if (region !== undefined && !isRegionId(region)) {
    return {
      ok: false,
      message: `${HELPER_VARIABLES.region}=${JSON.stringify(region)} is not a region ID such as cn-hangzhou`,
    };
  }
  const logLevel = set(env[HELPER_VARIABLES.logLevel]) ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    return {
      ok: false,
      message: `${HELPER_VARIABLES.logLevel}=${JSON.stringify(logLevel)} is not one of ${LOG_LEVELS.join(', ')}`,
    };
  }
  const configDir = dirname(configPath);
  return {
    ok: true,
    options: {
      configPath,
      configDir,
      cacheDir: helperCacheDir(machine),
      region,
      logLevel: logLevel as LogLevel,
      vpc: false,
      allowImdsV1: false,
      rrsaTokenFile: join(configDir, RRSA_TOKEN_PATH),
    },
  };
}
