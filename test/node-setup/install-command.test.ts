// `kubectl acr install` against the fake apiserver: create, then replace with
// the resourceVersion; client dry run prints without calling the API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runInstall } from '../../plugin/install/install-command.js';
import { readNodeSetupState } from '../../plugin/status/status-command.js';
import { createKubeClient, type KubeObject, type WriteOptions } from '../../plugin/kube-client.js';
import type { Runtime } from '../../plugin/runtime.js';
import { startFakeApiserver, type FakeApiserver } from '../fakes/apiserver/index.js';

let api: FakeApiserver;
beforeEach(async () => {
  api = await startFakeApiserver();
});
afterEach(async () => {
  await api.close();
});

function runtime() {
  const out: string[] = [];
  const err: string[] = [];
  const rt: Runtime = {
    env: {},
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readStdin: async () => '',
    readFile: () => '',
    now: () => new Date(),
  };
  return { rt, out: () => out.join(''), err: () => err.join('') };
}

const connectTo = () => createKubeClient(api.kubeConfig(), 5000);
const IMAGE = 'registry.example.com/acr/acr-node-setup:0.1.0';

describe('kubectl acr install', () => {
  it('creates the ServiceAccount and DaemonSet, then replaces them carrying the resourceVersion', async () => {
    const first = runtime();
    expect(await runInstall({ image: IMAGE }, first.rt, connectTo)).toBe(0);
    expect(first.out()).toContain('serviceaccount/acr-node-setup created');
    expect(first.out()).toContain('daemonset/acr-node-setup created');
    const ds = api.get('daemonsets', 'kube-system', 'acr-node-setup');
    expect(ds.spec.template.spec.containers[0].image).toBe(IMAGE);
    expect(api.get('serviceaccounts', 'kube-system', 'acr-node-setup')).toBeDefined();

    const second = runtime();
    expect(await runInstall({ image: `${IMAGE}-2` }, second.rt, connectTo)).toBe(0);
    expect(second.out()).toContain('daemonset/acr-node-setup configured');
    expect(api.get('daemonsets', 'kube-system', 'acr-node-setup').spec.template.spec.containers[0].image).toBe(
      `${IMAGE}-2`,
    );
    const puts = api.requests.filter((r: any) => r.method === 'PUT');
    expect(puts.length).toBe(2);
  });

  it('a write that conflicts (409) reads the object again and retries with the new resourceVersion', async () => {
    await runInstall({ image: IMAGE }, runtime().rt, connectTo);
    const real = connectTo();
    const sent: Array<string | undefined> = [];
    let conflicts = 1;
    const flaky = {
      ...real,
      async update<T extends KubeObject>(path: string, body: T, options?: WriteOptions): Promise<T> {
        sent.push(body.metadata.resourceVersion);
        if (path.includes('daemonsets') && conflicts-- > 0) {
          // Someone else writes first: our resourceVersion is stale now.
          const current = api.get('daemonsets', 'kube-system', 'acr-node-setup');
          api.seed({
            ...current,
            metadata: { ...current.metadata, labels: { ...current.metadata.labels, touched: 'yes' } },
          });
          return real.update(path, body, options);
        }
        return real.update(path, body, options);
      },
    };
    const run = runtime();
    expect(await runInstall({ image: `${IMAGE}-3` }, run.rt, () => flaky)).toBe(0);
    expect(api.get('daemonsets', 'kube-system', 'acr-node-setup').spec.template.spec.containers[0].image).toBe(
      `${IMAGE}-3`,
    );
    // ServiceAccount once, DaemonSet twice (stale, then re-read).
    expect(sent.length).toBe(3);
    expect(sent[1]).not.toBe(sent[2]);
  });

  it('--dry-run=client -o yaml prints the objects and calls nothing', async () => {
    const run = runtime();
    expect(
      await runInstall({ image: IMAGE, 'dry-run': 'client', output: 'yaml' }, run.rt, () => {
        throw new Error('must not connect');
      }),
    ).toBe(0);
    const printed = parse(run.out());
    expect(printed.items.map((o: any) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/acr-node-setup',
      'DaemonSet/acr-node-setup',
    ]);
    expect(api.list('daemonsets', 'kube-system')).toEqual([]);
  });

  it('--dry-run=server stores nothing', async () => {
    const run = runtime();
    expect(await runInstall({ image: IMAGE, 'dry-run': 'server' }, run.rt, connectTo)).toBe(0);
    expect(run.out()).toContain('(server dry run)');
    expect(api.list('daemonsets', 'kube-system')).toEqual([]);
  });

  it('refuses without --image', async () => {
    await expect(runInstall({}, runtime().rt, connectTo)).rejects.toThrow(/--image is required/);
  });

  it('readNodeSetupState reports the DaemonSet status', async () => {
    const client = connectTo();
    expect(await readNodeSetupState(client)).toMatchObject({ installed: false });
    await runInstall({ image: IMAGE }, runtime().rt, connectTo);
    const ds = api.get('daemonsets', 'kube-system', 'acr-node-setup');
    api.seed({ ...ds, status: { desiredNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3 } });
    expect(await readNodeSetupState(client)).toEqual({
      installed: true,
      image: IMAGE,
      desired: 3,
      ready: 2,
      updated: 3,
    });
  });
});
