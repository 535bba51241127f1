// What the YAML layer reports, by table: one problem per line, at the user's
// line and column (for an unclosed quote, where it was opened), with a fixed
// message that never quotes the text and a fix chosen by the kind of mistake.
import { describe, expect, it } from 'vitest';
import { Scalar, type YAMLMap, parseDocument } from 'yaml';
import { parseYaml, scalarText } from '../../../provider/configuration/yaml.js';

const OPTIONS = { knownKeys: ['a', 'b', 'c', 'd'], skipBlockContent: false };
const GENERIC = 'YAML cannot read the text at this position.';
const LINE_UP =
  'Line this key up with the other keys at its level, using spaces only, and put a space after each colon.';
const CLOSE_QUOTE = 'Close the quote opened on this line, or remove it.';

/** [severity, line, column, message, fix] */
type Row = [string, number, number, string, string];

describe('parseYaml problems', () => {
  it.each<[string, string, Row[], boolean]>([
    ['a clean text', 'a: 1\nb: 2\n', [], true],
    [
      'a duplicate key',
      'a: 1\na: 2\n',
      [['error', 2, 1, 'Map keys must be unique.', 'Remove one of the two entries with this key.']],
      false,
    ],
    [
      'a bad escape in double quotes (the message would quote it)',
      'a: "x\\qy"\n',
      [['error', 1, 6, GENERIC, 'Use single quotes, or double each backslash.']],
      false,
    ],
    [
      'a value starting with a reserved character',
      'a: @x\n',
      [['error', 1, 4, GENERIC, 'Put the value in double quotes.']],
      false,
    ],
    [
      'two documents',
      'a: 1\n---\nb: 2\n',
      [
        [
          'error',
          2,
          1,
          'Source contains multiple documents.',
          'Keep only the acr-configuration ConfigMap in this file (one document, no `---`).',
        ],
      ],
      false,
    ],
    [
      'a key out of line',
      'a:\n  b: 1\n c: 2\n',
      [['error', 3, 1, 'All mapping items must start at the same column.', LINE_UP]],
      false,
    ],
    [
      'an unclosed flow sequence',
      'a: [1, 2\n',
      [['error', 2, 1, 'Flow sequence in block collection must be sufficiently indented and end with a ].', LINE_UP]],
      false,
    ],
    ['a stray colon', '- a\n- b\n: c\n', [['error', 3, 1, GENERIC, LINE_UP]], false],
    ['a flow sequence never closed', '[a\n', [['error', 2, 1, 'Flow sequence must end with a ].', LINE_UP]], false],
    [
      'a key over two lines',
      'a\nb: 1\n',
      [
        [
          'error',
          1,
          1,
          'Implicit keys need to be on a single line.',
          'Put each key and its colon on one line; start each mapping entry on a new line.',
        ],
      ],
      false,
    ],
    [
      'a key without a colon',
      'a: 1\nb\n',
      [
        [
          'error',
          2,
          1,
          'Implicit map keys need to be followed by map values.',
          'Write `key: value` with a colon and a space after the key.',
        ],
      ],
      false,
    ],
    ['three errors on one line are one problem', 'a: ]]]\n', [['error', 1, 4, GENERIC, LINE_UP]], false],
    [
      'an unknown tag is a warning and the document stays',
      'a: !foo x\n',
      [
        [
          'warning',
          1,
          4,
          GENERIC,
          'Correct the YAML at this position: keys at one level line up, a space follows each colon, strings with special characters are quoted.',
        ],
      ],
      true,
    ],
  ])('%s', (_name, text, expected, hasDocument) => {
    const parsed = parseYaml(text, OPTIONS);
    expect(parsed.problems.map((p) => [p.severity, p.line, p.column, p.message, p.fix])).toEqual(expected);
    expect(parsed.problems.every((p) => p.code === 'yaml-syntax')).toBe(true);
    expect(parsed.document !== undefined).toBe(hasDocument);
  });

  it.each<[string, string, [number, number], string]>([
    ['a double quote opened two lines above the end', 'a: 1\nb:   "abc\nc: 2\nd: 3\n', [2, 6], '"'],
    ['a single quote', "a: 1\nb: 'abc\nc: 2\n", [2, 4], "'"],
    ['past a line whose quotes are closed', 'a: "x"\nb: "abc\nc: "y"\nd: 3', [2, 4], '"'],
    ['a quote opened on the first line', 'a: "abc\nb: 2\n', [1, 4], '"'],
  ])('an unclosed quote is reported where it was opened: %s', (_name, text, [line, column], quote) => {
    const parsed = parseYaml(text, OPTIONS);
    expect(parsed.problems.map((p) => [p.line, p.column, p.message, p.fix])).toEqual([
      [line, column, `Missing closing ${quote}quote.`, CLOSE_QUOTE],
    ]);
  });

  it('the key given is carried by every problem', () => {
    const parsed = parseYaml('a: 1\na: 2\n', { ...OPTIONS, key: 'acr-registry-info' });
    expect(parsed.problems.map((p) => p.key)).toEqual(['acr-registry-info']);
  });

  it('a repair that refuses the text (tab indentation) stops before YAML reads it', () => {
    const parsed = parseYaml('a:\n\tb: 1\n\tc: [\n', OPTIONS);
    expect(parsed.document).toBeUndefined();
    expect(parsed.problems.map((p) => [p.code, p.line])).toEqual([
      ['tab-indentation', 2],
      ['tab-indentation', 3],
    ]);
  });
});

describe('scalarText', () => {
  const nodeOf = (text: string) => (parseDocument(text).contents as YAMLMap<Scalar, unknown>).items[0]?.value;
  it.each<[string, unknown, string | undefined]>([
    ['null', null, ''],
    ['undefined', undefined, ''],
    ['a string', nodeOf('a: x y'), 'x y'],
    ['a number as written', nodeOf('a: 0x1F'), '0x1F'],
    ['a decimal number', nodeOf('a: 12'), '12'],
    ['a boolean', nodeOf('a: true'), 'true'],
    ['a tilde', nodeOf('a: ~'), ''],
    ['an empty value', nodeOf('a:'), ''],
    ['a number with no source', new Scalar(7), '7'],
    ['a scalar with no value', new Scalar(undefined), ''],
    ['a bigint with no source', new Scalar(BigInt(9)), '9'],
    ['a boolean with no source', new Scalar(false), 'false'],
    ['a scalar holding an object', new Scalar(new Date(0)), undefined],
    ['a map', nodeOf('a: {b: 1}'), undefined],
    ['a list', nodeOf('a: [1]'), undefined],
    ['something not a node', 'plain', undefined],
  ])('%s', (_name, node, expected) => {
    expect(scalarText(node)).toBe(expected);
  });
});
