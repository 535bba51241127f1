// acr-credential-provider: the kubelet runs this once per image to pull, with
// a CredentialProviderRequest on stdin. Kept small on purpose: a cache hit
// must start and answer about as fast as an empty executable, so the cold
// path (YAML, cloud clients) is loaded only on a miss.
import { HELP, parseCli } from './provider-cli.js';
import { collectingLogger, provideCredentials } from './provide-credentials.js';
import { loadColdModule, loadColdPath } from './cold-path-loader.js';
import { formatFailure } from './provider-error.js';
import { versionLine } from '../common/version.js';
import { readStdin, writeAll, writeLines } from '../common/standard-streams.js';
import { PROVIDER_NAME } from '../common/executable-names.js';

async function main(args: string[]): Promise<number> {
  const cli = parseCli(args);
  if (cli.kind === 'version') {
    writeAll(1, `${versionLine(PROVIDER_NAME)}\n`);
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
    writeLines(2, [...stderr, ...outcome.stderr]);
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
  writeLines(2, outcome.stderr);
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
