// Completion and the top-level --help read the command table without yargs;
// these tables hold them to what yargs itself accepts.
import { describe, expect, it } from 'vitest';
import { completeForKubectl, completionCandidates, isKubectlCompletion } from '../../plugin/completion.js';
import { COMMANDS, commandName } from '../../plugin/command-table.js';
import { helpWidth, topLevelHelp, wrapWords } from '../../plugin/top-level-help.js';

describe('completionCandidates', () => {
  it.each([
    { words: [''], candidates: ['configure', 'status', 'credentials', 'install', 'uninstall', 'sync', 'completion'] },
    { words: ['st'], candidates: ['status'] },
    { words: ['c'], candidates: ['configure', 'credentials', 'completion'] },
    { words: ['configure', '--inst'], candidates: ['--instance-id'] },
    { words: ['status', '--'], candidates: ['--kubeconfig', '--context', '--request-timeout', '--output', '--help'] },
    { words: ['--context', 'prod', 'st'], candidates: ['status'] },
    { words: ['--kube'], candidates: ['--kubeconfig'] },
    { words: ['status', '-o', ''], candidates: ['table', 'json', 'yaml'] },
    { words: ['status', '--output', 'j'], candidates: ['json'] },
    { words: ['configure', '--dry-run', ''], candidates: ['none', 'client', 'server'] },
    { words: ['install', '--dry-run', 's'], candidates: ['server'] },
    { words: ['completion', ''], candidates: ['bash', 'zsh', 'kubectl'] },
    { words: ['completion', 'z'], candidates: ['zsh'] },
    { words: ['completion', '--kubeconfig', '/tmp/k', ''], candidates: ['bash', 'zsh', 'kubectl'] },
    { words: ['completion', '--kubeconfig=/tmp/k', 'b'], candidates: ['bash'] },
    { words: ['completion', '--help', 'k'], candidates: ['kubectl'] },
    { words: ['completion', '--kubeconfig=/tmp/k', 'bash', ''], candidates: [] },
    { words: ['completion', '--help', 'bash', ''], candidates: [] },
    { words: ['status', '-'], candidates: ['--kubeconfig', '--context', '--request-timeout', '--output', '--help'] },
    { words: ['status', '-x', ''], candidates: [] },
    { words: ['completion', 'bash', ''], candidates: [] },
    { words: ['credentials', ''], candidates: [] },
    { words: ['credentials', '--region', 'cn-hangzhou', ''], candidates: [] },
    { words: ['configure', '--personal', ''], candidates: [] },
    { words: ['status', '--context', ''], candidates: [] },
  ])('$words', ({ words, candidates }) => {
    expect(completionCandidates(words)).toEqual(candidates);
  });

  it("answers in Cobra's __complete format, never falling back to file names", () => {
    const all = `${COMMANDS.map(commandName).join('\n')}\n:4\n`;
    expect(completeForKubectl(['__complete', 'sy'])).toBe('sync\n:4\n');
    // kubectl_complete-acr gets the words without `__complete`.
    expect(completeForKubectl(['sy'])).toBe('sync\n:4\n');
    expect(completeForKubectl(['__complete'])).toBe(all);
    expect(completeForKubectl([])).toBe(all);
  });

  it.each([
    { invokedAs: 'kubectl_complete-acr', args: ['st'], completion: true },
    { invokedAs: 'kubectl-acr', args: ['__complete', 'st'], completion: true },
    { invokedAs: 'kubectl-acr', args: ['status', '__complete'], completion: false },
    { invokedAs: 'kubectl-acr', args: ['status'], completion: false },
  ])('isKubectlCompletion($invokedAs, $args)', ({ invokedAs, args, completion }) => {
    expect(isKubectlCompletion(invokedAs, args)).toBe(completion);
  });
});

describe('topLevelHelp', () => {
  it('lists every command, the connection flags and the examples, within the width', () => {
    const help = topLevelHelp(80);
    for (const entry of COMMANDS) expect(help).toContain(`kubectl acr ${entry.command}`);
    for (const flag of ['--kubeconfig', '--context', '--request-timeout', '--help', '--version'])
      expect(help).toContain(flag);
    expect(help).toContain('Examples:\n  kubectl acr status\n');
    expect(help.split('\n').filter((line) => line.length > 80)).toEqual([
      '  kubectl acr credentials my-registry.cn-hangzhou.cr.aliyuncs.com/team/app:1.0 --check',
    ]);
  });

  it('is laid out in columns, word for word, at the width of a pipe (100)', () => {
    expect(topLevelHelp(helpWidth(undefined))).toBe(HELP_AT_100);
  });

  it.each([
    { columns: undefined, width: 100 },
    { columns: 0, width: 100 },
    { columns: 80, width: 80 },
    { columns: 200, width: 120 },
  ])('helpWidth($columns) = $width', ({ columns, width }) => {
    expect(helpWidth(columns)).toBe(width);
  });

  it.each([
    { text: 'aa bb', width: 5, lines: ['aa bb'] },
    { text: 'aa bb', width: 4, lines: ['aa', 'bb'] },
    { text: 'a\tbb\nccc', width: 80, lines: ['a bb ccc'] },
    { text: 'a bb ccc dddd', width: 6, lines: ['a bb', 'ccc', 'dddd'] },
    { text: 'averyveryverylongword x', width: 5, lines: ['averyveryverylongword', 'x'] },
    { text: '  spaced   out  ', width: 20, lines: ['spaced out'] },
    { text: '', width: 10, lines: [] },
  ])('wrapWords($text, $width)', ({ text, width, lines }) => {
    expect(wrapWords(text, width)).toEqual(lines);
  });
});

const HELP_AT_100 =
  'kubectl acr <command> [options]\n\nManage and diagnose the kube-system/acr-configuration ConfigMap: ACR credentials for Kubernetes\nnodes.\n\nCommands:\n  kubectl acr configure            Create or update kube-system/acr-configuration without editing\n                                   YAML\n  kubectl acr status               Show the configuration as understood, every problem with its fix,\n                                   the nodes and the Secret sync\n  kubectl acr credentials <image>  Walk the credential chain for one image and show each step with\n                                   its outcome\n  kubectl acr install              Install the ACR credential provider on every node (DaemonSet\n                                   kube-system/acr-node-setup)\n  kubectl acr uninstall            Restore every node (the DaemonSet in uninstall mode), then delete\n                                   what install created\n  kubectl acr sync                 Keep ACR pull Secrets on the ServiceAccounts in scope fresh (for\n                                   nodes that cannot run the provider)\n  kubectl acr completion <shell>   Print a completion script: kubectl (the kubectl_complete-acr\n                                   helper), bash or zsh\n\nCluster connection:\n  --kubeconfig       Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)\n                     [string]\n  --context          The kubeconfig context to use [string]\n  --request-timeout  How long to wait for each API request (e.g. 30s, 1m; 0 = no limit) [string]\n\nOptions:\n  -h, --help  Show help [boolean]\n  --version   Show the version [boolean]\n\nExamples:\n  kubectl acr status\n      Show the configuration, every problem, the nodes and the Secret sync\n  kubectl acr configure --instance-id cri-abc123 --region cn-hangzhou\n      Pull from an Enterprise Edition instance\n  kubectl acr credentials my-registry.cn-hangzhou.cr.aliyuncs.com/team/app:1.0 --check\n      Explain how a pull of this image gets credentials\n';
