// Shell completion for `kubectl acr …`. kubectl (1.26+) completes a plugin
// by running `kubectl_complete-<plugin> <args…> <word being completed>` and
// reading Cobra's `__complete` format: one candidate per line, then
// `:<directive>`. The same binary answers that when called by that name
// (a symlink) or with `__complete` as its first argument.

import { buildCli } from './cli.js';
import type { Runtime } from './runtime.js';
import { KUBECTL_COMPLETION_NAME } from './completion-script.js';

/** Cobra's ShellCompDirectiveNoFileComp: do not fall back to file names. */
const NO_FILE_COMPLETION = 4;

export function isKubectlCompletion(invokedAs: string, args: string[]): boolean {
  return invokedAs === KUBECTL_COMPLETION_NAME || args[0] === '__complete';
}

/** Candidates for the last word of `args` (the words after `kubectl acr`), in Cobra's format. */
export async function completeForKubectl(args: string[], runtime: Runtime): Promise<string> {
  const words = args[0] === '__complete' ? args.slice(1) : args;
  const current = words.at(-1) ?? '';
  // yargs formats candidates for zsh/fish when $SHELL says so; Cobra's format is plain.
  const saved = { SHELL: process.env.SHELL, ZSH_NAME: process.env.ZSH_NAME };
  delete process.env.SHELL;
  delete process.env.ZSH_NAME;
  // yargs completes subcommands only inside its own parse of
  // `--get-yargs-completions`, and prints the candidates with console.log.
  const candidates: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => void candidates.push(parts.map(String).join(' '));
  try {
    const cli = buildCli(
      ['--get-yargs-completions', 'kubectl-acr', ...(words.length > 0 ? words : [''])],
      runtime,
      () => undefined,
    ).exitProcess(false);
    await cli.parseAsync();
  } finally {
    console.log = log;
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
  const matching = [...new Set(candidates.flatMap((line) => line.split('\n')))].filter(
    (candidate) => candidate !== '' && candidate.startsWith(current),
  );
  return [...matching, `:${NO_FILE_COMPLETION}`].join('\n') + '\n';
}
