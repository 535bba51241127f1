// Flags of acr-credential-provider. node:util parseArgs rather than yargs:
// this runs once per image pull and its start-up time is the hot path.
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { isRegionId } from '../common/region-id.js';
import { DEFAULT_CACHE_DIR, DEFAULT_CONFIG_PATH, RRSA_TOKEN_PATH } from '../common/paths.js';
import {
  ACK_ROLE_NAME_ANNOTATION,
  OIDC_PROVIDER_ANNOTATION,
  ROLE_ARN_ANNOTATION,
  RRSA_AUDIENCE,
} from '../credentials/service-account-token.js';

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
  | { kind: 'run'; options: ProviderOptions }
  | { kind: 'match-images'; options: ProviderOptions }
  | { kind: 'version' }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string };

export const HELP = `Usage: acr-credential-provider [flags] < CredentialProviderRequest
       acr-credential-provider match-images [flags]

The kubelet's image credential provider for Alibaba Cloud Container Registry.
The kubelet runs it once per image, with a CredentialProviderRequest on stdin,
and reads the CredentialProviderResponse on stdout.

Flags:
  --config FILE            acr-configuration mirrored on the node (default ${DEFAULT_CONFIG_PATH})
  --cache-dir DIR          shared cache of tokens and decisions (default ${DEFAULT_CACHE_DIR})
  --region ID              the node's region, without asking the metadata service
  --vpc                    call the VPC endpoints of CR and STS
  --allow-imdsv1           fall back to IMDSv1 when the metadata service refuses IMDSv2
  --rrsa-token-file FILE   the projected token of rrsaRoleARN entries (default <config dir>/${RRSA_TOKEN_PATH})
  --log-level LEVEL        error, warn (default), info or debug
  --version                print the version
  --help                   print this help

match-images prints, as JSON, the kubelet matchImages patterns for the
configuration: ACR's own and every custom domain, listed in \`domains\` or
found on the configured Enterprise instances (ListInstanceEndpoint, cached).

Pod identity (the kubelet's ServiceAccount-token mode, audience ${RRSA_AUDIENCE}):
a pod pulls with its own ServiceAccount's RAM role when the ServiceAccount is
annotated with one of
  ${ROLE_ARN_ANNOTATION}=acs:ram::<account-id>:role/<role-name>
  ${ACK_ROLE_NAME_ANNOTATION}=<role-name>   (ACK's; the account is the OIDC provider's)
and, where acr-configuration's pod-identity has no oidc-provider-arn,
  ${OIDC_PROVIDER_ANNOTATION}=acs:ram::<account-id>:oidc-provider/<name>
The role's trust policy must allow oidc:sub system:serviceaccount:<namespace>:<name>.
A ServiceAccount without a role pulls with the node's identity, unless
pod-identity says require-role: true.
`;

export function parseCli(argv: string[]): CliParse {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        'cache-dir': { type: 'string' },
        region: { type: 'string' },
        'log-level': { type: 'string' },
        vpc: { type: 'boolean' },
        'allow-imdsv1': { type: 'boolean' },
        'rrsa-token-file': { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'usage-error', message: (error as Error).message };
  }
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'match-images'))
    return {
      kind: 'usage-error',
      message: `unexpected ${positionals.map((p) => JSON.stringify(p)).join(' ')}; the only command is match-images`,
    };
  const command = positionals.length === 1 ? 'match-images' : 'run';
  if (values.help) return { kind: 'help' };
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
    kind: command,
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
