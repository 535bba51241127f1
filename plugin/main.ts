// kubectl-acr: `kubectl acr <command>` once on PATH. Invoked as
// `kubectl_complete-acr` (kubectl's plugin completion convention) it answers
// completion requests instead.

import { basename } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { buildCli, UsageReported } from './cli.js';
import { completeForKubectl, isKubectlCompletion } from './completion.js';
import { processRuntime } from './runtime.js';
import { EXIT, type ExitCode } from '../provider/common/exit-codes.js';

async function main(): Promise<ExitCode | undefined> {
  // The Alibaba Cloud SDK calls url.parse(); its deprecation warning is noise on stderr.
  process.noDeprecation = true;
  const runtime = processRuntime();
  const args = hideBin(process.argv);
  if (isKubectlCompletion(basename(process.argv0), args)) {
    runtime.stdout(await completeForKubectl(args, runtime));
    return EXIT.ok;
  }
  let exitCode: ExitCode | undefined;
  try {
    await buildCli(args, runtime, (code) => (exitCode = code)).parseAsync();
  } catch (error) {
    if (!(error instanceof UsageReported)) throw error;
  }
  return exitCode;
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failure;
  },
);
