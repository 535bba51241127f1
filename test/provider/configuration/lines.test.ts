// The line repairs one by one, by table: the text each leaves, the warning it
// gives and where, and the column map that lets later problems point at the
// user's own text.
import { describe, expect, it } from 'vitest';
import {
  addSpaceAfterColon,
  blockScalarContent,
  findTabIndentation,
  joinQuotedList,
  originalPosition,
  parseEntryLine,
  quoteLoneAsterisk,
  reindentSiblings,
  repairText,
  replaceNonBreakingSpaces,
  shownKey,
  splitLines,
  stripSlashComments,
  joinLines,
} from '../../../provider/configuration/lines.js';

describe('shownKey', () => {
  it.each([
    ['customAccessKey', 'customAccessKey'],
    ['customAccessKeySecret', 'customAccessKeySecret'],
    ['customAccessKeySecretabc123', 'customAccessKeySecret…'],
    ['SECRETx', 'SECRET…'],
    ['secret', 'secret'],
    ['mysecret1', 'mysecret…'],
    ['', ''],
  ])('%j is shown as %j', (name, shown) => {
    expect(shownKey(name)).toBe(shown);
  });
});

describe('parseEntryLine', () => {
  it.each([
    ['key: value', { indent: 0, dash: '', key: 'key', keyColumn: 0, value: 'value', valueColumn: 5 }],
    [
      '  - instanceId: "cri-a"  ',
      { indent: 2, dash: '- ', key: 'instanceId', keyColumn: 4, value: '"cri-a"', valueColumn: 16 },
    ],
    ['-   a.b/c-d:   x y', { indent: 0, dash: '-   ', key: 'a.b/c-d', keyColumn: 4, value: 'x y', valueColumn: 15 }],
    ['key:', { indent: 0, dash: '', key: 'key', keyColumn: 0, value: '', valueColumn: 4 }],
    ['_k: 1', { indent: 0, dash: '', key: '_k', keyColumn: 0, value: '1', valueColumn: 4 }],
  ])('%j', (text, entry) => {
    expect(parseEntryLine(text)).toEqual(entry);
  });

  it.each(['# key: value', 'key:value', ' -key: x', 'no colon here', '-key: x', '', 'key :x'])(
    '%j is not a key line',
    (text) => {
      expect(parseEntryLine(text)).toBeUndefined();
    },
  );
});

describe('originalPosition', () => {
  it('maps columns through inserted and removed text, clamped to the line', () => {
    const lines = splitLines('notify-email:"a@b"\n- instanceId: ""\n      regionId: x');
    addSpaceAfterColon(['notify-email'])(lines, [], undefined);
    reindentSiblings(lines, [], undefined);
    expect(joinLines(lines)).toBe('notify-email: "a@b"\n- instanceId: ""\n  regionId: x');
    expect(originalPosition(lines, { line: 1, column: 15 })).toEqual({ line: 1, column: 14 });
    expect(originalPosition(lines, { line: 1, column: 14 })).toEqual({ line: 1, column: 14 });
    expect(originalPosition(lines, { line: 3, column: 3 })).toEqual({ line: 3, column: 7 });
    expect(originalPosition(lines, { line: 3, column: 1 })).toEqual({ line: 3, column: 1 });
    expect(originalPosition(lines, { line: 3, column: 0 })).toEqual({ line: 3, column: 1 });
    expect(originalPosition(lines, { line: 3, column: 99 })).toEqual({ line: 3, column: 18 });
    expect(originalPosition(lines, { line: 9, column: 4 })).toEqual({ line: 9, column: 4 });
  });
});

describe('blockScalarContent', () => {
  it('marks the lines of each block value, blank lines inside included', () => {
    const text = 'a: |\n  - x: 1\n\n  - y: 2\nb: >-  # folded\n   z\nc: 1\n  d: 2\ne: "|"\n  f';
    expect(blockScalarContent(splitLines(text))).toEqual([
      false,
      true,
      true,
      true,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('replaceNonBreakingSpaces', () => {
  it('reads them as spaces and points at the first one', () => {
    const lines = splitLines('a: 1\nkey:\u00a0value\n\u00a0\u00a0b: 2');
    const problems = replaceNonBreakingSpaces(lines, [], 'k');
    expect(joinLines(lines)).toBe('a: 1\nkey: value\n  b: 2');
    expect(problems).toMatchObject([{ code: 'non-breaking-space', severity: 'warning', key: 'k', line: 2, column: 5 }]);
    expect(problems[0]?.message).toMatch(/^3 non-breaking space/);
  });

  it('says nothing when there are none', () => {
    expect(replaceNonBreakingSpaces(splitLines('a: 1'), [], undefined)).toEqual([]);
  });
});

describe('findTabIndentation', () => {
  it('refuses tabs in indentation, not elsewhere', () => {
    const problems = findTabIndentation(splitLines('a: 1\n  \tb: 2\nc: "\t"\n\td: 3'), 'k');
    expect(problems.map((p) => [p.code, p.severity, p.line, p.column])).toEqual([
      ['tab-indentation', 'error', 2, 3],
      ['tab-indentation', 'error', 4, 1],
    ]);
  });
});

describe('addSpaceAfterColon', () => {
  it('only for known keys, never for URLs or times', () => {
    const lines = splitLines('notify-email:"cs@x"\n- Expire:1\nurl: http://x\nother:"y"\ntime: 12:30');
    const problems = addSpaceAfterColon(['notify-email', 'expire'])(lines, [], undefined);
    expect(joinLines(lines)).toBe('notify-email: "cs@x"\n- Expire: 1\nurl: http://x\nother:"y"\ntime: 12:30');
    expect(problems.map((p) => [p.code, p.line, p.column])).toEqual([
      ['missing-space-after-colon', 1, 14],
      ['missing-space-after-colon', 2, 10],
    ]);
  });

  it('leaves skipped lines alone', () => {
    const lines = splitLines('notify-email:"cs@x"');
    expect(addSpaceAfterColon(['notify-email'])(lines, [true], undefined)).toEqual([]);
    expect(joinLines(lines)).toBe('notify-email:"cs@x"');
  });
});

describe('stripSlashComments', () => {
  it.each([
    ['customAccessKey: "LTAI" // Enter the ID', 'customAccessKey: "LTAI"', 25],
    ['a: b // c', 'a: b', 6],
    ['a: "x // y" // z', 'a: "x // y"', 13],
    ["a: 'x // y' // z", "a: 'x // y'", 13],
    ['a: "x\\" // y" // z', 'a: "x\\" // y"', 15],
    ['a: // only a comment', 'a:', 4],
    ['  // a whole line', '', 3],
  ])('%j becomes %j, warning at column %d', (text, repaired, column) => {
    const lines = splitLines(text);
    const problems = stripSlashComments(lines, [], undefined);
    expect(joinLines(lines)).toBe(repaired);
    expect(problems.map((p) => [p.code, p.line, p.column])).toEqual([['slash-comment', 1, column]]);
  });

  it.each(['a: http://example.com/x', 'a: b # c // d', 'a: "x // y"', 'a: b//c', '# a: b // c'])(
    'leaves %j alone',
    (text) => {
      const lines = splitLines(text);
      expect(stripSlashComments(lines, [], undefined)).toEqual([]);
      expect(joinLines(lines)).toBe(text);
    },
  );

  it('names a secret key without what follows "secret"', () => {
    const problems = stripSlashComments(splitLines('customAccessKeySecretABC: x // y'), [], undefined);
    expect(problems[0]?.message).toContain('`customAccessKeySecret…`');
    expect(problems[0]?.message).not.toContain('ABC');
  });
});

describe('joinQuotedList', () => {
  it('joins quoted items into one list, padded so later columns keep their meaning', () => {
    const lines = splitLines('domains: "a.com", "b.com","c.com"');
    const problems = joinQuotedList(lines, [], undefined);
    expect(joinLines(lines)).toBe('domains: "a.com,b.com,c.com"     ');
    expect(problems).toMatchObject([{ code: 'quoted-list', line: 1, column: 10 }]);
    expect(problems[0]?.fix).toBe('Write one quoted string: `domains: "a.com,b.com,c.com"`.');
  });

  it('never echoes a secret in the fix', () => {
    const problems = joinQuotedList(splitLines('customAccessKeySecret: "s3cr3t","x"'), [], undefined);
    expect(problems[0]?.fix).toBe('Write one quoted string: `customAccessKeySecret: "<value>"`.');
  });

  it.each(['domains: "a.com"', 'domains: "a.com", b.com', 'domains: "a\\"b","c"', 'domains: a, b', 'd: "a","b" # c'])(
    'leaves %j alone',
    (text) => {
      const lines = splitLines(text);
      expect(joinQuotedList(lines, [], undefined)).toEqual([]);
      expect(joinLines(lines)).toBe(text);
    },
  );
});

describe('quoteLoneAsterisk', () => {
  it.each([
    ['service-account: *', 'service-account: "*"'],
    ['service-account: *  # all', 'service-account: "*"  # all'],
  ])('%j becomes %j', (text, repaired) => {
    const lines = splitLines(text);
    const problems = quoteLoneAsterisk(lines, [], undefined);
    expect(joinLines(lines)).toBe(repaired);
    expect(problems).toMatchObject([{ code: 'unquoted-asterisk', line: 1, column: 18 }]);
  });

  it.each(['service-account: "*"', 'service-account: *a', 'service-account: a*'])('leaves %j alone', (text) => {
    expect(quoteLoneAsterisk(splitLines(text), [], undefined)).toEqual([]);
  });
});

describe('reindentSiblings', () => {
  it.each([
    ['a complete plain value', 'a: 1\n    b: 2', 'a: 1\nb: 2'],
    ['a complete double-quoted value', '- a: ""\n      b: 2', '- a: ""\n  b: 2'],
    ['a complete single-quoted value', "- a: 'x'\n      b: 2", "- a: 'x'\n  b: 2"],
    ['a comment between them', '- a: x\n  # note\n      b: 2', '- a: x\n  # note\n  b: 2'],
  ])('after %s, a deeper key is a sibling', (_name, text, repaired) => {
    const lines = splitLines(text);
    const problems = reindentSiblings(lines, [], undefined);
    expect(joinLines(lines)).toBe(repaired);
    expect(problems.map((p) => p.code)).toEqual(['indentation-repaired']);
  });

  it.each([
    ['an empty value (a map follows)', 'a:\n  b: 1'],
    ['an open double quote', 'a: "x\n  b: 1'],
    ['a lone double quote', 'a: "\n  b: 1'],
    ['an open single quote', "a: 'x\n  b: 1"],
    ['a lone single quote', "a: '\n  b: 1"],
    ['a block scalar', 'a: |\n  b: 1'],
    ['a flow sequence', 'a: [\n  b: 1'],
    ['a flow map', 'a: {\n  b: 1'],
    ['an anchor', 'a: &x\n  b: 1'],
    ['an alias', 'a: *x\n  b: 1'],
    ['a tag', 'a: !t\n  b: 1'],
    ['a comment', 'a: # c\n  b: 1'],
    ['a folded block', 'a: >\n  b: 1'],
    ['a line that is not a key', 'a: 1\nplain\n  b: 1'],
    ['a new list item', 'a: 1\n  - b: 1'],
    ['a key at the same indent', 'a: 1\nb: 1'],
  ])('after %s, nothing changes', (_name, text) => {
    const lines = splitLines(text);
    expect(reindentSiblings(lines, [], undefined)).toEqual([]);
    expect(joinLines(lines)).toBe(text);
  });

  it('skipped lines reset what the previous key was', () => {
    const lines = splitLines('a: 1\n  x\n    b: 2');
    expect(reindentSiblings(lines, [false, true, false], undefined)).toEqual([]);
  });
});

describe('repairText', () => {
  it('stops at tabs: positions after them would mislead', () => {
    const repaired = repairText('a: "x","y"\n\tb: 1', { knownKeys: ['a'], skipBlockContent: false });
    expect(repaired.text).toBe('a: "x","y"\n\tb: 1');
    expect(repaired.problems.map((p) => p.code)).toEqual(['tab-indentation']);
  });

  it('leaves block values to their own parser when asked', () => {
    const text = 'acr-registry-info: |\n  - instanceId: ""\n      regionId: x // y';
    expect(repairText(text, { knownKeys: [], skipBlockContent: true }).problems).toEqual([]);
    const inside = repairText(text, { knownKeys: [], skipBlockContent: false });
    expect(inside.problems.map((p) => p.code)).toEqual(['slash-comment', 'indentation-repaired']);
  });
});

describe('the repairs at their edges', () => {
  const KNOWN = ['foo', 'bar', 'k', 'domains', 'service-account'];
  const run = (text: string, skipBlockContent = false) => {
    const repaired = repairText(text, { knownKeys: KNOWN, skipBlockContent });
    return { text: repaired.text, problems: repaired.problems.map((p) => [p.code, p.line, p.column]) };
  };
  it.each<[string, string, string, unknown[]]>([
    ['a known key later on the line is a value, not a key', 'foo: bar:baz\n', 'foo: bar:baz\n', []],
    ['a list dash followed by two spaces', '-  bar:baz\n', '-  bar: baz\n', [['missing-space-after-colon', 1, 8]]],
    ['a backslash does not escape in single quotes', "k: 'a\\' // c\n", "k: 'a\\'\n", [['slash-comment', 1, 9]]],
    [
      'a # inside quotes does not hide a later //',
      'k: " #" xxxxx // c\n',
      'k: " #" xxxxx\n',
      [['slash-comment', 1, 15]],
    ],
    ['a // after a # comment is part of the comment', 'k: "a" # c // d\n', 'k: "a" # c // d\n', []],
    ['a # after a // is removed with it', 'k: a // b # c\n', 'k: a\n', [['slash-comment', 1, 6]]],
    [
      'a blank line between a complete value and a key indented too deep',
      '- k: ""\n\n      bar: x\n',
      '- k: ""\n\n  bar: x\n',
      [['indentation-repaired', 3, 7]],
    ],
    [
      'quoted strings with spaces before the commas',
      'domains: "a" , "b"\n',
      'domains: "a,b"    \n',
      [['quoted-list', 1, 10]],
    ],
  ])('%s', (_name, text, repairedText, problems) => {
    expect(run(text)).toEqual({ text: repairedText, problems });
  });

  it('lines inside a block value are left alone by the repairs that follow block detection', () => {
    const text = 'foo: |\n  domains: "a","b"\n  k: *\n  k: x // y\n';
    expect(run(text, true)).toEqual({ text, problems: [] });
  });

  it('the unquoted asterisk says what it was read as', () => {
    const repaired = repairText('service-account: *\n', { knownKeys: KNOWN, skipBlockContent: false });
    expect(repaired.problems.map((p) => [p.message, p.fix])).toEqual([
      [
        'The unquoted `*` of `service-account` is not valid YAML; it was read as the string "*".',
        'Quote it: `service-account: "*"`.',
      ],
    ]);
  });

  it.each<[string, string[], boolean[]]>([
    ['content indented under an indented header', ['  foo: |', '    a: b', 'x: y'], [false, true, false]],
    [
      'a line of spaces only inside the block',
      ['  foo: |', '    a', '  ', '    b', 'x: y'],
      [false, true, true, true, false],
    ],
    ['a bar at the end of a value is no header', ['foo: a|', '  b'], [false, false]],
    ['a bar followed by text is no header', ['foo: |x', '  b'], [false, false]],
    ['a header with a comment', ['foo: >- # folded', '  b'], [false, true]],
  ])('blockScalarContent: %s', (_name, lines, content) => {
    expect(blockScalarContent(splitLines(lines.join('\n')))).toEqual(content);
  });
});
