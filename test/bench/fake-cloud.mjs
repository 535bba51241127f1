// The TypeScript fake cloud for plain .mjs scripts (the bench, the
// playground): bundled with esbuild to a temp module, then imported.
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `startFakeAlicloud` from test/fakes/alicloud, bundled into `workDir`. */
export async function loadFakeAlicloud(workDir) {
  return (await loadFake(workDir, 'alicloud')).startFakeAlicloud;
}

/** `startFakeApiserver` from test/fakes/apiserver, bundled into `workDir`. */
export async function loadFakeApiserver(workDir) {
  return (await loadFake(workDir, 'apiserver')).startFakeApiserver;
}

function loadFake(workDir, name) {
  return loadModule(workDir, join('test', 'fakes', name, 'index.ts'));
}

/** A TypeScript module of the repository (`path` from its root), bundled and imported. */
export async function loadModule(workDir, path) {
  // Beside the repository's node_modules, so that the packages left out of the bundle resolve.
  const outfile = join(
    repoRoot,
    'node_modules',
    '.cache',
    'acr-bench',
    `${basename(workDir)}-${path.replace(/[^\w]+/g, '-')}.mjs`,
  );
  await build({
    entryPoints: [join(repoRoot, path)],
    packages: 'external',
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}

/** Runs an executable with `stdin` and a minimal environment; resolves with exit code, output and wall time in ms. */
export function run(file, args, { stdin = '', env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    child.stdin.end(stdin);
  });
}

/** Calls per action, in first-seen order. */
export function callCounts(fake) {
  const out = {};
  for (const r of fake.requests) out[r.action] = (out[r.action] ?? 0) + 1;
  return out;
}

export function describeCounts(counts) {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([action, n]) => `${action} ${n}`).join(', ');
}

/**
 * Wall time of one run, measured with spawnSync: no event loop between the
 * clock and the child. Only for runs that make no call to the fake (it
 * cannot answer while this blocks); the timeout turns a mistake into an error.
 */
export function timeSync(file, args, { stdin = '', env = {} } = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, {
    input: stdin,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, ms };
}
