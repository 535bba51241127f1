// `kubectl acr install`: applies the node installer (DaemonSet + ServiceAccount,
// node-setup/manifests.ts) with create-or-replace carrying the
// resourceVersion, so a concurrent edit is a conflict (retried) rather than lost.

import type { Argv } from 'yargs';
import { NODE_SETUP_NAME, renderNodeSetupManifests } from '../../node-setup/manifests.js';
import { connect, type KubeObject } from '../kube-client.js';
import { applyObject, type Applied } from '../kube-apply.js';
import { render as renderOutput } from '../output.js';
import { SYNC_DEPLOYMENT } from '../status/status-model.js';
import { renderSyncManifests } from '../sync/sync-manifests.js';
import { connectionFlags, type GlobalArgs, type Runtime } from '../runtime.js';
import { EXIT, UsageError, type ExitCode } from '../../provider/common/exit-codes.js';

export interface InstallArgs extends GlobalArgs {
  image?: string;
  namespace?: string;
  'dry-run'?: string;
  output?: string;
  sync?: boolean;
}

const DRY_RUN = ['none', 'client', 'server'] as const;
const OUTPUTS = ['yaml', 'json'] as const;

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

export async function runInstall(
  args: InstallArgs,
  runtime: Runtime,
  connectTo: typeof connect = connect,
): Promise<ExitCode> {
  if (!args.image)
    throw new UsageError(
      '--image is required: the acr-node-setup image built by `npm run image` and pushed to a registry your nodes can pull from.',
    );
  const render = args.sync ? renderSyncManifests : renderNodeSetupManifests;
  const objects = render({ image: args.image, namespace: args.namespace ?? 'kube-system' }) as KubeObject[];
  const dryRun = args['dry-run'] ?? 'none';
  const format = args.output as (typeof OUTPUTS)[number] | undefined;
  const list = (items: KubeObject[]) => ({ apiVersion: 'v1', kind: 'List', items });
  if (dryRun === 'client') {
    runtime.stdout(renderOutput(format ?? 'yaml', list(objects), () => ''));
    return EXIT.ok;
  }
  const client = connectTo(connectionFlags(args), runtime.env);
  const applied: Applied[] = [];
  for (const object of objects) applied.push(await applyObject(client, object, dryRun === 'server'));
  if (format) runtime.stdout(renderOutput(format, list(applied.map((a) => a.object)), () => ''));
  else {
    const suffix = dryRun === 'server' ? ' (server dry run)' : '';
    for (const { object, action } of applied)
      runtime.stdout(`${object.kind!.toLowerCase()}/${object.metadata.name} ${action}${suffix}\n`);
    if (dryRun !== 'server')
      runtime.stdout(
        `Watch the rollout: kubectl -n ${args.namespace ?? 'kube-system'} rollout status ${args.sync ? `deployment/${SYNC_DEPLOYMENT}` : `daemonset/${NODE_SETUP_NAME}`}\n`,
      );
  }
  return EXIT.ok;
}
