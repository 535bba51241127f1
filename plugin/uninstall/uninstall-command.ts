// `kubectl acr uninstall`: restores every node, then removes what `kubectl
// acr install` created. The DaemonSet switches to its uninstall mode (each
// pod restores its node from the journal install keeps, then reports ready);
// only when every node is restored are the DaemonSet and its ServiceAccount
// deleted. A node that cannot be restored is named with its pod's reason,
// and nothing is deleted.
import type { UninstallArgs } from './uninstall-flags.js';
import { NODE_SETUP_NAME, renderNodeSetupManifests } from '../../node-setup/manifests.js';
import { applyObject } from '../kube-apply.js';
import { connect, resourcePath, type KubeClient, type KubeObject } from '../kube-client.js';
import { connectionFlags, type Runtime } from '../runtime.js';
import { EXIT, UsageError, type ExitCode } from '../../provider/common/exit-codes.js';
import { NODE_SETUP_LABEL } from '../status/status-model.js';
import { parseGoDuration } from '../../provider/common/go-duration.js';

interface DaemonSetStatus {
  desiredNumberScheduled?: number;
  updatedNumberScheduled?: number;
  numberReady?: number;
  observedGeneration?: number;
}

type DaemonSet = KubeObject & {
  spec?: { template?: { spec?: { containers?: { image?: string; command?: string[] }[] } } };
  status?: DaemonSetStatus;
};

/** Every pod runs the uninstall command and is ready (restored): only then may anything be deleted. */
function restored(ds: DaemonSet): boolean {
  const s = ds.status ?? {};
  const desired = s.desiredNumberScheduled ?? 0;
  const generation = typeof ds.metadata.generation === 'number' ? ds.metadata.generation : 0;
  const observed = (s.observedGeneration ?? 0) >= generation;
  return observed && (s.updatedNumberScheduled ?? 0) === desired && (s.numberReady ?? 0) === desired;
}

type Pod = KubeObject & {
  spec?: { nodeName?: string; containers?: { command?: string[] }[] };
  status?: {
    conditions?: { type: string; status: string }[];
    containerStatuses?: {
      state?: { waiting?: { reason?: string; message?: string } };
      lastState?: { terminated?: { message?: string; exitCode?: number } };
    }[];
  };
};

/** Nodes whose pod is not (yet) restored, each with the best reason the pod gives. */
async function unrestoredNodes(client: KubeClient, namespace: string): Promise<string[]> {
  const pods = await client.list<Pod>(resourcePath({ plural: 'pods' }, namespace), { labelSelector: NODE_SETUP_LABEL });
  return pods.flatMap((pod) => {
    const node = pod.spec?.nodeName ?? pod.metadata.name ?? '?';
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const uninstalling = pod.spec?.containers?.[0]?.command?.includes('uninstall') ?? false;
    if (ready && uninstalling) return [];
    const container = pod.status?.containerStatuses?.[0];
    const reason = !uninstalling
      ? 'its pod has not been replaced by the uninstall mode yet'
      : (container?.lastState?.terminated?.message?.trim() ??
        container?.state?.waiting?.message ??
        container?.state?.waiting?.reason ??
        'not restored yet');
    return [`${node}: ${reason}`];
  });
}

export async function runUninstall(
  args: UninstallArgs,
  runtime: Runtime,
  connectTo: typeof connect = connect,
): Promise<ExitCode> {
  const timeoutSeconds = parseGoDuration(args.timeout);
  if (timeoutSeconds === undefined || timeoutSeconds <= 0)
    throw new UsageError(`--timeout ${JSON.stringify(args.timeout)} is not a duration such as 10m.`);
  const client = connectTo(connectionFlags(args), runtime.env);
  const { namespace } = args;
  const dsPath = resourcePath({ group: 'apps', version: 'v1', plural: 'daemonsets' }, namespace, NODE_SETUP_NAME);
  const saPath = resourcePath({ plural: 'serviceaccounts' }, namespace, NODE_SETUP_NAME);
  const current = await client.get<DaemonSet>(dsPath);
  const dry = args['dry-run'] ? ' (dry run)' : '';

  if (current) {
    const image = current.spec?.template?.spec?.containers?.[0]?.image;
    if (!image) throw new Error(`daemonset/${NODE_SETUP_NAME} has no container image`);
    const [, daemonSet] = renderNodeSetupManifests({ image, namespace, mode: 'uninstall' }) as KubeObject[];
    const desired = current.status?.desiredNumberScheduled ?? 0;
    if (args['dry-run']) {
      runtime.stdout(
        `daemonset.apps/${NODE_SETUP_NAME} would switch to uninstall mode on ${desired} node(s), wait until each is restored, then be deleted${dry}\n`,
      );
    } else {
      await applyObject(client, daemonSet!, false);
      runtime.stdout(`daemonset.apps/${NODE_SETUP_NAME} switched to uninstall mode on ${desired} node(s)\n`);
      const deadline = runtime.now().getTime() + timeoutSeconds * 1000;
      let last = '';
      for (;;) {
        const ds = await client.get<DaemonSet>(dsPath);
        if (!ds) break;
        const s = ds.status ?? {};
        const progress = `${s.numberReady ?? 0}/${s.desiredNumberScheduled ?? 0} node(s) restored`;
        if (progress !== last) runtime.stderr(`${progress}\n`);
        last = progress;
        if (restored(ds)) break;
        if (runtime.now().getTime() >= deadline) {
          const nodes = await unrestoredNodes(client, namespace);
          runtime.stderr(
            `error: not every node was restored within ${args.timeout}; nothing was deleted. Fix these and run kubectl acr uninstall again:\n${nodes.map((n) => `  ${n}\n`).join('')}`,
          );
          return EXIT.failure;
        }
        await new Promise((resolve) => setTimeout(resolve, args['poll-interval'] * 1000));
      }
      const ds = await client.get<DaemonSet>(dsPath);
      if (ds) await client.remove(dsPath, ds.metadata.resourceVersion!);
      runtime.stdout(`daemonset.apps/${NODE_SETUP_NAME} deleted\n`);
    }
  } else {
    runtime.stdout(`daemonset.apps/${NODE_SETUP_NAME} not found: no node to restore\n`);
  }

  const account = await client.get<KubeObject>(saPath);
  if (account?.metadata.labels?.['app.kubernetes.io/name'] === NODE_SETUP_NAME) {
    if (!args['dry-run']) await client.remove(saPath, account.metadata.resourceVersion!);
    runtime.stdout(`serviceaccount/${NODE_SETUP_NAME} ${args['dry-run'] ? 'would be ' : ''}deleted${dry}\n`);
  }
  return EXIT.ok;
}
