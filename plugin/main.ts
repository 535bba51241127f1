// kubectl-acr: `kubectl acr <command>` once on PATH. Invoked as
// `kubectl_complete-acr` (kubectl's plugin completion convention) it answers
// completion requests instead. Completion, `--version` and `--help` answer
// from the command table alone; yargs and everything a command needs load
// only for a command.
import { fstatSync } from 'node:fs';
import { completeForKubectl, isKubectlCompletion } from './completion.js';
import { helpWidth, topLevelHelp } from './top-level-help.js';
import { EXIT, type ExitCode } from '../provider/common/exit-codes.js';
import { PLUGIN_NAME } from '../provider/common/executable-names.js';
import { versionLine } from '../provider/common/version.js';
import { writeAll } from '../provider/common/standard-streams.js';

/** The terminal's width; asked only of a terminal (creating the stdout stream costs a start). */
function terminalColumns(): number | undefined {
  return fstatSync(1).isCharacterDevice() ? process.stdout.columns : undefined;
}

/** Answers that need no parser: completion, and the one-word `--version` and `--help`. */
function quickAnswer(args: string[], invokedAs: string): string | undefined {
  if (isKubectlCompletion(invokedAs, args)) return completeForKubectl(args);
  if (args.length !== 1) return undefined;
  if (args[0] === '--version') return `${versionLine(PLUGIN_NAME)}\n`;
  if (args[0] === '--help' || args[0] === '-h') return topLevelHelp(helpWidth(terminalColumns()));
  return undefined;
}

async function main(args: string[], invokedAs: string): Promise<ExitCode | undefined> {
  const quick = quickAnswer(args, invokedAs);
  if (quick !== undefined) {
    writeAll(1, quick);
    return EXIT.ok;
  }
  // The Alibaba Cloud SDK calls url.parse(); its deprecation warning is noise on stderr.
  process.noDeprecation = true;
  const { buildCli, UsageReported } = await import('./cli.js');
  const { processRuntime } = await import('./runtime.js');
  let exitCode: ExitCode | undefined;
  try {
    await buildCli(args, processRuntime(), (code) => (exitCode = code)).parseAsync();
  } catch (error) {
    if (!(error instanceof UsageReported)) throw error;
  }
  return exitCode;
}

/** The role's entry point (the launcher calls it with the name it was started by). */
export function run(args: string[], invokedAs: string): void {
  main(args, invokedAs).then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}
