import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type BinaryName =
  | 'acr-credentials'
  | 'acr-credential-provider'
  | 'kubectl-acr'
  | 'acr-node-setup'
  | 'docker-credential-acr'
  | 'empty-sea';

/** Each role's name and the arguments that print its version line. */
export const ROLE_VERSION_CALLS = [
  ['acr-credential-provider', ['--version']],
  ['kubectl-acr', ['--version']],
  ['acr-node-setup', ['--version']],
  ['docker-credential-acr', ['version']],
] as const;

/** What the executables are built from. */
const SOURCES = [
  'provider',
  'plugin',
  'node-setup',
  'launcher',
  'docker-credential',
  'scripts/empty-sea.ts',
  'scripts/code-cache.mjs',
  'scripts/platform-node.mjs',
  'scripts/platform-node.json',
  'scripts/lazy-string-width.cjs',
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
  return builtPath(join(repoRoot, 'dist', name));
}

/** Where build.mjs puts each other platform's executable and links. */
export const PLATFORM_DIRS = { 'linux-arm64': 'linux-arm64', 'win-x64': 'windows-amd64' } as const;

/** Path of a built executable (or role link) of another platform, refused when stale like binaryPath. */
export function platformBinaryPath(platform: keyof typeof PLATFORM_DIRS, name: string): string {
  return builtPath(join(repoRoot, 'dist', PLATFORM_DIRS[platform], name));
}

/** The arm64 emulator and the sysroot of Debian's arm64 cross glibc: how this amd64 machine runs arm64 executables. */
export const ARM64_EMULATION = ['qemu-aarch64-static', '-L', '/usr/aarch64-linux-gnu'] as const;

/** Runs a built linux/arm64 executable under qemu-user-static (see runProcess for the environment it gets). */
export function runArm64(name: BinaryName, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const [emulator, ...emulatorArgs] = ARM64_EMULATION;
  return runProcess(emulator, [...emulatorArgs, platformBinaryPath('linux-arm64', name), ...args], options);
}

function builtPath(path: string): string {
  const name = relative(join(repoRoot, 'dist'), path);
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

/** `PATH`, `HOME` and what `options.env` adds: nothing from the developer's shell. */
function childEnvironment(options: RunOptions): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  return env;
}

/**
 * Runs any program and collects its output. The environment is exactly
 * `PATH`, `HOME` and what `options.env` adds: nothing from the developer's
 * shell (credentials, endpoints, KUBECONFIG) leaks into a test.
 */
export function runProcess(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const env = childEnvironment(options);
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

export interface RunningProcess {
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr matches `pattern`; rejects after `timeoutMs` with what was printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves with the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process ends by itself. */
  exited(): Promise<number | null>;
}

/** Starts a built executable that keeps running (a controller), with the environment runProcess gives. */
export function startBinary(name: BinaryName, args: string[], options: RunOptions = {}): RunningProcess {
  const env = childEnvironment(options);
  const child = spawn(binaryPath(name), args, { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((check) => check());
  child.stdout.setEncoding('utf8').on('data', (d: string) => ((out += d), notify()));
  child.stderr.setEncoding('utf8').on('data', (d: string) => ((err += d), notify()));
  return {
    stdout: () => out,
    stderr: () => err,
    exited: () => exited,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(out) ?? pattern.exec(err);
          if (!match) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(match);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
