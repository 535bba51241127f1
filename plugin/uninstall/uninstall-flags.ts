// The flags of `kubectl acr uninstall`: loaded for --help and completion, without the command.
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../runtime.js';

export interface UninstallArgs extends GlobalArgs {
  namespace: string;
  'dry-run'?: boolean;
  timeout: string;
  'poll-interval': number;
}

export function uninstallBuilder(yargs: Argv): Argv {
  return yargs
    .option('namespace', { type: 'string', default: 'kube-system', describe: 'Namespace of the DaemonSet' })
    .option('dry-run', { type: 'boolean', describe: 'Say what would be done, change nothing' })
    .option('timeout', {
      type: 'string',
      default: '10m',
      describe: 'How long to wait for every node to be restored (a Go duration)',
    })
    .option('poll-interval', { type: 'number', default: 2, hidden: true, describe: 'Seconds between checks' })
    .example('$0 uninstall', 'Restore every node, then delete the DaemonSet and its ServiceAccount')
    .example('$0 uninstall --dry-run', 'Say what would happen');
}
