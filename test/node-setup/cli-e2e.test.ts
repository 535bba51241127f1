// The command line of the built acr-node-setup: version, usage errors, the readiness probe.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBinary } from '../support/binaries.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('acr-node-setup command line', () => {
  it('prints its version', async () => {
    const result = await runBinary('acr-node-setup', ['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^acr-node-setup \S+ \(node v24/);
  });

  it.each([
    [[], /Name a command/],
    [['install'], /Missing required argument: host-root/],
    [['frobnicate'], /Unknown argument: frobnicate/],
    [['mirror', '--host-root', '/tmp'], /Missing required argument: configmap-dir/],
    [['install', '--host-root', '/tmp', '--kubelet-version', 'new'], /--kubelet-version new: not a version/],
    [
      ['uninstall', '--host-root', '/tmp', '--health-timeout', '0'],
      /--health-timeout and --health-interval must be positive/,
    ],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const result = await runBinary('acr-node-setup', args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('ready exits 1 without a marker and 0 with a fresh one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ready-'));
    const marker = join(dir, 'ready');
    const missing = await runBinary('acr-node-setup', ['ready', '--ready-file', marker]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('missing');
    writeFileSync(marker, new Date().toISOString());
    const ready = await runBinary('acr-node-setup', ['ready', '--ready-file', marker]);
    expect(ready.code).toBe(0);
    expect(ready.stdout).toContain('installed and configuration current');
  });

  it('uninstall on a node never installed changes nothing and says so', async () => {
    dir = mkdtempSync(join(tmpdir(), 'host-'));
    const result = await runBinary('acr-node-setup', [
      'uninstall',
      '--host-root',
      dir,
      '--restart-command',
      '/bin/false',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Nothing to uninstall');
  });
});
