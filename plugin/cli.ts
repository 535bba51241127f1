// The command line of kubectl-acr: global flags as kubectl spells them,
// one yargs command per subcommand, exit codes 0/1/2.

import yargs, { type Argv } from 'yargs';
import { loadBundle } from '../provider/common/bundle-loader.js';
import { versionLine } from '../provider/common/version.js';
import { completionScript, type CompletionShell } from './completion-script.js';
import {
  COMMANDS,
  commandName,
  CONNECTION_GROUP,
  DEMAND_COMMAND,
  DESCRIPTION,
  EXAMPLES,
  GLOBAL_OPTIONS,
  SCRIPT_NAME,
  USAGE,
} from './command-table.js';
import { helpWidth } from './top-level-help.js';
import { PLUGIN_NAME } from '../provider/common/executable-names.js';
import type { Runtime } from './runtime.js';
import type { commands, reportFailure } from './commands.js';
import { EXIT, type ExitCode } from '../provider/common/exit-codes.js';

/** Thrown after a usage error has been reported, to stop yargs; the exit code is already set. */
export class UsageReported extends Error {}

interface CommandsModule {
  commands: typeof commands;
  reportFailure: typeof reportFailure;
}

/** The commands' bundle (build.mjs), loaded when a command runs: never for --help, --version or completion. */
const COMMANDS_ASSET = 'kubectl-acr-commands.cjs';
let loadedCommands: Promise<CommandsModule> | undefined;

function loadCommands(): Promise<CommandsModule> {
  // A variable specifier, so esbuild leaves the commands out of this bundle.
  const specifier = './commands.js';
  loadedCommands ??= loadBundle<CommandsModule>(COMMANDS_ASSET, () => import(specifier));
  return loadedCommands;
}

type Handler = (args: Record<string, unknown>) => Promise<void>;

/**
 * What a command does: print a completion script, or run the command's body
 * from the commands' bundle; whatever a body throws becomes a message and an
 * exit code. yargs has checked the arguments against the command's flags.
 */
function commandHandler(runtime: Runtime, setExit: (code: ExitCode) => void, name: string): Handler {
  if (name === 'completion') {
    return (args) => {
      runtime.stdout(completionScript(args['shell'] as CompletionShell));
      setExit(EXIT.ok);
      return Promise.resolve();
    };
  }
  return async (args) => {
    const loaded = await loadCommands();
    const body = loaded.commands[name as keyof typeof commands] as (
      args: unknown,
      runtime: Runtime,
    ) => Promise<ExitCode>;
    try {
      setExit(await body(args, runtime));
    } catch (error) {
      setExit(loaded.reportFailure(error, runtime));
    }
  };
}

export function buildCli(argv: string[], runtime: Runtime, setExit: (code: ExitCode) => void): Argv {
  let cli = yargs(argv)
    .scriptName(SCRIPT_NAME)
    .usage(`${USAGE}\n\n${DESCRIPTION}`)
    .options(GLOBAL_OPTIONS)
    .group(Object.keys(GLOBAL_OPTIONS), CONNECTION_GROUP);
  for (const entry of COMMANDS) {
    cli = cli.command(
      entry.command,
      entry.describe,
      entry.builder,
      commandHandler(runtime, setExit, commandName(entry)),
    );
  }
  for (const [command, description] of EXAMPLES) cli = cli.example(command, description);
  return cli
    .demandCommand(1, DEMAND_COMMAND)
    .recommendCommands()
    .strict()
    .help()
    .alias('help', 'h')
    .version('version', 'Show the version', versionLine(PLUGIN_NAME))
    .wrap(helpWidth(process.stdout.columns))
    .fail((message, error) => {
      if (error) throw error;
      runtime.stderr(`error: ${message}\nSee 'kubectl acr --help' for usage.\n`);
      setExit(EXIT.usage);
      // Stops yargs from going on to run the command.
      throw new UsageReported();
    });
}
