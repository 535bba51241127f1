// acr-credential-provider: the kubelet runs this once per image to pull, with
// a CredentialProviderRequest on stdin. Kept small on purpose: a cache hit
// must start and answer about as fast as an empty executable, so the cold
// path (YAML, cloud clients) is loaded only on a miss.
import { HELP, parseCli } from './provider-cli.js';
import type { MatchImages } from './match-images.js';
import { collectingLogger, provideCredentials, type ColdPath } from './provide-credentials.js';
import { formatFailure } from './provider-error.js';
import { versionLine } from '../common/version.js';
import { loadBundle } from '../common/bundle-loader.js';
import { readStdin, writeAll } from '../common/standard-streams.js';

/** The name of the cold-path bundle among the executable's assets (build.mjs). */
const COLD_PATH_ASSET = 'cold-path.cjs';

type ColdModule = { coldPath: ColdPath; matchImages: MatchImages };

/** The cold path: a second bundle in the executable; from source, a plain module. */
async function loadColdModule(): Promise<ColdModule> {
  // openapi-core calls url.parse(); the deprecation warning would be a second
  // stderr line in front of the one an operator needs.
  process.noDeprecation = true;
  // A variable specifier, so esbuild leaves the cold path out of this bundle.
  const specifier = './cold-path.js';
  const cold = await loadBundle<Partial<ColdModule>>(COLD_PATH_ASSET, () => import(specifier));
  if (!cold.coldPath || !cold.matchImages)
    throw new Error(`the ${COLD_PATH_ASSET} asset lacks coldPath or matchImages`);
  return { coldPath: cold.coldPath, matchImages: cold.matchImages };
}

const loadColdPath = async (): Promise<ColdPath> => (await loadColdModule()).coldPath;

async function main(args: string[]): Promise<number> {
  const cli = parseCli(args);
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

/**
 * The role's entry point (the launcher calls it). Exits as soon as the
 * answer is written: output is written synchronously, and an HTTP keep-alive
 * socket left open by a cloud client must not hold the kubelet's pull for
 * seconds.
 */
export function run(args: string[]): void {
  main(args).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // Only the error's class and code: an unexpected error's message could quote anything.
      const what =
        error instanceof Error
          ? `${error.name}${(error as NodeJS.ErrnoException).code ? ` ${(error as NodeJS.ErrnoException).code}` : ''}`
          : typeof error;
      writeAll(
        2,
        `${formatFailure({ exitCode: 1, code: 'InternalError', message: `unexpected failure (${what})` })}\n`,
      );
      process.exit(1);
    },
  );
}
