// Flags of acr-credential-provider. node:util parseArgs rather than yargs:
// this runs once per image pull and its start-up time is the hot path.
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { isRegionId } from '../common/region-id.js';
import { DEFAULT_CACHE_DIR, DEFAULT_CONFIG_PATH, RRSA_TOKEN_PATH } from '../common/paths.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ProviderOptions {
  configPath: string;
  /** Where node-setup mirrors Secret keys (`secrets/<key>`) and the RRSA token (`rrsa/token`). */
  configDir: string;
  cacheDir: string;
  /** `--region`: the node's region without asking the metadata service. */
  region: string | undefined;
  logLevel: LogLevel;
  /** Use the VPC endpoints of the CR and STS APIs. */
  vpc: boolean;
  /** Fall back to IMDSv1 (no session token) when the metadata service refuses IMDSv2. */
  allowImdsV1: boolean;
  rrsaTokenFile: string;
}

export type CliParse =
  { kind: 'run'; options: ProviderOptions } | { kind: 'version' } | { kind: 'usage-error'; message: string };

export function parseCli(argv: string[]): CliParse {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        'cache-dir': { type: 'string' },
        region: { type: 'string' },
        'log-level': { type: 'string' },
        vpc: { type: 'boolean' },
        'allow-imdsv1': { type: 'boolean' },
        'rrsa-token-file': { type: 'string' },
        version: { type: 'boolean' },
      },
    }));
  } catch (error) {
    return { kind: 'usage-error', message: (error as Error).message };
  }
  if (values.version) return { kind: 'version' };

  const logLevel = values['log-level'] ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    return {
      kind: 'usage-error',
      message: `--log-level ${JSON.stringify(logLevel)} is not one of ${LOG_LEVELS.join(', ')}`,
    };
  }
  const region = values.region;
  if (region !== undefined && !isRegionId(region)) {
    return {
      kind: 'usage-error',
      message: `--region ${JSON.stringify(region)} is not a region ID such as cn-hangzhou`,
    };
  }
  for (const flag of ['config', 'cache-dir', 'rrsa-token-file'] as const) {
    if (values[flag] === '') return { kind: 'usage-error', message: `--${flag} needs a path` };
  }
  const configPath = values.config ?? DEFAULT_CONFIG_PATH;
  const configDir = dirname(configPath);
  return {
    kind: 'run',
    options: {
      configPath,
      configDir,
      cacheDir: values['cache-dir'] ?? DEFAULT_CACHE_DIR,
      region,
      logLevel: logLevel as LogLevel,
      vpc: values.vpc ?? false,
      allowImdsV1: values['allow-imdsv1'] ?? false,
      rrsaTokenFile: values['rrsa-token-file'] ?? join(configDir, RRSA_TOKEN_PATH),
    },
  };
}

/** Whether a message at `level` is printed under `--log-level configured`. */
export function logs(configured: LogLevel, level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(configured);
}
