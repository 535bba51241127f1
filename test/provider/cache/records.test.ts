// Every record the cache holds is checked on read: a file of another shape
// (an older schema, a torn write, a hand edit) is a miss, never a misread.
// Each guard gets a valid record, then that record with one field broken.
import { describe, expect, it } from 'vitest';
import {
  isCachedToken,
  isDecision,
  isFailed,
  isFresh,
  isStoredConfiguration,
  isStoredCredentials,
  storedLookupOf,
} from '../../../provider/cache/records.js';

const isText = (value: unknown): value is string => typeof value === 'string';

/** The record with `field` set to `value` (undefined: removed). */
function broken(record: Record<string, unknown>, field: string, value: unknown): Record<string, unknown> {
  const copy = { ...record };
  if (value === undefined) delete copy[field];
  else copy[field] = value;
  return copy;
}

const guards: [string, (value: unknown) => boolean, Record<string, unknown>, [string, unknown][]][] = [
  [
    'token',
    isCachedToken,
    { username: 'cr_temp_user', password: 'p', expiresAt: 1 },
    [
      ['username', undefined],
      ['username', ''],
      ['username', 1],
      ['password', undefined],
      ['password', ''],
      ['password', {}],
      ['expiresAt', undefined],
      ['expiresAt', '1'],
      ['expiresAt', Number.NaN],
      ['expiresAt', Number.POSITIVE_INFINITY],
    ],
  ],
  [
    'token decision',
    isDecision,
    { kind: 'token', tokenKey: ['token', 'k'], authHosts: ['h'], thresholdSeconds: 900, validUntil: 1, notes: [] },
    [
      ['kind', 'other'],
      ['kind', undefined],
      ['tokenKey', undefined],
      ['tokenKey', [1]],
      ['tokenKey', 'k'],
      ['authHosts', undefined],
      ['authHosts', [null]],
      ['thresholdSeconds', '900'],
      ['thresholdSeconds', undefined],
      ['validUntil', undefined],
      ['validUntil', '1'],
      ['notes', undefined],
      ['notes', [1]],
    ],
  ],
  [
    'not-served decision',
    isDecision,
    { kind: 'not-served', validUntil: 1, notes: ['a note'] },
    [
      ['validUntil', undefined],
      ['notes', 'a note'],
      ['kind', 'served'],
    ],
  ],
  [
    'failure',
    isFailed,
    { exitCode: 1, line: 'acr-credential-provider: …', at: 1 },
    [
      ['exitCode', 0],
      ['exitCode', 3],
      ['exitCode', '1'],
      ['line', undefined],
      ['line', 1],
      ['at', undefined],
      ['at', '1'],
    ],
  ],
  [
    'node credentials',
    isStoredCredentials,
    { accessKeyId: 'STS.a', accessKeySecret: 's', securityToken: 'CAIS', expiresAt: 1, identity: 'role/R' },
    [
      ['accessKeyId', undefined],
      ['accessKeySecret', 1],
      ['securityToken', 1],
      ['expiresAt', '1'],
      ['identity', undefined],
    ],
  ],
  [
    'look-up',
    storedLookupOf(isText),
    { value: 'cri-a', expiresAt: 1 },
    [
      ['value', 1],
      ['value', undefined],
      ['expiresAt', undefined],
      ['expiresAt', '1'],
    ],
  ],
  ['last valid configuration', isStoredConfiguration, { text: 'acr-registry-info: ""\n' }, [['text', 1]]],
];

describe.each(guards)('the %s record', (_name, accept, valid, breakages) => {
  it('is accepted whole', () => {
    expect(accept(valid)).toBe(true);
  });

  it.each(breakages)('is a miss with %s = %j', (field, value) => {
    expect(accept(broken(valid, field, value))).toBe(false);
  });

  it.each([null, undefined, 'text', 1, []])('is a miss when the file holds %j', (value) => {
    expect(accept(value)).toBe(false);
  });
});

it('a failure with exit code 2 (bad configuration) is a failure too', () => {
  expect(isFailed({ exitCode: 2, line: 'acr-credential-provider: …', at: 1 })).toBe(true);
});

it('node credentials without a security token (an AccessKey) are accepted', () => {
  expect(
    isStoredCredentials({ accessKeyId: 'LTAI', accessKeySecret: 's', expiresAt: 1, identity: 'accessKey LTAI' }),
  ).toBe(true);
});

describe('isFresh', () => {
  const token = { username: 'u', password: 'p', expiresAt: 10_000_000 };
  it.each([
    [900, 10_000_000 - 900_000 - 1, true],
    [900, 10_000_000 - 900_000, false],
    [0, 9_999_999, true],
    [0, 10_000_000, false],
  ])('threshold %ds at %d: %s', (threshold, now, fresh) => {
    expect(isFresh(token, threshold, now)).toBe(fresh);
  });
});
