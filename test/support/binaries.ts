import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type BinaryName = 'acr-credential-provider' | 'kubectl-acr' | 'acr-node-setup' | 'empty-sea';

/** What the executables are built from. */
const SOURCES = [
  'provider',
  'plugin',
  'node-setup',
  'scripts/empty-sea.ts',
  'build.mjs',
  'package.json',
  'package-lock.json',
];

function newestSource(path: string): { path: string; mtimeMs: number } {
  const stat = statSync(path);
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  return readdirSync(path)
    .map((entry) => newestSource(join(path, entry)))
    .reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a), { path, mtimeMs: 0 });
}

let newest: { path: string; mtimeMs: number } | undefined;

/**
 * Path of a built executable; `npm test` builds them before vitest starts.
 * One older than a source it is built from would test yesterday's code
 * without saying so: that is refused, with the command that rebuilds.
 */
export function binaryPath(name: BinaryName): string {
  const path = join(repoRoot, 'dist', name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  newest ??= SOURCES.map((source) => newestSource(join(repoRoot, source))).reduce((a, b) =>
    b.mtimeMs > a.mtimeMs ? b : a,
  );
  if (statSync(path).mtimeMs < newest.mtimeMs) {
    throw new Error(
      `dist/${name} is older than ${relative(repoRoot, newest.path)}: it would test stale code. Run \`npm run build\` (or \`npm test\`, which builds first).`,
    );
  }
  return path;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

/**
 * Runs any program and collects its output. The environment is exactly
 * `PATH`, `HOME` and what `options.env` adds: nothing from the developer's
 * shell (credentials, endpoints, KUBECONFIG) leaks into a test.
 */
export function runProcess(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** Runs a built executable (see runProcess for the environment it gets). */
export function runBinary(name: BinaryName, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runProcess(binaryPath(name), args, options);
}
