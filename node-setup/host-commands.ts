// Commands run on the host: restarting the kubelet, asking whether it is
// healthy, asking its version. They are operator-overridable strings, split
// into words here and run without a shell (the image has none); through
// nsenter into PID 1's namespaces by default, since the pod has hostPID.
import { spawn } from 'node:child_process';

const ON_HOST = 'nsenter -t 1 -m -u -i -n -p --';
export const DEFAULT_RESTART_COMMAND = `${ON_HOST} systemctl restart kubelet`;
export const DEFAULT_HEALTH_COMMAND = `${ON_HOST} systemctl is-active --quiet kubelet`;
export const DEFAULT_VERSION_COMMAND = `${ON_HOST} kubelet --version`;
export const DEFAULT_HEALTHZ_URL = 'http://127.0.0.1:10248/healthz';

/** Splits a command like a POSIX shell would for plain words, '…' and "…" (no expansions). */
export function commandWords(command: string): string[] {
  const result: string[] = [];
  for (const match of command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s"'\\]|\\.)+)/g)) {
    result.push(
      match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? match[3]!.replace(/\\(.)/g, '$1')),
    );
  }
  return result;
}

export interface CommandResult {
  code: number | null;
  output: string;
}

export function runCommand(command: string, timeoutMs = 120_000): Promise<CommandResult> {
  const [file, ...args] = commandWords(command);
  if (file === undefined) return Promise.resolve({ code: 127, output: 'empty command' });
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', (error) => resolve({ code: 127, output: `${file}: ${error.message}` }));
    child.on('close', (code) => resolve({ code, output: output.trim() }));
  });
}

export interface HealthOptions {
  command: string;
  /** '' = no HTTP check. */
  healthzUrl: string;
  timeoutMs: number;
  intervalMs: number;
}

/** How many checks in a row must pass: a kubelet that fails on its config is "active" for a moment before systemd restarts it. */
export const CONSECUTIVE_PASSES = 3;

async function healthzPasses(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

export type Health = { ok: true } | { ok: false; lastOutput: string };

/** Polls until the kubelet passes CONSECUTIVE_PASSES checks in a row, or the timeout. */
export async function waitHealthy(
  options: HealthOptions,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<Health> {
  const deadline = Date.now() + options.timeoutMs;
  let passes = 0;
  let lastOutput: string;
  for (;;) {
    const result = await runCommand(options.command, Math.max(1000, deadline - Date.now()));
    const healthy = result.code === 0 && (options.healthzUrl === '' || (await healthzPasses(options.healthzUrl)));
    lastOutput =
      result.code === 0
        ? healthy
          ? ''
          : `${options.healthzUrl} did not answer 200`
        : `\`${options.command}\` exited ${result.code}${result.output ? `: ${result.output}` : ''}`;
    passes = healthy ? passes + 1 : 0;
    if (passes >= CONSECUTIVE_PASSES) return { ok: true };
    if (Date.now() >= deadline) return { ok: false, lastOutput };
    await sleep(options.intervalMs);
  }
}
