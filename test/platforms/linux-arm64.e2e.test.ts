// The linux/arm64 executable (Yitian node pools), run here under
// qemu-user-static with Debian's arm64 glibc: its code caches are arm64's own,
// each role starts under its name, and the provider answers the kubelet's
// protocol cold and from its cache against the fake cloud.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { platformBinaryPath, ROLE_VERSION_CALLS, runArm64 } from '../support/binaries.js';
import { makeHost, type Host } from '../node-setup/host-fixture.js';
import {
  lastIssuedPassword,
  parseResponse,
  requestFor,
  startNode,
  WORKER_PRINCIPAL,
  type Node,
} from '../provider/e2e/harness.js';

const HOST = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';
const SLOW = 60_000;

describe('dist/linux-arm64/acr-credentials', () => {
  it('is an AArch64 executable', () => {
    const header = execFileSync('readelf', ['-h', platformBinaryPath('linux-arm64', 'acr-credentials')], {
      encoding: 'utf8',
    });
    expect(header).toMatch(/Machine:\s+AArch64/);
  });

  it(
    'loads every bundle with the arm64 code cache V8 made for it',
    async () => {
      const result = await runArm64('acr-credentials', ['--bundles'], { timeoutMs: SLOW });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines).toHaveLength(6);
      for (const line of lines) expect(line.endsWith(' bytes  code cache accepted'), line).toBe(true);
    },
    SLOW,
  );

  it(
    'starts each role under its name',
    async () => {
      for (const [name, args] of ROLE_VERSION_CALLS) {
        const result = await runArm64(name, [...args], { timeoutMs: SLOW });
        expect(result.stdout, name).toMatch(new RegExp(`^${name} \\d+\\.\\d+\\.\\d+ \\(node v24`));
      }
    },
    SLOW,
  );
});

describe('the arm64 provider against the fake cloud', () => {
  let node: Node;
  beforeEach(async () => {
    node = await startNode();
    node.fake.addInstance({
      instanceId: 'cri-acme',
      instanceName: 'acme',
      region: 'cn-hangzhou',
      domains: [{ domain: HOST, type: 'SYSTEM' }],
      allowedPrincipals: [WORKER_PRINCIPAL],
    });
    node.writeConfig(`acr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n`);
  });
  afterEach(async () => {
    await node.close();
  });

  const pull = () =>
    runArm64('acr-credential-provider', ['--config', node.configPath, '--cache-dir', node.cacheDir], {
      stdin: requestFor(`${HOST}/team/app`),
      env: node.env,
      timeoutMs: SLOW,
    });

  it(
    'answers a cold request with the node role, then the next from its cache with no cloud call',
    async () => {
      const cold = parseResponse(await pull());
      expect(cold.auth[HOST]?.password).toBe(lastIssuedPassword(node.fake));
      expect(node.fake.count('GetAuthorizationToken')).toBe(1);
      node.fake.reset();
      const hit = parseResponse(await pull());
      expect(hit.auth[HOST]).toEqual(cold.auth[HOST]);
      expect(node.fake.requests).toEqual([]);
    },
    SLOW,
  );
});

describe('the arm64 acr-node-setup on an arm64 host', () => {
  const hosts: Host[] = [];
  afterEach(() => {
    for (const h of hosts.splice(0)) h.cleanup();
  });
  const arm64Host = (glibc: string) => {
    const h = makeHost({ layout: 'kubeadm-deb', glibc, arch: 'arm64' });
    hosts.push(h);
    return h;
  };

  it(
    'finds the host glibc under /lib/aarch64-linux-gnu and installs the provider and its config',
    async () => {
      const h = arm64Host('2.36');
      const result = await runArm64('acr-node-setup', ['install', ...h.installArgs()], { timeoutMs: SLOW });
      expect(result.code, result.stderr).toBe(0);
      expect(h.read('/etc/kubernetes/credential-provider/acr-credential-provider')).toBe(
        readFileSync(h.providerBinary, 'utf8'),
      );
      expect(parse(h.read('/etc/kubernetes/credential-provider-config.yaml')).providers[0].name).toBe(
        'acr-credential-provider',
      );
    },
    SLOW,
  );

  it(
    'refuses an arm64 host whose glibc is older than 2.28, changing nothing',
    async () => {
      const h = arm64Host('2.17');
      const before = h.snapshot();
      const result = await runArm64('acr-node-setup', ['install', ...h.installArgs()], { timeoutMs: SLOW });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("The host's glibc is 2.17 (/lib/aarch64-linux-gnu/libc.so.6)");
      expect(h.snapshot()).toEqual(before);
    },
    SLOW,
  );
});
