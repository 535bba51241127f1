// The flags of acr-node-setup: where the host is, how the kubelet is
// restarted and checked, where the configuration comes from.
import { dirname, join } from 'node:path';
import type { Argv } from 'yargs';
import {
  DEFAULT_HEALTH_COMMAND,
  DEFAULT_HEALTHZ_URL,
  DEFAULT_RESTART_COMMAND,
  DEFAULT_VERSION_COMMAND,
} from './host-commands.js';
import { PROVIDER_NAME } from '../provider/common/executable-names.js';

export interface KubeletArgs {
  'host-root': string;
  restart: boolean;
  'restart-command': string;
  'health-command': string;
  'healthz-url': string;
  'health-timeout': number;
  'health-interval': number;
}

export interface SourceArgs {
  'configmap-dir'?: string;
  'secrets-dir'?: string;
  'rrsa-token-file'?: string;
}

export interface InstallArgs extends KubeletArgs, SourceArgs {
  'provider-binary': string;
  'kubelet-version'?: string;
  'kubelet-version-command': string;
  'dry-run': boolean;
}

export function kubeletOptions(y: Argv): Argv<KubeletArgs> {
  return y
    .option('host-root', {
      type: 'string',
      demandOption: true,
      describe: "Where the host's / is mounted; every path is under it",
    })
    .option('restart', {
      type: 'boolean',
      default: true,
      describe: 'Restart the kubelet when its inputs changed (--no-restart: only say it is needed)',
    })
    .option('restart-command', {
      type: 'string',
      default: DEFAULT_RESTART_COMMAND,
      describe: 'Command that restarts the kubelet (run without a shell)',
    })
    .option('health-command', {
      type: 'string',
      default: DEFAULT_HEALTH_COMMAND,
      describe: 'Command that exits 0 while the kubelet runs',
    })
    .option('healthz-url', {
      type: 'string',
      default: DEFAULT_HEALTHZ_URL,
      describe: "The kubelet's healthz endpoint ('' = do not ask)",
    })
    .option('health-timeout', {
      type: 'number',
      default: 120,
      describe: 'Seconds the kubelet has to come back healthy before everything is rolled back',
    })
    .option('health-interval', { type: 'number', default: 2, describe: 'Seconds between health checks' })
    .group(
      ['restart', 'restart-command', 'health-command', 'healthz-url', 'health-timeout', 'health-interval'],
      'Kubelet restart:',
    );
}

function sourceOptions<T>(y: Argv<T>): Argv<T & SourceArgs> {
  return y
    .option('configmap-dir', {
      type: 'string',
      describe: 'ConfigMap kube-system/acr-configuration mounted as a directory',
    })
    .option('secrets-dir', {
      type: 'string',
      describe: 'Secret kube-system/acr-configuration-secrets mounted as a directory',
    })
    .option('rrsa-token-file', {
      type: 'string',
      describe: 'Projected ServiceAccount token (audience sts.aliyuncs.com) for RRSA',
    });
}

export function installOptions<T>(y: Argv<T>): Argv<T & InstallArgs> {
  return sourceOptions(kubeletOptions(y as Argv))
    .option('provider-binary', {
      type: 'string',
      default: join(dirname(process.execPath), PROVIDER_NAME),
      describe: 'The acr-credential-provider executable to install',
    })
    .option('kubelet-version', {
      type: 'string',
      describe: "The kubelet's version (e.g. 1.34.1); asked with --kubelet-version-command otherwise",
    })
    .option('kubelet-version-command', {
      type: 'string',
      default: DEFAULT_VERSION_COMMAND,
      describe: "Command printing the kubelet's version",
    })
    .option('dry-run', {
      type: 'boolean',
      default: false,
      describe: 'Only print what would change',
    }) as unknown as Argv<T & InstallArgs>;
}
