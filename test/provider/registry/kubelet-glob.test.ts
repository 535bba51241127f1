// The corners of the kubelet's matching that host patterns can reach: Go's
// filepath.Match character classes and their malformed forms, `*` within a
// label, bracketed IPv6 hosts with ports, and the characters Go's url.Parse
// refuses in a host (then nothing matches, not even the same text).
import { describe, expect, it } from 'vitest';
import { kubeletImageMatches } from '../../../provider/registry/image-match.js';

describe('character classes', () => {
  it.each([
    ['reg[a-c].example.com', 'rega.example.com', true],
    ['reg[a-c].example.com', 'regb.example.com', true],
    ['reg[a-c].example.com', 'regc.example.com', true],
    ['reg[a-c].example.com', 'regd.example.com', false],
    ['reg[b-c].example.com', 'rega.example.com', false],
    ['reg[ace].example.com', 'rege.example.com', true],
    ['reg[ace].example.com', 'regb.example.com', false],
    ['reg[a-cx-z].example.com', 'regy.example.com', true],
    ['reg[a-cx-z].example.com', 'regm.example.com', false],
    ['reg[a]x.example.com', 'regax.example.com', true],
  ])('%s ~ %s: %s', (pattern, image, expected) => {
    expect(kubeletImageMatches(pattern, image)).toBe(expected);
  });

  it.each(['reg[].example.com', 'reg[-a].example.com', 'reg[a-].example.com', 'reg[a', 'reg[]a].example.com'])(
    'a malformed class %s matches nothing',
    (pattern) => {
      for (const image of ['rega.example.com', 'reg.example.com', 'reg-.example.com', 'reg].example.com', pattern]) {
        expect(kubeletImageMatches(pattern, image)).toBe(false);
      }
    },
  );
});

describe('stars', () => {
  it.each([
    ['a*c.example.com', 'ac.example.com', true],
    ['a*c.example.com', 'abbbc.example.com', true],
    ['a*c.example.com', 'abbb.example.com', false],
    ['*.example.com', '.example.com', true],
    ['**.example.com', 'x.example.com', true],
    ['*x*.example.com', 'axb.example.com', true],
    ['*x*.example.com', 'ab.example.com', false],
    ['*.example.com', 'a.b.example.com', false],
  ])('%s ~ %s: %s', (pattern, image, expected) => {
    expect(kubeletImageMatches(pattern, image)).toBe(expected);
  });
});

describe('hosts and ports as Go splits them', () => {
  it.each([
    ['[::1]:5000', '[::1]:5000/team/app', true],
    ['[::1]:5000', '[::2]:5000/team/app', false],
    ['[::1]:5000', '[::1]:5001/team/app', false],
    ['[::1]', '[::1]:5000/team/app', false],
    // SplitHostPort fails without a port: the whole `[::1]` is the host, and as a glob it is a class.
    ['[::1]', '[::1]/team/app', false],
    ['[::1]:', '[::1]:/team/app', true],
    ['[::*]:5000', '[::1]:5000/team/app', true],
    // Too many colons for SplitHostPort: the pattern's host is `::1:5000` with no port.
    ['::1:5000', '[::1]:5000/team/app', false],
    // url.Parse refuses a port that is not digits, or a bracket never closed.
    ['[::1]:abc', '[::1]:abc/team/app', false],
    ['[::1]x', '[::1]x/team/app', false],
    ['[::1', '[::1/team/app', false],
    ['a:b:5000', 'a:b:5000/x', true],
    ['a:b', 'a:b/x', false],
    ['registry.example.com:', 'registry.example.com:/x', true],
    ['registry.example.com', 'user:pw@registry.example.com/x', true],
    ['registry.example.com/team', 'registry.example.com/team/app?x=1', true],
    ['registry.example.com/team', 'registry.example.com/other', false],
  ])('%s ~ %s: %s', (pattern, image, expected) => {
    expect(kubeletImageMatches(pattern, image)).toBe(expected);
  });

  it.each([
    'reg example.com',
    'reg\u007fexample.com',
    'reg\u0000example.com',
    'reg\texample.com',
    'reg%41.example.com',
    'reg|x.example.com',
    'reg{x}.example.com',
    'reg`x.example.com',
    'reg^x.example.com',
    'reg\\x.example.com',
    'registry.example.com:port',
  ])('%j is no host to url.Parse: it matches nothing, not even itself', (host) => {
    expect(kubeletImageMatches(host, `${host}/app`)).toBe(false);
    expect(kubeletImageMatches('*.example.com', `${host}/app`)).toBe(false);
  });

  it('a host of printable characters Go accepts still matches itself', () => {
    expect(kubeletImageMatches('reg!x.example.com', 'reg!x.example.com/app')).toBe(true);
  });
});
