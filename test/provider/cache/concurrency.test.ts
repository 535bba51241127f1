// The node-start storm: the kubelet de-duplicates per image, not per
// registry, so many provider processes for one registry start at once with a
// cold cache. They must make one token request between them, survive a holder
// killed mid-flight, and never let a torn file or an unusable cache crash them.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binaryPath, runProcess, type RunResult } from '../../support/binaries.js';
import {
  lastIssuedPassword,
  parseResponse,
  requestFor,
  startNode,
  WORKER_PRINCIPAL,
  type Node,
} from '../e2e/harness.js';

let node: Node;

const IMAGE = 'acme-registry.cn-hangzhou.cr.aliyuncs.com/team/app';
const HOST = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';

beforeEach(async () => {
  node = await startNode();
  node.writeConfig(`acr-registry-info: |
  - instanceId: cri-acme
    regionId: cn-hangzhou
    domains: ${HOST}
`);
  node.fake.addInstance({
    instanceId: 'cri-acme',
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [{ domain: HOST, type: 'SYSTEM' }],
    allowedPrincipals: [WORKER_PRINCIPAL],
  });
});

afterEach(async () => {
  await node.close();
});

/** A pid that certainly belongs to no running process: one that has just exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

interface ReadOnly {
  /** Runs the provider with the cache directory read-only. */
  wrap(args: string[]): { file: string; args: string[] };
  restore(): void;
}

/**
 * A cache directory the provider cannot write. Root ignores file modes, so as
 * root the directory is bind-mounted read-only in a private mount namespace
 * (the provider sees EROFS); otherwise its modes are taken away (EACCES).
 */
async function readOnlyCache(dir: string): Promise<ReadOnly> {
  const provider = binaryPath('acr-credential-provider');
  if (process.getuid?.() === 0) {
    return {
      wrap: (args) => ({
        file: 'unshare',
        args: ['--mount', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', dir, provider, ...args],
      }),
      restore: () => undefined,
    };
  }
  const files = readdirSync(dir).map((name) => join(dir, name));
  for (const file of files) chmodSync(file, 0o400);
  chmodSync(dir, 0o500);
  return {
    wrap: (args) => ({ file: provider, args }),
    restore: () => chmodSync(dir, 0o700),
  };
}

function runReadOnly(readOnly: ReadOnly, stdin: string): Promise<RunResult> {
  const { file, args } = readOnly.wrap(['--config', node.configPath, '--cache-dir', node.cacheDir]);
  return runProcess(file, args, { env: node.env, stdin });
}

describe('concurrent cold invocations', () => {
  it('32 at once for one registry: exactly one GetAuthorizationToken, all 32 answer with that token', async () => {
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) => node.pull(`${IMAGE}-${i}`)));
    expect(node.fake.count('GetAuthorizationToken')).toBe(1);
    // The waiters did not fetch node credentials either: they waited for the holder's answer.
    expect(node.fake.count('MetadataCredentials')).toBe(1);
    const password = lastIssuedPassword(node.fake);
    for (const result of results)
      expect(parseResponse(result).auth[HOST]).toEqual({ username: 'cr_temp_user', password });
    // No lock is left behind.
    expect(readdirSync(node.cacheDir).filter((name) => name.endsWith('.lock'))).toEqual([]);
  }, 120_000);

  it('two hosts of one instance at once (public and VPC): still one GetAuthorizationToken, shared through the token lock', async () => {
    const vpc = 'acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com';
    node.writeConfig(
      `acr-registry-info: |\n  - instanceId: cri-acme\n    regionId: cn-hangzhou\n    domains: ${HOST},${vpc}\n`,
    );
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => node.pull(`${i % 2 ? HOST : vpc}/team/app-${i}`)),
    );
    expect(node.fake.count('GetAuthorizationToken')).toBe(1);
    const password = lastIssuedPassword(node.fake);
    for (const result of results) {
      const auth = parseResponse(result).auth;
      expect([auth[HOST]?.password, auth[vpc]?.password]).toEqual([password, password]);
    }
  }, 120_000);

  it('32 at once while the instance refuses the node: one GetAuthorizationToken, all 32 report its failure', async () => {
    node.fake.addInstance({
      instanceId: 'cri-acme',
      instanceName: 'acme',
      region: 'cn-hangzhou',
      domains: [{ domain: HOST, type: 'SYSTEM' }],
      allowedPrincipals: ['user/somebody-else'],
    });
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) => node.pull(`${IMAGE}-${i}`)));
    // The first process fails; the ones that waited on it take its answer rather than repeat it.
    // (A process the machine starts only after that failure tries again itself: hence "at most 3", not 32.)
    expect(node.fake.count('GetAuthorizationToken')).toBeLessThanOrEqual(3);
    for (const result of results) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('code NoPrivilege');
    }
  }, 120_000);

  it('a holder killed (SIGKILL) while fetching leaves a lock the next invocation takes over', async () => {
    node.fake.fault('GetAuthorizationToken', { latencyMs: 20_000, times: 1 });
    const holder = spawn(
      binaryPath('acr-credential-provider'),
      ['--config', node.configPath, '--cache-dir', node.cacheDir],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...node.env },
        stdio: ['pipe', 'ignore', 'ignore'],
      },
    );
    holder.stdin.end(requestFor(IMAGE));
    // Wait until the holder is inside the token call, holding its locks.
    for (let i = 0; i < 200 && node.fake.count('GetAuthorizationToken') === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(node.fake.count('GetAuthorizationToken')).toBe(1);
    expect(readdirSync(node.cacheDir).filter((name) => name.endsWith('.lock')).length).toBeGreaterThan(0);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));

    const response = parseResponse(await node.pull(IMAGE));
    expect(response.auth[HOST]?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.count('GetAuthorizationToken')).toBe(2);
  }, 60_000);
});

describe('damaged or unusable cache', () => {
  it('files are 0600 in a 0700 directory; garbage in every cache file is ignored and refetched', async () => {
    parseResponse(await node.pull(IMAGE));
    expect(statSync(node.cacheDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(node.cacheDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      expect({ file, mode: statSync(join(node.cacheDir, file)).mode & 0o777 }).toEqual({ file, mode: 0o600 });

    for (const file of files)
      writeFileSync(join(node.cacheDir, file), '{"schema":1,"kind":"token","value":{"username":');
    const result = await node.pull(IMAGE);
    expect(parseResponse(result).auth[HOST]?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.count('GetAuthorizationToken')).toBe(2);
  });

  it('a write cut short (temp file left, no rename) and a lock of a dead process do not block the next run', async () => {
    parseResponse(await node.pull(IMAGE));
    const tokenFile = readdirSync(node.cacheDir).find((name) => name.startsWith('token.') && name.endsWith('.json'))!;
    // What a SIGKILL between write and rename leaves: the temp file; and a truncated token file as if written in place.
    writeFileSync(join(node.cacheDir, `.${tokenFile}.12345.deadbeef.tmp`), '{"schema":1,"kind":"tok', { mode: 0o600 });
    writeFileSync(
      join(node.cacheDir, tokenFile),
      '{"schema":1,"kind":"token","value":{"username":"cr_temp_user","passw',
    );
    writeFileSync(
      join(node.cacheDir, tokenFile.replace(/\.json$/, '.lock')),
      JSON.stringify({ pid: await deadPid(), since: Date.now(), nonce: 'dead' }),
    );

    const response = parseResponse(await node.pull(IMAGE));
    expect(response.auth[HOST]?.password).toBe(lastIssuedPassword(node.fake));
    expect(node.fake.count('GetAuthorizationToken')).toBe(2);
  });

  it('a read-only cache: a hit still answers from it, a miss still answers (without caching, with a warning)', async () => {
    node.fake.allowPersonal('cn-hangzhou', [WORKER_PRINCIPAL]);
    const warm = parseResponse(await node.pull(IMAGE));
    const readOnly = await readOnlyCache(node.cacheDir);
    try {
      const hit = await runReadOnly(readOnly, requestFor(IMAGE));
      expect(parseResponse(hit).auth[HOST]).toEqual(warm.auth[HOST]);
      const miss = await runReadOnly(readOnly, requestFor('registry.cn-hangzhou.aliyuncs.com/team/app'));
      expect(parseResponse(miss).auth['registry.cn-hangzhou.aliyuncs.com']?.password).toBe(
        lastIssuedPassword(node.fake),
      );
      expect(miss.stderr).toMatch(/warning: cannot cache the token .*(EROFS|EACCES)/);
      expect(node.fake.count('GetAuthorizationToken')).toBe(1);
    } finally {
      readOnly.restore();
    }
  });

  it('an unusable cache directory still answers, with a warning on stderr', async () => {
    const blocker = join(node.root, 'not-a-directory');
    writeFileSync(blocker, '');
    const result = await node.run(requestFor(IMAGE), ['--cache-dir', join(blocker, 'cache')]);
    expect(parseResponse(result).auth[HOST]?.password).toBe(lastIssuedPassword(node.fake));
    expect(result.stderr).toContain('not usable');
    for (const token of node.fake.issuedTokens()) expect(result.stderr).not.toContain(token.password);
  });

  it('a cache directory created too open is tightened to 0700', async () => {
    mkdirSync(node.cacheDir, { recursive: true, mode: 0o755 });
    parseResponse(await node.pull(IMAGE));
    expect(statSync(node.cacheDir).mode & 0o777).toBe(0o700);
  });
});
