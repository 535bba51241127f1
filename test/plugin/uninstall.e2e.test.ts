// kubectl acr uninstall through the built binary against the fake apiserver,
// the test playing the DaemonSet controller and the nodes: the DaemonSet goes
// to uninstall mode, nothing is deleted until every node reports restored,
// and a node that cannot be restored is named with its pod's reason.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startBinary } from '../support/binaries.js';
import { node } from './cluster-objects.js';
import { startHarness, type PluginHarness } from './plugin-harness.js';

const IMAGE = 'registry.example.com/acr/acr-node-setup:0.1.0';

let h: PluginHarness;
beforeEach(async () => {
  h = await startHarness();
  h.api.seed([node('n1'), node('n2')]);
  const installed = await h.run(['install', '--image', IMAGE]);
  expect(installed.code).toBe(0);
});
afterEach(async () => {
  await h.close();
});

type DaemonSet = {
  metadata: { generation?: number };
  spec: { template: { spec: { containers: { command: string[]; image: string }[] } } };
};
const daemonSet = () => h.api.get('daemonsets', 'kube-system', 'acr-node-setup') as DaemonSet | undefined;
const serviceAccount = () => h.api.get('serviceaccounts', 'kube-system', 'acr-node-setup') as object | undefined;

/** What the DaemonSet controller and the kubelets would report: `ready` of the nodes restored. */
function report(ready: number, pods: { node: string; ready: boolean; message?: string }[] = []) {
  const ds = daemonSet()!;
  h.api.seed({
    ...ds,
    status: {
      desiredNumberScheduled: 2,
      updatedNumberScheduled: 2,
      numberReady: ready,
      observedGeneration: ds.metadata.generation,
    },
  });
  for (const pod of pods) {
    h.api.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `acr-node-setup-${pod.node}`,
        namespace: 'kube-system',
        labels: { 'app.kubernetes.io/name': 'acr-node-setup' },
      },
      spec: {
        nodeName: pod.node,
        containers: [{ name: 'node-setup', image: IMAGE, command: ds.spec.template.spec.containers[0]!.command }],
      },
      status: {
        conditions: [{ type: 'Ready', status: pod.ready ? 'True' : 'False' }],
        containerStatuses: pod.message ? [{ lastState: { terminated: { exitCode: 1, message: pod.message } } }] : [],
      },
    });
  }
}

const uninstall = (...flags: string[]) =>
  startBinary('kubectl-acr', ['uninstall', '--kubeconfig', h.kubeconfig, '--poll-interval', '0.05', ...flags]);

test('every node restored before anything is deleted, then the DaemonSet and its ServiceAccount go', async () => {
  const run = uninstall();
  await run.waitFor(/switched to uninstall mode/);
  expect(daemonSet()!.spec.template.spec.containers[0]!.command).toEqual([
    '/acr-node-setup',
    'uninstall',
    '--stay',
    '--host-root=/host',
    '--ready-file=/run/acr-node-setup/ready',
  ]);
  expect(daemonSet()!.spec.template.spec.containers[0]!.image).toBe(IMAGE);

  report(1);
  await run.waitFor(/1\/2 node\(s\) restored/);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(daemonSet()).toBeDefined();
  expect(serviceAccount()).toBeDefined();

  report(2);
  await run.waitFor(/serviceaccount\/acr-node-setup deleted/);
  expect(await run.exited()).toBe(0);
  expect(run.stdout()).toContain('daemonset.apps/acr-node-setup deleted');
  expect(daemonSet()).toBeUndefined();
  expect(serviceAccount()).toBeUndefined();
});

test('a node that cannot be restored is named with its reason, and nothing is deleted', async () => {
  const run = uninstall('--timeout', '1s');
  await run.waitFor(/switched to uninstall mode/);
  report(1, [
    { node: 'n1', ready: true },
    {
      node: 'n2',
      ready: false,
      message: 'The kubelet did not come back healthy after the restore: not healthy within 60s',
    },
  ]);
  await run.waitFor(/nothing was deleted/);
  expect(await run.exited()).toBe(1);
  expect(run.stderr()).toContain(
    '  n2: The kubelet did not come back healthy after the restore: not healthy within 60s',
  );
  expect(run.stderr()).not.toContain('n1:');
  expect(daemonSet()).toBeDefined();
  expect(serviceAccount()).toBeDefined();
});

test('--dry-run says what would happen and changes nothing', async () => {
  const before = JSON.stringify(daemonSet());
  const result = await h.run(['uninstall', '--dry-run']);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('would switch to uninstall mode');
  expect(result.stdout).toContain('serviceaccount/acr-node-setup would be deleted (dry run)');
  expect(JSON.stringify(daemonSet())).toBe(before);
  expect(serviceAccount()).toBeDefined();
});
