import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandWords, CONSECUTIVE_PASSES, runCommand, waitHealthy } from '../../node-setup/host-commands.js';

describe('commandWords', () => {
  it.each([
    [
      'nsenter -t 1 -m -- systemctl restart kubelet',
      ['nsenter', '-t', '1', '-m', '--', 'systemctl', 'restart', 'kubelet'],
    ],
    [`sh -c 'exit 3'`, ['sh', '-c', 'exit 3']],
    ['say "a \\"b\\"" c\\ d', ['say', 'a "b"', 'c d']],
    ['  ', []],
  ])('%s', (command, expected) => {
    expect(commandWords(command)).toEqual(expected);
  });
});

describe('runCommand / waitHealthy', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports exit codes and output, and a command that does not exist', async () => {
    expect(await runCommand(`sh -c 'echo out; exit 3'`)).toEqual({ code: 3, output: 'out' });
    expect((await runCommand('/nonexistent/command')).code).toBe(127);
  });

  it(`passes only after ${CONSECUTIVE_PASSES} healthy checks in a row`, async () => {
    dir = mkdtempSync(join(tmpdir(), 'health-'));
    const script = join(dir, 'health');
    // Healthy, unhealthy, then healthy for good: a kubelet crash-looping once.
    writeFileSync(
      script,
      `#!/bin/sh\nn=$(cat ${dir}/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${dir}/n\n[ $n -ne 2 ]\n`,
    );
    chmodSync(script, 0o755);
    const result = await waitHealthy({ command: script, healthzUrl: '', timeoutMs: 10_000, intervalMs: 1 });
    expect(result).toEqual({ ok: true });
    expect(readFileSync(join(dir, 'n'), 'utf8').trim()).toBe(String(2 + CONSECUTIVE_PASSES));
  });

  it('fails with the last output when the timeout passes', async () => {
    const result = await waitHealthy({
      command: `sh -c 'echo inactive; exit 3'`,
      healthzUrl: '',
      timeoutMs: 50,
      intervalMs: 10,
    });
    expect(result).toEqual({ ok: false, lastOutput: expect.stringContaining('exited 3: inactive') });
  });
});
