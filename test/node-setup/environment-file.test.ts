import { describe, expect, it } from 'vitest';
import { appendWords, removeWords, variableValue, words } from '../../node-setup/environment-file.js';

const OURS = ['--a=/x', '--b=/y'];

describe('appendWords', () => {
  it.each([
    ['no file', undefined, 'V="--a=/x --b=/y"\n'],
    ['empty file', '', 'V="--a=/x --b=/y"\n'],
    ['empty unquoted value (deb default)', 'V=\n', 'V="--a=/x --b=/y"\n'],
    ['unquoted value', 'V=--max-pods=110\n', 'V="--max-pods=110 --a=/x --b=/y"\n'],
    ['double-quoted value with spaces', 'V=" --x=1 --y=2 "\n', 'V=" --x=1 --y=2 --a=/x --b=/y"\n'],
    ['single-quoted value', "V='--x=1'\n", "V='--x=1 --a=/x --b=/y'\n"],
    [
      'other variables and comments kept, last assignment edited',
      '# note\nW=1\nV=--x\nV=--z\n',
      '# note\nW=1\nV=--x\nV="--z --a=/x --b=/y"\n',
    ],
    ['variable missing, no trailing newline', 'W=1', 'W=1\nV="--a=/x --b=/y"\n'],
    ['commented-out assignment is not the variable', '#V=--old\n', '#V=--old\nV="--a=/x --b=/y"\n'],
  ])('%s', (_, text, expected) => {
    expect(appendWords(text, 'V', OURS)).toBe(expected);
    expect(words(variableValue(expected, 'V')!)).toEqual(expect.arrayContaining(OURS));
  });
});

describe('removeWords', () => {
  it.each([
    ['only ours', 'V="--a=/x --b=/y"\n', 'V=""\n'],
    ['ours among others an operator added later', 'V="--x=1 --a=/x --late=2 --b=/y"\n', 'V="--x=1 --late=2"\n'],
    ['unquoted', 'V=--x=1 --a=/x\n', 'V=--x=1\n'],
    ['a look-alike is kept', 'V="--a=/xy --b=/y"\n', 'V="--a=/xy"\n'],
    ['other variables untouched', 'W="--a=/x"\nV="--a=/x"\n', 'W="--a=/x"\nV=""\n'],
  ])('%s', (_, text, expected) => {
    expect(removeWords(text, 'V', OURS)).toBe(expected);
  });
});
