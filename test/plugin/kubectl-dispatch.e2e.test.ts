// The real kubectl finding `kubectl-acr` on PATH: `kubectl acr …` runs the
// built binary, with kubectl's KUBECONFIG, and its completion convention.

import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { binaryPath, runProcess, type RunResult } from '../support/binaries.js';
import { configMap, startHarness, type PluginHarness } from './plugin-harness.js';
import { node, providerPod } from './cluster-objects.js';

const kubectlAvailable = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

let h: PluginHarness;
let bin: string;
beforeEach(async () => {
  h = await startHarness();
  bin = join(h.dir, 'bin');
  mkdirSync(bin);
  symlinkSync(binaryPath('kubectl-acr'), join(bin, 'kubectl-acr'));
  symlinkSync(binaryPath('kubectl-acr'), join(bin, 'kubectl_complete-acr'));
});
afterEach(async () => {
  await h.close();
});

function kubectl(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runProcess('kubectl', args, {
    env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: h.dir, ...env },
  });
}

test('kubectl is installed for this test', () => {
  expect(kubectlAvailable).toBe(true);
});

test('`kubectl acr status` runs the plugin from PATH and passes its exit code through', async () => {
  h.api.seed([configMap({ 'watch-namespace': 'default' }), node('node-1'), providerPod('node-1', true)]);
  const healthy = await kubectl(['acr', 'status', '--kubeconfig', h.kubeconfig]);
  expect(healthy.stderr).toBe('');
  expect(healthy.code).toBe(0);
  expect(healthy.stdout).toContain('Result: healthy');

  h.api.seed(configMap({ 'expiring-threshold': 'soon' }));
  const invalid = await kubectl(['acr', 'status', '--kubeconfig', h.kubeconfig]);
  expect(invalid.code).toBe(2);
  expect(invalid.stdout).toContain('expiring-threshold `soon` is not a duration');
});

test('KUBECONFIG with several files and --context reach the plugin as kubectl merges them', async () => {
  h.api.seed([configMap({ 'watch-namespace': 'default' }), node('node-1'), providerPod('node-1', true)]);
  const decoy = join(h.dir, 'decoy');
  // The first file's current-context points nowhere reachable; the fake is picked by --context from the second file.
  writeFileSync(
    decoy,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'decoy', cluster: { server: 'http://127.0.0.1:9' } }],
      users: [{ name: 'decoy', user: { token: 'x' } }],
      contexts: [{ name: 'decoy', context: { cluster: 'decoy', user: 'decoy' } }],
      'current-context': 'decoy',
    }),
  );
  const second = join(h.dir, 'second');
  h.api.writeKubeconfig(second, { context: 'fake-ctx' });
  const viaContext = await kubectl(['acr', 'status', '-o', 'json', '--context', 'fake-ctx'], {
    KUBECONFIG: `${decoy}:${second}`,
  });
  expect(viaContext.code, viaContext.stderr).toBe(0);
  expect(JSON.parse(viaContext.stdout).health).toBe('healthy');

  const viaCurrent = await kubectl(['acr', 'status', '--request-timeout', '2s'], { KUBECONFIG: `${decoy}:${second}` });
  expect(viaCurrent.code).toBe(1);
  expect(viaCurrent.stderr).toContain('http://127.0.0.1:9');
});

test('`kubectl acr configure` writes through kubectl dispatch', async () => {
  const result = await kubectl(['acr', 'configure', '--instance-id', 'cri-abc123', '--kubeconfig', h.kubeconfig]);
  expect(result.code, result.stderr).toBe(0);
  expect(h.api.get('configmaps', 'kube-system', 'acr-configuration')?.data).toEqual({
    'acr-registry-info': '- instanceId: "cri-abc123"\n',
  });
});

test("kubectl's plugin completion calls kubectl_complete-acr", async () => {
  const commands = await kubectl(['__complete', 'acr', 'st']);
  expect(commands.code).toBe(0);
  expect(commands.stdout.split('\n')).toEqual(['status', ':4', '']);
  const flags = await kubectl(['__complete', 'acr', 'configure', '--inst']);
  expect(flags.stdout.split('\n')).toEqual(['--instance-id', ':4', '']);
  const values = await kubectl(['__complete', 'acr', 'status', '-o', '']);
  expect(values.stdout.split('\n')).toEqual(['table', 'json', 'yaml', ':4', '']);
});

test('--help of every command has examples', async () => {
  for (const command of [[], ['configure'], ['status'], ['credentials'], ['install'], ['completion']]) {
    const result = await kubectl(['acr', ...command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:');
  }
});

test('`kubectl acr completion kubectl` prints a kubectl_complete-acr that kubectl uses', async () => {
  const script = await kubectl(['acr', 'completion', 'kubectl']);
  expect(script.code).toBe(0);
  rmSync(join(bin, 'kubectl_complete-acr'));
  writeFileSync(join(bin, 'kubectl_complete-acr'), script.stdout, { mode: 0o755 });
  const result = await kubectl(['__complete', 'acr', 'configure', '--dry-run', '']);
  expect(result.stdout.split('\n')).toEqual(['none', 'client', 'server', ':4', '']);
});

test('`kubectl-acr completion bash` completes kubectl-acr in bash', () => {
  const result = spawnSync(
    'bash',
    [
      '-c',
      'source <(kubectl-acr completion bash); COMP_WORDS=(kubectl-acr cre); COMP_CWORD=1; _kubectl_acr_complete; printf "%s\\n" "${COMPREPLY[@]}"',
    ],
    { env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: h.dir }, encoding: 'utf8' },
  );
  expect(result.stdout).toBe('credentials\n');
});
