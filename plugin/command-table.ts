// What `kubectl acr` offers, as data: each command's name, summary and flag
// builder, the global flags and the examples. yargs builds the parser from
// it (cli.ts); --help at the top (top-level-help.ts) and completion
// (completion.ts) read it without loading yargs, so they start instantly.
import type { Argv, Options } from 'yargs';
import { configureBuilder } from './configure/configure-flags.js';
import { statusBuilder } from './status/status-flags.js';
import { credentialsBuilder } from './credentials/credentials-flags.js';
import { installBuilder } from './install/install-flags.js';
import { uninstallBuilder } from './uninstall/uninstall-flags.js';
import { syncBuilder } from './sync/sync-flags.js';
import { completionBuilder } from './completion-script.js';

export const SCRIPT_NAME = 'kubectl acr';
export const USAGE = '$0 <command> [options]';
export const DESCRIPTION =
  'Manage and diagnose the kube-system/acr-configuration ConfigMap: ACR credentials for Kubernetes nodes.';

export interface CommandEntry {
  /** As yargs takes it: the name, then its positionals (`credentials <image>`). */
  command: string;
  describe: string;
  builder: (yargs: Argv) => Argv;
}

export const COMMANDS = [
  {
    command: 'configure',
    describe: 'Create or update kube-system/acr-configuration without editing YAML',
    builder: configureBuilder,
  },
  {
    command: 'status',
    describe: 'Show the configuration as understood, every problem with its fix, the nodes and the Secret sync',
    builder: statusBuilder,
  },
  {
    command: 'credentials <image>',
    describe: 'Walk the credential chain for one image and show each step with its outcome',
    builder: credentialsBuilder,
  },
  {
    command: 'install',
    describe: 'Install the ACR credential provider on every node (DaemonSet kube-system/acr-node-setup)',
    builder: installBuilder,
  },
  {
    command: 'uninstall',
    describe: 'Restore every node (the DaemonSet in uninstall mode), then delete what install created',
    builder: uninstallBuilder,
  },
  {
    command: 'sync',
    describe: 'Keep ACR pull Secrets on the ServiceAccounts in scope fresh (for nodes that cannot run the provider)',
    builder: syncBuilder,
  },
  {
    command: 'completion <shell>',
    describe: 'Print a completion script: kubectl (the kubectl_complete-acr helper), bash or zsh',
    builder: completionBuilder,
  },
] as const satisfies readonly CommandEntry[];

export const commandName = (entry: CommandEntry): string => entry.command.split(' ')[0] ?? entry.command;

export const CONNECTION_GROUP = 'Cluster connection:';

/** Flags every command takes. */
export const GLOBAL_OPTIONS: Record<string, Options> = {
  kubeconfig: {
    type: 'string',
    global: true,
    describe: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)',
  },
  context: { type: 'string', global: true, describe: 'The kubeconfig context to use' },
  'request-timeout': {
    type: 'string',
    global: true,
    describe: 'How long to wait for each API request (e.g. 30s, 1m; 0 = no limit)',
  },
};

export const EXAMPLES: readonly (readonly [string, string])[] = [
  ['$0 status', 'Show the configuration, every problem, the nodes and the Secret sync'],
  ['$0 configure --instance-id cri-abc123 --region cn-hangzhou', 'Pull from an Enterprise Edition instance'],
  [
    '$0 credentials my-registry.cn-hangzhou.cr.aliyuncs.com/team/app:1.0 --check',
    'Explain how a pull of this image gets credentials',
  ],
];

export const DEMAND_COMMAND = 'Name a command: configure, status, credentials, install, uninstall or sync.';
