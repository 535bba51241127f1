// mirror --watch in-process: reconciles, restarts only on real changes,
// and keeps the readiness marker honest.
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isReady, watch } from '../../node-setup/watch.js';
import { makeHost, watchedHost, type Host } from './host-fixture.js';

const hosts: Host[] = [];
afterEach(() => {
  for (const host of hosts.splice(0)) host.cleanup();
});

function setup() {
  const { h, options, setData, logs, readyFile } = watchedHost();
  hosts.push(h);
  const run = (rounds: number) => watch({ install: options, intervalMs: 1, readyFile, rounds });
  const matchImages = (): string[] =>
    parse(h.read('/etc/kubernetes/credential-provider-config.yaml')).providers[0].matchImages;
  return { h, setData, logs, readyFile, run, matchImages };
}

describe('watch', () => {
  it('installs once, then rounds with nothing new restart nothing; a new custom domain updates matchImages with one restart', async () => {
    const { h, setData, readyFile, run, matchImages } = setup();
    setData({ 'acr-registry-info': '- instanceId: ""\n  regionId: cn-hangzhou\n' });
    await run(3);
    expect(h.restarts()).toBe(1);
    expect(isReady(readyFile, 60_000).ready).toBe(true);

    setData({
      'acr-registry-info': '- instanceId: "cri-abc"\n  regionId: cn-hangzhou\n  domains: "registry.example.com"\n',
    });
    await run(2);
    expect(matchImages()).toContain('registry.example.com');
    expect(h.restarts()).toBe(2);
    expect(isReady(readyFile, 60_000).ready).toBe(true);
  });

  it('an invalid ConfigMap makes the pod unready, keeps the last valid configuration and restarts nothing', async () => {
    const { h, setData, logs, readyFile, run } = setup();
    setData({ 'watch-namespace': 'all' });
    await run(1);
    const valid = h.read('/etc/kubernetes/acr/acr-configuration.yaml');
    setData({ 'watch-namespace': 'all', 'acr-registry-info': '- instanceId: "cri-abc"\n  expireDuration: 12\n' });
    await run(3);
    expect(isReady(readyFile, 60_000)).toMatchObject({ ready: false, reason: expect.stringContaining('missing') });
    expect(h.read('/etc/kubernetes/acr/acr-configuration.yaml')).toBe(valid);
    expect(h.restarts()).toBe(1);
    // The same problem is logged once per watcher, not once per round.
    expect(logs.filter((l) => l.includes('expireDuration')).length).toBe(1);
  });

  it('a kubelet that stays unhealthy is rolled back, the pod is unready, and the next attempt waits', async () => {
    const { h, setData, readyFile, run } = setup();
    setData({});
    h.failHealth(true);
    await run(3);
    // One failed attempt (restart + restart after rollback); later rounds only check.
    expect(h.restarts()).toBe(2);
    expect(isReady(readyFile, 60_000).ready).toBe(false);
    expect(h.exists('/etc/kubernetes/credential-provider-config.yaml')).toBe(false);
  });
});

describe('isReady', () => {
  it('a stale marker is not ready', () => {
    const h = makeHost({ layout: 'ack' });
    hosts.push(h);
    const file = join(h.work, 'ready');
    writeFileSync(file, 'x');
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    expect(isReady(file, 60_000)).toMatchObject({ ready: false, reason: expect.stringContaining('old') });
    expect(isReady(file, 600_000).ready).toBe(true);
  });
});
