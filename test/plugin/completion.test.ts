// Completion and the top-level --help read the command table without yargs;
// these tables hold them to what yargs itself accepts.
import { describe, expect, it } from 'vitest';
import { completeForKubectl, completionCandidates } from '../../plugin/completion.js';
import { COMMANDS, commandName } from '../../plugin/command-table.js';
import { topLevelHelp, wrapWords } from '../../plugin/top-level-help.js';

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
    { words: ['completion', 'bash', ''], candidates: [] },
    { words: ['credentials', ''], candidates: [] },
    { words: ['credentials', '--region', 'cn-hangzhou', ''], candidates: [] },
    { words: ['configure', '--personal', ''], candidates: [] },
    { words: ['status', '--context', ''], candidates: [] },
  ])('$words', ({ words, candidates }) => {
    expect(completionCandidates(words)).toEqual(candidates);
  });

  it("answers in Cobra's __complete format, never falling back to file names", () => {
    expect(completeForKubectl(['__complete', 'sy'])).toBe('sync\n:4\n');
    expect(completeForKubectl([])).toBe(`${COMMANDS.map(commandName).join('\n')}\n:4\n`);
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

  it.each([
    { text: 'a bb ccc dddd', width: 6, lines: ['a bb', 'ccc', 'dddd'] },
    { text: 'averyveryverylongword x', width: 5, lines: ['averyveryverylongword', 'x'] },
    { text: '  spaced   out  ', width: 20, lines: ['spaced out'] },
    { text: '', width: 10, lines: [] },
  ])('wrapWords($text, $width)', ({ text, width, lines }) => {
    expect(wrapWords(text, width)).toEqual(lines);
  });
});
