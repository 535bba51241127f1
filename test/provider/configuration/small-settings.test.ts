// `rrsa` and `webhook-configuration`: the values they accept as users write
// them, and every refusal with its code, position, message and fix.
import { describe, expect, it } from 'vitest';
import { parseConfigurationData } from '../../../provider/configuration/parse-configuration.js';

const parsed = (data: Record<string, string>) => parseConfigurationData(data);

describe('accepted as written', () => {
  it.each([
    [{ rrsa: 'enable: "true"' }, { rrsaEnabled: true }],
    [{ rrsa: "enable: 'false'" }, { rrsaEnabled: false }],
    [{ rrsa: 'enable:' }, { rrsaEnabled: false }],
    [{ rrsa: '   ' }, { rrsaEnabled: false }],
    [
      { 'webhook-configuration': 'enable: "true"\nfailure-policy: fail\ntimeout-seconds: "15"' },
      { webhook: { enabled: true, failurePolicy: 'Fail', timeoutSeconds: 15 } },
    ],
    [
      { 'webhook-configuration': 'enable: true\nfailure-policy:\ntimeout-seconds:' },
      { webhook: { enabled: true, failurePolicy: 'Ignore', timeoutSeconds: 10 } },
    ],
    [
      { 'webhook-configuration': 'timeout-seconds: 1\nfailure-policy: IGNORE' },
      { webhook: { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 1 } },
    ],
  ])('%j', (data, expected) => {
    const result = parsed(data);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config).toMatchObject(expected);
  });

  it('a policy written in another case is read, with a warning naming the spelling', () => {
    const result = parsed({ 'webhook-configuration': 'failure-policy: fail' });
    expect(result.problems).toEqual([
      {
        severity: 'warning',
        code: 'value-case',
        key: 'webhook-configuration',
        line: 1,
        column: 17,
        message: 'failure-policy `fail` was read as `Fail`.',
        fix: 'Write `failure-policy: Fail`.',
      },
    ]);
  });

  it('an unknown field is ignored with a warning that guesses the intended one', () => {
    const result = parsed({ rrsa: 'enabled: true' });
    expect(result.ok).toBe(true);
    expect(result.problems).toMatchObject([
      { severity: 'warning', code: 'unknown-field', key: 'rrsa', line: 1, column: 1, fix: 'Did you mean `enable`?' },
    ]);
    expect(parsed({ rrsa: 'zzzzzz: 1' }).problems[0]?.fix).toBe('Use only `enable`.');
  });
});

describe('refused', () => {
  it.each([
    [{ rrsa: 'enable: yes please' }, 'invalid-boolean', 1, 9, '`enable` in `rrsa` must be true or false.'],
    [{ rrsa: 'enable: 1' }, 'invalid-boolean', 1, 9, '`enable` in `rrsa` must be true or false.'],
    [{ rrsa: '- enable' }, 'not-a-map', 1, 1, 'The value of `rrsa` must be YAML `field: value` lines.'],
    [{ rrsa: 'true' }, 'not-a-map', 1, 1, 'The value of `rrsa` must be YAML `field: value` lines.'],
    [
      { 'webhook-configuration': 'failure-policy: Sometimes' },
      'invalid-failure-policy',
      1,
      17,
      'failure-policy `Sometimes` is neither Ignore nor Fail.',
    ],
    [
      { 'webhook-configuration': 'timeout-seconds: 31' },
      'invalid-timeout',
      1,
      18,
      'timeout-seconds `31` is not a whole number from 1 to 30.',
    ],
    [
      { 'webhook-configuration': 'timeout-seconds: 0' },
      'invalid-timeout',
      1,
      18,
      'timeout-seconds `0` is not a whole number from 1 to 30.',
    ],
    [
      { 'webhook-configuration': 'timeout-seconds: "10s"' },
      'invalid-timeout',
      1,
      18,
      'timeout-seconds `10s` is not a whole number from 1 to 30.',
    ],
    [
      { 'webhook-configuration': 'timeout-seconds: 2.5' },
      'invalid-timeout',
      1,
      18,
      'timeout-seconds `2.5` is not a whole number from 1 to 30.',
    ],
    [
      { 'webhook-configuration': 'timeout-seconds: [10]' },
      'invalid-timeout',
      1,
      18,
      'timeout-seconds `[10]` is not a whole number from 1 to 30.',
    ],
  ])('%j: %s', (data, code, line, column, message) => {
    const result = parsed(data);
    expect(result.ok).toBe(false);
    const key = Object.keys(data)[0];
    expect(result.problems).toMatchObject([{ severity: 'error', code, key, line, column, message }]);
    expect(result.problems[0]?.fix.length).toBeGreaterThan(10);
  });

  it('a list where a map belongs says how to write the map', () => {
    expect(parsed({ rrsa: '- enable' }).problems[0]?.fix).toBe(
      'Write e.g. `enable: true` on its own line under `rrsa: |`.',
    );
  });
});
