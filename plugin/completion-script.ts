// The completion scripts `kubectl acr completion <shell>` prints. They all
// ask the binary itself (`__complete`, plugin/completion.ts), so they never
// go stale.

import type { Argv } from 'yargs';
import { KUBECTL_COMPLETION_NAME } from '../provider/common/executable-names.js';

export const completionShells = ['bash', 'zsh', 'kubectl'] as const;
export type CompletionShell = (typeof completionShells)[number];

/**
 * `kubectl`: the `kubectl_complete-acr` executable kubectl looks for on PATH;
 * `bash`/`zsh`: completion of `kubectl-acr` called directly. All of them ask
 * the binary itself (`__complete`), so they never go stale.
 */
export function completionScript(shell: CompletionShell): string {
  switch (shell) {
    case 'kubectl':
      return `#!/bin/sh\n# Install as an executable named ${KUBECTL_COMPLETION_NAME} on PATH: kubectl then completes \`kubectl acr …\`.\nexec kubectl-acr __complete "$@"\n`;
    case 'bash':
    case 'zsh':
      return [
        ...(shell === 'zsh' ? ['autoload -U +X bashcompinit && bashcompinit'] : []),
        '_kubectl_acr_complete() {',
        "  local IFS=$'\\n'",
        '  COMPREPLY=($(kubectl-acr __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null | grep -v "^:"))',
        '}',
        'complete -F _kubectl_acr_complete kubectl-acr',
        '',
      ].join('\n');
  }
}

export function completionBuilder(yargs: Argv): Argv {
  return yargs
    .positional('shell', { choices: completionShells, demandOption: true })
    .example(
      '$0 completion kubectl > ~/.local/bin/kubectl_complete-acr && chmod +x ~/.local/bin/kubectl_complete-acr',
      'Let kubectl complete `kubectl acr …`',
    )
    .example('source <(kubectl-acr completion bash)', 'Complete kubectl-acr itself in bash');
}
