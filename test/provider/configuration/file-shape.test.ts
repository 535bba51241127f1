// The shape mistakes of a whole manifest, by table: a broken `metadata` block
// read around (only when it alone is broken), block values that are not
// indented, and keys beside `data:`.
import { describe, expect, it } from 'vitest';
import { isMap, type Pair } from 'yaml';
import type { Problem } from '../../../provider/common/problem.js';
import {
  FILE_OPTIONS,
  manifestKeyProblems,
  parseWithoutBrokenMetadata,
  unindentedBlockValues,
} from '../../../provider/configuration/file-shape.js';
import { splitLines } from '../../../provider/configuration/lines.js';
import { parseYaml, type ParsedYaml } from '../../../provider/configuration/yaml.js';

const lines = (...text: string[]) => text.join('\n') + '\n';

const MANIFEST = lines(
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: acr-configuration',
  ' namespace: kube-system',
  'data:',
  '  watch-namespace: all',
);

function failedAt(...problems: Partial<Problem>[]): ParsedYaml {
  const problem = (p: Partial<Problem>): Problem => ({
    severity: 'error',
    code: 'yaml-syntax',
    message: 'All mapping items must start at the same column.',
    fix: '',
    ...p,
  });
  return { ...parseYaml(MANIFEST, FILE_OPTIONS), problems: problems.map(problem) };
}

describe('parseWithoutBrokenMetadata', () => {
  it('reads the file with the metadata lines blanked and warns where YAML failed', () => {
    const failed = parseYaml(MANIFEST, FILE_OPTIONS);
    expect(failed.document).toBeUndefined();
    const result = parseWithoutBrokenMetadata(MANIFEST, failed);
    expect(result?.parsed.document?.toJS()).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: null,
      data: { 'watch-namespace': 'all' },
    });
    expect(result?.parsed.lines.length).toBe(failed.lines.length);
    expect(result?.warning).toEqual({
      severity: 'warning',
      code: 'metadata-ignored',
      line: 5,
      column: 1,
      message:
        "The manifest's `metadata` is not valid YAML (All mapping items must start at the same column); it was ignored, since only `data` matters here.",
      fix: 'Line up the keys under `metadata` (`name`, `namespace`) with the same number of spaces.',
    });
  });

  // Line 3 is `metadata:`, lines 4–5 its block, line 6 `data:`.
  it.each<[string, ParsedYaml, number | undefined]>([
    ['an error on the metadata line itself', failedAt({ line: 3 }), undefined],
    ['an error on the first line of the block', failedAt({ line: 4 }), 4],
    ['an error on the last line of the block', failedAt({ line: 5 }), 5],
    ['an error on the key after the block', failedAt({ line: 6 }), undefined],
    ['an error of another kind', failedAt({ line: 5, code: 'tab-indentation' }), undefined],
    ['an error without a line', failedAt({ line: undefined }), undefined],
    ['a warning before the error is passed over', failedAt({ line: 2, severity: 'warning' }, { line: 5 }), 5],
    ['only warnings', failedAt({ line: 5, severity: 'warning' }), undefined],
  ])('%s', (_name, failed, warnedAt) => {
    expect(parseWithoutBrokenMetadata(MANIFEST, failed)?.warning.line).toBe(warnedAt);
  });

  it.each<[string, string, boolean]>([
    ['a comment after `metadata:`', MANIFEST.replace('metadata:', 'metadata:   # ours'), true],
    ['spaces after `metadata:`', MANIFEST.replace('metadata:', 'metadata:  '), true],
    ['metadata as the last block', lines('data:', '  rrsa: "false"', 'metadata:', '  name: a', ' namespace: b'), true],
    ['no metadata', MANIFEST.replace('metadata:', 'metadata2:'), false],
    ['a metadata key nested deeper', MANIFEST.replace('metadata:', ' metadata:'), false],
    ['a metadata with a value on its line', MANIFEST.replace('metadata:', 'metadata: x'), false],
    [
      'a file still broken without its metadata',
      MANIFEST.replace('  watch-namespace: all', '  rrsa: a\n  rrsa: b'),
      false,
    ],
  ])('%s', (_name, text, read) => {
    const failed = parseYaml(text, FILE_OPTIONS);
    expect(parseWithoutBrokenMetadata(text, failed) !== undefined).toBe(read);
  });
});

describe('unindentedBlockValues', () => {
  const problemsOf = (text: string) =>
    unindentedBlockValues(splitLines(text)).map((p) => [p.code, p.key, p.line, p.column, p.message, p.fix]);
  const refused = (key: string, header: string, line: number, column: number) => [
    'block-not-indented',
    key,
    line,
    column,
    `The lines after \`${key}: ${header}\` are not indented more than \`${key}\`, so they are not part of its value.`,
    `Indent every line of the \`${key}\` value two spaces more than \`${key}\`.`,
  ];

  it.each<[string, string, unknown[]]>([
    [
      'a list at the level of its key',
      lines('acr-registry-info: |', '- instanceId: a'),
      [refused('acr-registry-info', '|', 2, 1)],
    ],
    [
      'after blank lines',
      lines('acr-registry-info: |', '', '   ', '- instanceId: a'),
      [refused('acr-registry-info', '|', 4, 1)],
    ],
    [
      'a list item that is not an entry, under a nested key',
      lines('data:', '  acr-registry-info: |-', '  - cri-abc'),
      [refused('acr-registry-info', '|-', 3, 3)],
    ],
    [
      'an entry that is not a top-level key',
      lines('acr-registry-info: >', 'instanceId: a'),
      [refused('acr-registry-info', '>', 2, 1)],
    ],
    ['indented as it should be', lines('acr-registry-info: |', '  - instanceId: a'), []],
    ['an empty block followed by the next key', lines('acr-registry-info: |', 'watch-namespace: all'), []],
    ['a nested block header on the last line', lines('data:', '  custom: |'), []],
    ['a header followed only by blank lines', lines('acr-registry-info: |', '', ''), []],
    ['a value that is not a block header', lines('acr-registry-info: x', '- instanceId: a'), []],
  ])('%s', (_name, text, expected) => {
    expect(problemsOf(text)).toEqual(expected);
  });
});

describe('manifestKeyProblems', () => {
  const problemsOf = (text: string) => {
    const parsed = parseYaml(text, FILE_OPTIONS);
    const root = parsed.document?.contents;
    if (!isMap(root)) throw new Error('not a map');
    return manifestKeyProblems(root.items as Pair[], parsed).map((p) => [p.severity, p.code, p.key, p.line, p.column]);
  };
  it.each<[string, string, unknown[]]>([
    ['ConfigMap fields only', lines('apiVersion: v1', 'kind: ConfigMap', 'data: {}'), []],
    ['a setting beside data', lines('kind: ConfigMap', 'rrsa: "true"'), [['error', 'key-outside-data', 'rrsa', 2, 1]]],
    [
      'a legacy key beside data',
      lines('kind: ConfigMap', 'acr-registry: x'),
      [['error', 'key-outside-data', 'acr-registry', 2, 1]],
    ],
    ['an unknown field', lines('kind: ConfigMap', 'extra: 1'), [['warning', 'unknown-manifest-field', 'extra', 2, 1]]],
    [
      'a key that is not a scalar',
      lines('kind: ConfigMap', '? [a]', ': 1'),
      [['warning', 'unknown-manifest-field', '', 2, 3]],
    ],
  ])('%s', (_name, text, expected) => {
    expect(problemsOf(text)).toEqual(expected);
  });
});
