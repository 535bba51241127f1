// Shell completion for `kubectl acr …`. kubectl (1.26+) completes a plugin
// by running `kubectl_complete-<plugin> <args…> <word being completed>` and
// reading Cobra's `__complete` format: one candidate per line, then
// `:<directive>`. The same binary answers that when called by that name
// (a link) or with `__complete` as its first argument. It runs at every TAB
// press, so it reads the command table only: no yargs, no cluster client.
import type { Argv, Options, PositionalOptions } from 'yargs';
import { KUBECTL_COMPLETION_NAME } from '../provider/common/executable-names.js';
import { COMMANDS, commandName, GLOBAL_OPTIONS, type CommandEntry } from './command-table.js';

/** Cobra's ShellCompDirectiveNoFileComp: do not fall back to file names. */
const NO_FILE_COMPLETION = 4;

export function isKubectlCompletion(invokedAs: string, args: string[]): boolean {
  return invokedAs === KUBECTL_COMPLETION_NAME || args[0] === '__complete';
}

interface Flags {
  options: Record<string, Options>;
  positionals: Record<string, PositionalOptions>;
}

/**
 * The flags a command's builder declares, read by handing it a recorder in
 * yargs' place. Builders call only `option`, `positional` and `example`;
 * any other call fails here, and the completion tests run every command.
 */
function declaredFlags(entry: CommandEntry): Flags {
  const flags: Flags = { options: {}, positionals: {} };
  const recorder = {
    option(name: string, option: Options) {
      flags.options[name] = option;
      return recorder;
    },
    positional(name: string, option: PositionalOptions) {
      flags.positionals[name] = option;
      return recorder;
    },
    example() {
      return recorder;
    },
  };
  entry.builder(recorder as unknown as Argv);
  return flags;
}

const choicesOf = (option: Options | PositionalOptions | undefined): string[] =>
  (option?.choices as readonly unknown[] | undefined)?.map(String) ?? [];

/** Every spelling of each flag, `--name` and `-a` for an alias, with the flag. */
function spellings(options: Record<string, Options>): [string, Options][] {
  return Object.entries(options).flatMap(([name, option]) => {
    const aliases = option.alias === undefined ? [] : [option.alias].flat();
    return [
      [`--${name}`, option],
      ...aliases.map((a): [string, Options] => [a.length === 1 ? `-${a}` : `--${a}`, option]),
    ];
  });
}

/** How many positionals come before the word being typed: words after the command that are neither flags nor their values. */
function positionalIndex(before: readonly string[], command: string, all: [string, Options][]): number {
  let index = 0;
  for (let i = before.indexOf(command) + 1; i < before.length; i++) {
    const word = before[i] ?? '';
    if (!word.startsWith('-')) index++;
    else if (!word.includes('=') && all.find(([spelling]) => spelling === word)?.[1].type !== 'boolean') i++;
  }
  return index;
}

/** Candidates for the last of `words` (the words after `kubectl acr`). */
export function completionCandidates(words: readonly string[]): string[] {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const entry = COMMANDS.find((candidate) => before.includes(commandName(candidate)));
  const flags = entry ? declaredFlags(entry) : { options: {}, positionals: {} };
  const all = spellings({ ...GLOBAL_OPTIONS, ...flags.options, help: { type: 'boolean' } });
  const previous = before.at(-1);
  const valueOf = previous?.startsWith('-') ? all.find(([spelling]) => spelling === previous)?.[1] : undefined;
  let candidates: string[];
  if (valueOf && valueOf.type !== 'boolean') candidates = choicesOf(valueOf);
  else if (current.startsWith('-')) candidates = all.map(([spelling]) => spelling).filter((s) => s.startsWith('--'));
  else if (!entry) candidates = COMMANDS.map(commandName);
  else candidates = choicesOf(Object.values(flags.positionals)[positionalIndex(before, commandName(entry), all)]);
  return candidates.filter((candidate) => candidate.startsWith(current));
}

/** The answer to `__complete`, in Cobra's format. */
export function completeForKubectl(args: string[]): string {
  const words = args[0] === '__complete' ? args.slice(1) : args;
  return [...completionCandidates(words), `:${NO_FILE_COMPLETION}`].join('\n') + '\n';
}
