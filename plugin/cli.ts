// The command line of kubectl-acr: global flags as kubectl spells them,
// one yargs command per subcommand, exit codes 0/1/2.

import yargs, { type Argv } from 'yargs';
import { versionLine } from '../provider/common/version.js';
import { runConfigure } from './configure/configure-command.js';
import { configureBuilder, type ConfigureArgs } from './configure/configure-flags.js';
import { runStatus, statusBuilder, type StatusArgs } from './status/status-command.js';
import { credentialsBuilder, runCredentials, type CredentialsArgs } from './credentials/credentials-command.js';
import { installBuilder, runInstall, type InstallArgs } from './install/install-command.js';
import { runUninstall, uninstallBuilder, type UninstallArgs } from './uninstall/uninstall-command.js';
import { runSync, syncBuilder, type SyncArgs } from './sync/sync-command.js';
import { completionScript, completionShells, type CompletionShell } from './completion-script.js';
import { reportFailure, type Runtime } from './runtime.js';
import { EXIT, type ExitCode } from '../provider/common/exit-codes.js';

/** Thrown after a usage error has been reported, to stop yargs; the exit code is already set. */
export class UsageReported extends Error {}

/** Runs a command body; whatever it throws becomes a message and an exit code. */
function handle<A>(
  runtime: Runtime,
  setExit: (code: ExitCode) => void,
  body: (args: A, runtime: Runtime) => Promise<ExitCode>,
) {
  return async (args: A): Promise<void> => {
    try {
      setExit(await body(args, runtime));
    } catch (error) {
      setExit(reportFailure(error, runtime));
    }
  };
}

export function buildCli(argv: string[], runtime: Runtime, setExit: (code: ExitCode) => void): Argv {
  return yargs(argv)
    .scriptName('kubectl acr')
    .usage(
      '$0 <command> [options]\n\nManage and diagnose the kube-system/acr-configuration ConfigMap: ACR credentials for Kubernetes nodes.',
    )
    .option('kubeconfig', {
      type: 'string',
      global: true,
      describe: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)',
    })
    .option('context', { type: 'string', global: true, describe: 'The kubeconfig context to use' })
    .option('request-timeout', {
      type: 'string',
      global: true,
      describe: 'How long to wait for each API request (e.g. 30s, 1m; 0 = no limit)',
    })
    .group(['kubeconfig', 'context', 'request-timeout'], 'Cluster connection:')
    .command<ConfigureArgs>(
      'configure',
      'Create or update kube-system/acr-configuration without editing YAML',
      (y) => configureBuilder(y) as Argv<ConfigureArgs>,
      handle(runtime, setExit, runConfigure),
    )
    .command<StatusArgs>(
      'status',
      'Show the configuration as understood, every problem with its fix, the nodes and the Secret sync',
      (y) => statusBuilder(y) as Argv<StatusArgs>,
      handle(runtime, setExit, runStatus),
    )
    .command<CredentialsArgs>(
      'credentials <image>',
      'Walk the credential chain for one image and show each step with its outcome',
      (y) => credentialsBuilder(y) as Argv<CredentialsArgs>,
      handle(runtime, setExit, runCredentials),
    )
    .command<InstallArgs>(
      'install',
      'Install the ACR credential provider on every node (DaemonSet kube-system/acr-node-setup)',
      (y) => installBuilder(y) as Argv<InstallArgs>,
      handle(runtime, setExit, runInstall),
    )
    .command<UninstallArgs>(
      'uninstall',
      'Restore every node (the DaemonSet in uninstall mode), then delete what install created',
      (y) => uninstallBuilder(y) as Argv<UninstallArgs>,
      handle(runtime, setExit, runUninstall),
    )
    .command<SyncArgs>(
      'sync',
      'Keep ACR pull Secrets on the ServiceAccounts in scope fresh (for nodes that cannot run the provider)',
      (y) => syncBuilder(y) as Argv<SyncArgs>,
      handle(runtime, setExit, runSync),
    )
    .command<{ shell: CompletionShell }>(
      'completion <shell>',
      'Print a completion script: kubectl (the kubectl_complete-acr helper), bash or zsh',
      (y) =>
        y
          .positional('shell', { choices: completionShells, demandOption: true })
          .example(
            '$0 completion kubectl > ~/.local/bin/kubectl_complete-acr && chmod +x ~/.local/bin/kubectl_complete-acr',
            'Let kubectl complete `kubectl acr …`',
          )
          .example('source <(kubectl-acr completion bash)', 'Complete kubectl-acr itself in bash') as Argv<{
          shell: CompletionShell;
        }>,
      (args) => {
        runtime.stdout(completionScript(args.shell));
        setExit(EXIT.ok);
      },
    )
    .example('$0 status', 'Show the configuration, every problem, the nodes and the Secret sync')
    .example('$0 configure --instance-id cri-abc123 --region cn-hangzhou', 'Pull from an Enterprise Edition instance')
    .example(
      '$0 credentials my-registry.cn-hangzhou.cr.aliyuncs.com/team/app:1.0 --check',
      'Explain how a pull of this image gets credentials',
    )
    .demandCommand(1, 'Name a command: configure, status, credentials, install, uninstall or sync.')
    .recommendCommands()
    .strict()
    .help()
    .alias('help', 'h')
    .version('version', 'Show the version', versionLine('kubectl-acr'))
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error;
      runtime.stderr(`error: ${message}\nSee 'kubectl acr --help' for usage.\n`);
      setExit(EXIT.usage);
      // Stops yargs from going on to run the command.
      throw new UsageReported();
    });
}
