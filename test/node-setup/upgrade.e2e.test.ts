// Upgrades in place through the built acr-node-setup on a temporary host
// root: a new provider executable replaces the old one by rename (a kubelet
// exec in flight keeps the old file), an unchanged kubelet configuration
// restarts nothing, and an upgrade the kubelet does not survive is rolled
// back byte for byte.
import { chmodSync, closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runBinary } from '../support/binaries.js';
import { makeHost, type Host } from './host-fixture.js';

const BINARY = '/etc/kubernetes/credential-provider/acr-credential-provider';
const hosts: Host[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.cleanup();
});

function setup() {
  const h = makeHost({ layout: 'kubeadm-deb', glibc: '2.36' });
  hosts.push(h);
  const configmap = join(h.work, 'configmap');
  mkdirSync(configmap);
  const newRelease = (version: string) => {
    // Answers match-images like the fixture's provider, so discovery stays quiet.
    writeFileSync(
      h.providerBinary,
      `#!/bin/sh\nif [ "$1" = match-images ]; then echo '{"matchImages":[],"customDomains":[],"failures":[]}'; else echo "provider ${version}"; fi\n`,
    );
    chmodSync(h.providerBinary, 0o755);
  };
  const install = (data: Record<string, string> = {}) => {
    for (const [key, value] of Object.entries(data)) writeFileSync(join(configmap, key), value);
    return runBinary('acr-node-setup', ['install', ...h.installArgs('1.31.2'), '--configmap-dir', configmap]);
  };
  return { h, newRelease, install };
}

it('a new executable with the same configuration: replaced by rename, the kubelet not restarted', async () => {
  const { h, newRelease, install } = setup();
  newRelease('1.0');
  expect((await install()).code).toBe(0);
  expect(h.restarts()).toBe(1);
  const before = statSync(join(h.root, BINARY)).ino;
  // The kubelet running the provider at this moment holds the old file open.
  const inFlight = openSync(join(h.root, BINARY), 'r');

  newRelease('2.0');
  const upgrade = await install();
  expect(upgrade.code).toBe(0);
  expect(upgrade.stdout).toContain(BINARY);
  expect(h.read(BINARY)).toContain('provider 2.0');
  expect(statSync(join(h.root, BINARY)).ino).not.toBe(before);
  const old = Buffer.alloc(200);
  const n = readSync(inFlight, old, 0, 200, 0);
  closeSync(inFlight);
  expect(old.subarray(0, n).toString()).toContain('provider 1.0');
  expect(h.restarts()).toBe(1);
});

it('an upgrade whose new kubelet configuration the kubelet does not survive is rolled back byte for byte', async () => {
  const { h, newRelease, install } = setup();
  newRelease('1.0');
  expect((await install({ 'acr-registry-info': '- instanceId: ""\n  regionId: cn-hangzhou\n' })).code).toBe(0);
  const installed = h.snapshot();

  newRelease('2.0');
  h.failHealth(true);
  const upgrade = await install({
    'acr-registry-info': '- instanceId: "cri-abc"\n  regionId: cn-hangzhou\n  domains: "registry.example.com"\n',
  });
  expect(upgrade.code).toBe(1);
  expect(upgrade.stderr).toMatch(/rolled back/);
  expect(h.read(BINARY)).toContain('provider 1.0');
  // The binary, the kubelet config, the mirrored configuration and the journal: all as before the upgrade.
  expect(h.snapshot()).toEqual(installed);
});
