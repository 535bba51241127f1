// Custom domains nobody listed, in-process: node-setup asks the provider's
// match-images (a stand-in here) only when an instance lists no domains,
// keeps the answer with the configuration it was for, asks again when that
// changes, after a day, or five minutes after a failure, and keeps the last
// known domains (and the pod not ready) while look-ups fail.
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Discover } from '../../node-setup/domain-discovery.js';
import { isReady, watch } from '../../node-setup/watch.js';
import { watchedHost, type Host } from './host-fixture.js';

const hosts: Host[] = [];
afterEach(() => {
  for (const host of hosts.splice(0)) host.cleanup();
});

const NO_DOMAINS = '- instanceId: "cri-abc"\n  regionId: cn-hangzhou\n';

function setup() {
  let answer: Awaited<ReturnType<Discover>> = { ok: true, customDomains: [] };
  let calls = 0;
  let now = Date.UTC(2026, 11, 1);
  const { h, options, setData, logs, readyFile } = watchedHost({
    discover: () => {
      calls++;
      return Promise.resolve(answer);
    },
    now: () => now,
  });
  hosts.push(h);
  return {
    h,
    setData,
    logs,
    answer: (a: typeof answer) => (answer = a),
    calls: () => calls,
    advance: (ms: number) => (now += ms),
    run: (rounds = 1) => watch({ install: options, intervalMs: 1, readyFile, rounds }),
    ready: () => isReady(readyFile, 60_000).ready,
    matchImages: (): string[] =>
      parse(h.read('/etc/kubernetes/credential-provider-config.yaml')).providers[0].matchImages,
  };
}

describe('custom domains of instances that list none', () => {
  it('are looked up once per configuration and day, and reach matchImages', async () => {
    const s = setup();
    s.setData({ 'acr-registry-info': NO_DOMAINS });
    s.answer({ ok: true, customDomains: ['registry.example.com', 'harbor.example.org:8443'] });
    await s.run(3);
    expect(s.calls()).toBe(1);
    expect(s.matchImages()).toEqual(expect.arrayContaining(['registry.example.com', 'harbor.example.org:8443']));
    expect(s.ready()).toBe(true);
    expect(s.h.restarts()).toBe(1);

    // The instance drops a domain: seen after a day, with one restart.
    s.answer({ ok: true, customDomains: ['registry.example.com'] });
    s.advance(23 * 3600_000);
    await s.run();
    expect(s.calls()).toBe(1);
    s.advance(3600_000);
    await s.run();
    expect(s.calls()).toBe(2);
    expect(s.matchImages()).toContain('registry.example.com');
    expect(s.matchImages()).not.toContain('harbor.example.org:8443');
    expect(s.h.restarts()).toBe(2);

    // A new configuration is looked up at once.
    s.setData({ 'acr-registry-info': NO_DOMAINS, 'expiring-threshold': '20m' });
    await s.run();
    expect(s.calls()).toBe(3);
  });

  it('a failed look-up keeps the last known domains, says why, and the pod is not ready until one succeeds', async () => {
    const s = setup();
    s.setData({ 'acr-registry-info': NO_DOMAINS });
    s.answer({ ok: true, customDomains: ['registry.example.com'] });
    await s.run();
    s.setData({ 'acr-registry-info': NO_DOMAINS, 'expiring-threshold': '20m' });
    s.answer({ ok: false, message: 'ListInstanceEndpoint failed: Forbidden.RAM' });
    await s.run(2);
    expect(s.calls()).toBe(2);
    expect(s.matchImages()).toContain('registry.example.com');
    expect(s.ready()).toBe(false);
    expect(s.logs.join('\n')).toContain(
      'could not be looked up (ListInstanceEndpoint failed: Forbidden.RAM); the kubelet keeps the last known ones: registry.example.com',
    );
    // Five minutes later it asks again.
    s.answer({ ok: true, customDomains: ['registry.example.com'] });
    s.advance(5 * 60_000);
    await s.run();
    expect(s.calls()).toBe(3);
    expect(s.ready()).toBe(true);
  });

  it('are not looked up when every instance lists its domains', async () => {
    const s = setup();
    s.setData({ 'acr-registry-info': `${NO_DOMAINS}  domains: "registry.example.com"\n` });
    await s.run(2);
    expect(s.calls()).toBe(0);
    expect(s.matchImages()).toContain('registry.example.com');
  });
});
