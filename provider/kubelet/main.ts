// acr-credential-provider: the kubelet runs this once per image to pull, with
// a CredentialProviderRequest on stdin. Kept small on purpose: a cache hit
// must start and answer about as fast as an empty executable, so the cold
// path (YAML, cloud clients) is loaded only on a miss.
import { readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { HELP, parseCli } from './provider-cli.js';
import type { MatchImages } from './match-images.js';
import { collectingLogger, provideCredentials, type ColdPath } from './provide-credentials.js';
import { formatFailure } from './provider-error.js';
import { versionLine } from '../common/version.js';

/** The name of the cold-path bundle among the executable's SEA assets (build.mjs). */
const COLD_PATH_ASSET = 'cold-path.cjs';

/**
 * In the executable, the cold path is a separate CommonJS bundle shipped as
 * an asset and compiled on first use; from source (tests, tsx) it is a plain
 * module. The import specifier is a variable so esbuild leaves it out of the
 * main bundle.
 */
async function loadColdModule(): Promise<{ coldPath: ColdPath; matchImages: MatchImages }> {
  // openapi-core calls url.parse(); the deprecation warning would be a second
  // stderr line in front of the one an operator needs.
  process.noDeprecation = true;
  // Built-ins the hit path does not need are loaded here, not imported at the top.
  const sea = process.getBuiltinModule('node:sea');
  if (sea.isSea()) {
    const source = sea.getAsset(COLD_PATH_ASSET, 'utf8');
    const filename = `${process.execPath}#${COLD_PATH_ASSET}`;
    // A CommonJS wrapper: (exports, require, module, __filename, __dirname) => void.
    const load = process
      .getBuiltinModule('node:vm')
      .compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename }) as (
      ...args: unknown[]
    ) => void;
    const module = { exports: {} as { coldPath?: ColdPath; matchImages?: MatchImages } };
    load(
      module.exports,
      process.getBuiltinModule('node:module').createRequire(process.execPath),
      module,
      filename,
      dirname(process.execPath),
    );
    const { coldPath, matchImages } = module.exports;
    if (!coldPath || !matchImages) throw new Error(`the ${COLD_PATH_ASSET} asset lacks coldPath or matchImages`);
    return { coldPath, matchImages };
  }
  const specifier = './cold-path.js';
  return (await import(specifier)) as { coldPath: ColdPath; matchImages: MatchImages };
}

const loadColdPath = async (): Promise<ColdPath> => (await loadColdModule()).coldPath;

/**
 * Writes straight to the file descriptor: creating process.stdout's stream
 * object costs a cache hit more than all its other work. The kubelet's pipes
 * are blocking, but a descriptor someone made non-blocking answers EAGAIN
 * when full: then try again.
 */
function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text);
  for (let offset = 0; offset < data.length;) {
    try {
      offset += writeSync(fd, data, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

/**
 * Reads stdin to its end. Synchronous (no stream objects on the hot path);
 * a descriptor someone made non-blocking answers EAGAIN until data comes:
 * then wait a millisecond and read again.
 */
function readStdin(): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.allocUnsafe(64 * 1024);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let read: number;
    try {
      read = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      if (code === 'EOF') break;
      throw error;
    }
    if (read === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  if (cli.kind === 'version') {
    writeAll(1, `${versionLine('acr-credential-provider')}\n`);
    return 0;
  }
  if (cli.kind === 'help') {
    writeAll(1, HELP);
    return 0;
  }
  if (cli.kind === 'usage-error') {
    writeAll(2, `${formatFailure({ exitCode: 2, message: `usage: ${cli.message}` })}\n`);
    return 2;
  }
  if (cli.kind === 'match-images') {
    const { options } = cli;
    const stderr: string[] = [];
    const logger = collectingLogger(options.logLevel, stderr);
    const outcome = await (await loadColdModule()).matchImages({ options, env: process.env, now: Date.now, logger });
    writeAll(1, outcome.stdout);
    const lines = [...stderr, ...outcome.stderr];
    if (lines.length > 0) writeAll(2, lines.map((line) => `${line}\n`).join(''));
    return outcome.exitCode;
  }
  let stdin: string;
  try {
    stdin = readStdin();
  } catch (error) {
    writeAll(
      2,
      `${formatFailure({ exitCode: 2, message: `cannot read the request from stdin (${(error as NodeJS.ErrnoException).code ?? 'error'})` })}\n`,
    );
    return 2;
  }
  const outcome = await provideCredentials(stdin, {
    options: cli.options,
    env: process.env,
    now: Date.now,
    loadColdPath,
  });
  if (outcome.stdout) writeAll(1, outcome.stdout);
  if (outcome.stderr.length > 0) writeAll(2, outcome.stderr.map((line) => `${line}\n`).join(''));
  return outcome.exitCode;
}

// Exit as soon as the answer is written: output is written synchronously, and
// an HTTP keep-alive socket left open by a cloud client must not hold the
// kubelet's pull for seconds.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Only the error's class and code: an unexpected error's message could quote anything.
    const what =
      error instanceof Error
        ? `${error.name}${(error as NodeJS.ErrnoException).code ? ` ${(error as NodeJS.ErrnoException).code}` : ''}`
        : typeof error;
    writeAll(2, `${formatFailure({ exitCode: 1, code: 'InternalError', message: `unexpected failure (${what})` })}\n`);
    process.exit(1);
  },
);
