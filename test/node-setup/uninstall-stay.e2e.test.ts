// acr-node-setup uninstall --stay, the DaemonSet's uninstall mode, on a
// temporary host root: once the node is restored it says so to the
// readiness probe and keeps running; when the restore fails it writes why to
// the termination log (what kubectl acr uninstall shows) and exits 1.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runBinary, startBinary } from '../support/binaries.js';
import { makeHost, type Host } from './host-fixture.js';

const hosts: Host[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.cleanup();
});

async function installed(): Promise<Host> {
  const h = makeHost({ layout: 'kubeadm-deb', glibc: '2.36' });
  hosts.push(h);
  expect((await runBinary('acr-node-setup', ['install', ...h.installArgs()])).code).toBe(0);
  return h;
}

it('restores the node, marks it ready and keeps running', async () => {
  const h = await installed();
  const ready = join(h.work, 'ready');
  const run = startBinary('acr-node-setup', ['uninstall', ...h.kubeletArgs(), '--stay', '--ready-file', ready]);
  await run.waitFor(/waiting to be deleted/);
  expect(readFileSync(ready, 'utf8')).toMatch(/^restored /);
  expect(h.exists('/etc/kubernetes/credential-provider/acr-credential-provider')).toBe(false);
  expect(await run.stop()).toBeNull();
});

it('a restore the kubelet does not survive: the reason in the termination log, exit 1', async () => {
  const h = await installed();
  h.failHealth(true);
  const log = join(h.work, 'termination-log');
  const result = await runBinary('acr-node-setup', [
    'uninstall',
    ...h.kubeletArgs(),
    '--stay',
    '--ready-file',
    join(h.work, 'ready'),
    '--termination-log',
    log,
  ]);
  expect(result.code).toBe(1);
  expect(readFileSync(log, 'utf8')).toMatch(/^Every file was restored, but the kubelet did not come back healthy/);
  expect(existsSync(join(h.work, 'ready'))).toBe(false);
});
