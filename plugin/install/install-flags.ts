// The flags of `kubectl acr install`: loaded for --help and completion, without the command.
import type { Argv } from 'yargs';
import { SYNC_DEPLOYMENT } from '../status/status-model.js';
import type { GlobalArgs } from '../runtime.js';

const DRY_RUN = ['none', 'client', 'server'] as const;
export const OUTPUTS = ['yaml', 'json'] as const;

export interface InstallArgs extends GlobalArgs {
  image?: string;
  namespace?: string;
  'dry-run'?: string;
  output?: string;
  sync?: boolean;
}

export function installBuilder(yargs: Argv): Argv {
  return yargs
    .option('image', {
      type: 'string',
      describe: 'The acr-node-setup image (holds the installer and the provider), e.g. <registry>/acr-node-setup:0.1.0',
    })
    .option('namespace', {
      type: 'string',
      default: 'kube-system',
      describe: 'Namespace of the DaemonSet (acr-configuration lives in kube-system)',
    })
    .option('sync', {
      type: 'boolean',
      describe: `Install the Secret sync (Deployment kube-system/${SYNC_DEPLOYMENT}, for nodes that cannot run the provider) instead of the provider`,
    })
    .option('dry-run', {
      type: 'string',
      choices: DRY_RUN,
      describe: 'client: print the objects only; server: let the apiserver validate without storing',
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      choices: OUTPUTS,
      describe: 'Print the objects (as sent, or as the apiserver answered)',
    })
    .example(
      '$0 install --image registry.example.com/acr/acr-node-setup:0.1.0',
      'Install the credential provider on every node',
    )
    .example('$0 install --image IMG --dry-run=client -o yaml', 'Print the manifests instead')
    .example(
      '$0 install --sync --image IMG',
      'Run the Secret sync in the cluster instead (virtual nodes, locked-down pools)',
    );
}
