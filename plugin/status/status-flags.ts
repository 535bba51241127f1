// The flags of `kubectl acr status`: loaded for --help and completion, without the command.
import type { Argv } from 'yargs';
import { outputOption, type OutputFormat } from '../output-flag.js';
import type { GlobalArgs } from '../runtime.js';

export interface StatusArgs extends GlobalArgs {
  output: OutputFormat;
}

export function statusBuilder(yargs: Argv): Argv {
  return yargs
    .option('output', outputOption)
    .example('$0 status', 'Configuration, problems with line and fix, nodes, Secret sync')
    .example('$0 status -o json | jq .problems', 'Problems for a script')
    .example(
      '$0 status --context prod && echo healthy',
      'Exit code: 0 healthy, 1 problems found, 2 invalid configuration',
    );
}
