import { describe, expect, it } from 'vitest';
import { formatHumanDuration, parseGoDuration } from '../../../provider/common/go-duration.js';

describe('parseGoDuration', () => {
  it.each([
    ['15m', 900],
    ['1h30m', 5400],
    ['90s', 90],
    ['1.5h', 5400],
    ['300ms', 0.3],
    ['0', 0],
    ['0s', 0],
    ['-1m', -60],
    ['+2s', 2],
    ['.5s', 0.5],
    ['5.s', 5],
    ['1h1m1s', 3661],
    ['1000us', 0.001],
    ['1000µs', 0.001],
    ['1000μs', 0.001],
    ['2000000000ns', 2],
    ['2m3m', 300],
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseGoDuration(text)).toBeCloseTo(seconds, 9);
  });

  it.each(['', '15', '1d', 'm', '15 m', ' 15m', '15m ', '1h-30m', '.s', '1..5s', 'abc', '-', '1hh'])(
    '%j is not a duration',
    (text) => {
      expect(parseGoDuration(text)).toBeUndefined();
    },
  );
});

describe('formatHumanDuration', () => {
  it.each([
    [900, '15m'],
    [5400, '1h30m'],
    [3661, '1h1m1s'],
    [45, '45s'],
    [0, '0s'],
    [-60, '-1m'],
  ])('%d seconds is %s', (seconds, text) => {
    expect(formatHumanDuration(seconds)).toBe(text);
    expect(parseGoDuration(text)).toBe(seconds);
  });
});
