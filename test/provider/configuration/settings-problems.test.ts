// webhook-configuration in full, by table: every problem (severity, code,
// line, column, message, fix) and the settings read. Rows checked by hand.
import { describe, expect, it } from 'vitest';
import { parseFlagMap, parseWebhook } from '../../../provider/configuration/settings.js';
import { closestName } from '../../../provider/configuration/suggest.js';

/** [severity, code, line, column, message, fix] */
type Row = [string, string, number, number, string, string];

describe('parseWebhook', () => {
  it.each<[string, string, Row[], unknown]>([
    ['empty', '  \n', [], { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 }],
    [
      'all fields',
      'enable: true\nfailure-policy: Fail\ntimeout-seconds: 5\n',
      [],
      { enabled: true, failurePolicy: 'Fail', timeoutSeconds: 5 },
    ],
    [
      'quoted booleans and numbers',
      'enable: "false"\nfailure-policy: "ignore"\ntimeout-seconds: " 7 "\n',
      [
        [
          'warning',
          'value-case',
          2,
          17,
          'failure-policy `ignore` was read as `Ignore`.',
          'Write `failure-policy: Ignore`.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 7 },
    ],
    [
      'a number as policy',
      'failure-policy: 3\n',
      [
        [
          'error',
          'invalid-failure-policy',
          1,
          17,
          'failure-policy `3` is neither Ignore nor Fail.',
          'Write `failure-policy: Ignore` (pods are admitted if the webhook fails) or `failure-policy: Fail`.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'a boolean as policy',
      'failure-policy: true\n',
      [
        [
          'error',
          'invalid-failure-policy',
          1,
          17,
          'failure-policy `true` is neither Ignore nor Fail.',
          'Write `failure-policy: Ignore` (pods are admitted if the webhook fails) or `failure-policy: Fail`.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'a list as policy',
      'failure-policy: [Fail]\n',
      [
        [
          'error',
          'invalid-failure-policy',
          1,
          17,
          'failure-policy `["Fail"]` is neither Ignore nor Fail.',
          'Write `failure-policy: Ignore` (pods are admitted if the webhook fails) or `failure-policy: Fail`.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'a map as timeout',
      'timeout-seconds: {a: 1}\n',
      [
        [
          'error',
          'invalid-timeout',
          1,
          18,
          'timeout-seconds `{"a":1}` is not a whole number from 1 to 30.',
          'Write e.g. `timeout-seconds: 10`; the Kubernetes API server allows 1 to 30.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'timeout with a prefix',
      'timeout-seconds: "x5"\n',
      [
        [
          'error',
          'invalid-timeout',
          1,
          18,
          'timeout-seconds `x5` is not a whole number from 1 to 30.',
          'Write e.g. `timeout-seconds: 10`; the Kubernetes API server allows 1 to 30.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'timeout with a suffix',
      'timeout-seconds: "5x"\n',
      [
        [
          'error',
          'invalid-timeout',
          1,
          18,
          'timeout-seconds `5x` is not a whole number from 1 to 30.',
          'Write e.g. `timeout-seconds: 10`; the Kubernetes API server allows 1 to 30.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'timeout 0',
      'timeout-seconds: 0\n',
      [
        [
          'error',
          'invalid-timeout',
          1,
          18,
          'timeout-seconds `0` is not a whole number from 1 to 30.',
          'Write e.g. `timeout-seconds: 10`; the Kubernetes API server allows 1 to 30.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'timeout 31',
      'timeout-seconds: 31\n',
      [
        [
          'error',
          'invalid-timeout',
          1,
          18,
          'timeout-seconds `31` is not a whole number from 1 to 30.',
          'Write e.g. `timeout-seconds: 10`; the Kubernetes API server allows 1 to 30.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'timeout 30 and 1 bounds',
      'timeout-seconds: 30\n',
      [],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 30 },
    ],
    [
      'timeout decimal',
      'timeout-seconds: 2.5\n',
      [
        [
          'error',
          'invalid-timeout',
          1,
          18,
          'timeout-seconds `2.5` is not a whole number from 1 to 30.',
          'Write e.g. `timeout-seconds: 10`; the Kubernetes API server allows 1 to 30.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'null fields',
      'enable:\nfailure-policy: ~\ntimeout-seconds:\n',
      [],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'enable yes',
      'enable: yes\n',
      [
        [
          'error',
          'invalid-boolean',
          1,
          9,
          '`enable` in `webhook-configuration` must be true or false.',
          'Write `enable: true` or `enable: false`.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'an unknown field like no other',
      'zzzzzzzzzzzz: 1\n',
      [
        [
          'warning',
          'unknown-field',
          1,
          1,
          'Unknown field `zzzzzzzzzzzz` in `webhook-configuration`; it is ignored.',
          'Use only `enable`, `failure-policy`, `timeout-seconds`.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'a misspelt field',
      'enabel: true\n',
      [
        [
          'warning',
          'unknown-field',
          1,
          1,
          'Unknown field `enabel` in `webhook-configuration`; it is ignored.',
          'Did you mean `enable`?',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'a scalar',
      'true\n',
      [
        [
          'error',
          'not-a-map',
          1,
          1,
          'The value of `webhook-configuration` must be YAML `field: value` lines.',
          'Write e.g. `enable: true` on its own line under `webhook-configuration: |`.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'a list',
      '- enable: true\n',
      [
        [
          'error',
          'not-a-map',
          1,
          1,
          'The value of `webhook-configuration` must be YAML `field: value` lines.',
          'Write e.g. `enable: true` on its own line under `webhook-configuration: |`.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'broken YAML',
      'enable: "true\n',
      [['error', 'yaml-syntax', 1, 9, 'Missing closing "quote.', 'Close the quote opened on this line, or remove it.']],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'a key not a scalar',
      '? [a]\n: 1\n',
      [
        [
          'warning',
          'unknown-field',
          1,
          3,
          'Unknown field `` in `webhook-configuration`; it is ignored.',
          'Use only `enable`, `failure-policy`, `timeout-seconds`.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
    [
      'a hexadecimal timeout',
      'timeout-seconds: "0x10"\n',
      [
        [
          'error',
          'invalid-timeout',
          1,
          18,
          'timeout-seconds `0x10` is not a whole number from 1 to 30.',
          'Write e.g. `timeout-seconds: 10`; the Kubernetes API server allows 1 to 30.',
        ],
      ],
      { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 },
    ],
  ])('%s', (_name, text, problems, webhook) => {
    const result = parseWebhook(text);
    expect(result.problems.map((p) => [p.severity, p.code, p.line, p.column, p.message, p.fix])).toEqual(problems);
    expect(result.problems.every((p) => p.key === 'webhook-configuration')).toBe(true);
    expect(result.webhook).toEqual(webhook);
  });
});

describe('parseFlagMap', () => {
  it.each<[string, boolean, string[]]>([
    ['enable: "true"', true, []],
    ['enable: false', false, []],
    ['', false, []],
    ['enable: 1', false, ['invalid-boolean']],
  ])('%j', (text, enabled, codes) => {
    const result = parseFlagMap(text, 'rrsa', ['enable']);
    expect([result.enabled, result.problems.map((p) => [p.code, p.key])]).toEqual([
      enabled,
      codes.map((code) => [code, 'rrsa']),
    ]);
  });
});

describe('closestName', () => {
  const KEYS = ['service-account', 'watch-namespace', 'rrsa', 'expiring-threshold'];
  it.each<[string, readonly string[], string | undefined]>([
    ['servce-account', KEYS, 'service-account'],
    ['SERVICE-ACCOUNT', KEYS, 'service-account'],
    ['rsa', KEYS, 'rrsa'],
    ['rr', KEYS, 'rrsa'],
    ['r', KEYS, undefined],
    ['watch-namespaces', KEYS, 'watch-namespace'],
    // A name of n characters may be max(2, ⌊n/4⌋) edits away.
    ['wtch-nmspc-abcd', KEYS, undefined],
    ['wtch-nmspce', KEYS, undefined],
    ['watch-nmspace', KEYS, 'watch-namespace'],
    ['xpiring-thrshld', KEYS, 'expiring-threshold'],
    ['zzzzzzzz', KEYS, undefined],
    // The first of equally close names wins.
    ['ab', ['ax', 'ay'], 'ax'],
    ['abc', ['abcd', 'ab'], 'abcd'],
    ['', ['a'], 'a'],
    ['abcd', [], undefined],
  ])('%j → %j', (name, known, expected) => {
    expect(closestName(name, known)).toBe(expected);
  });
});
