// `kubectl acr install`: applies the node installer (DaemonSet + ServiceAccount,
// node-setup/manifests.ts) with create-or-replace carrying the
// resourceVersion, so a concurrent edit is a conflict (retried) rather than lost.

import { type OUTPUTS, type InstallArgs } from './install-flags.js';
import { NODE_SETUP_NAME, renderNodeSetupManifests } from '../../node-setup/manifests.js';
import { connect, type KubeObject } from '../kube-client.js';
import { applyObject, type Applied } from '../kube-apply.js';
import { render as renderOutput } from '../output.js';
import { SYNC_DEPLOYMENT } from '../status/status-model.js';
import { renderSyncManifests } from '../sync/sync-manifests.js';
import { connectionFlags, type Runtime } from '../runtime.js';
import { EXIT, UsageError, type ExitCode } from '../../provider/common/exit-codes.js';

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
