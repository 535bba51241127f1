// Whole files through parseConfigurationFile, by table: every problem in full
// (severity, code, key, line, column, message, fix), in file order, and the
// settings read when the file is accepted. Rows checked by hand, one by one.
import { expect, it } from 'vitest';
import { parseConfigurationFile } from '../../../provider/configuration/parse-configuration.js';

/** [severity, code, key, line, column, message, fix] */
type Row = [string, string, string | null, number, number, string, string];
interface Read {
  threshold: number;
  ns: unknown;
  sa: unknown;
  registries: number;
}

it.each<[string, string, Row[], Read | null]>([
  [
    'an empty file',
    '',
    [],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'an empty string',
    '""\n',
    [],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a tilde',
    '~\n',
    [],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'an unclosed quote on the last line, no newline',
    'rrsa: |\n  enable: true\nwatch-namespace: "abc',
    [
      [
        'error',
        'yaml-syntax',
        null,
        3,
        18,
        'Missing closing "quote.',
        'Close the quote opened on this line, or remove it.',
      ],
    ],
    null,
  ],
  [
    'an unclosed quote with blank lines after it',
    'watch-namespace: "abc\n\n\n',
    [
      [
        'error',
        'yaml-syntax',
        null,
        1,
        18,
        'Missing closing "quote.',
        'Close the quote opened on this line, or remove it.',
      ],
    ],
    null,
  ],
  [
    'problems in file order, whatever found them first',
    'acr-registry-info: |\n  - instanceId: ""\n    zzz: 1\nzzkey: x\n',
    [
      [
        'warning',
        'unknown-field',
        'acr-registry-info',
        3,
        5,
        'Unknown registry field `zzz`; it is ignored.',
        'Use only the fields instanceId, regionId, domains, assumeRoleARN, expireDuration, customAccessKey, customAccessKeySecret, customAccessKeySecretRef, rrsaRoleARN, rrsaOIDCProviderRoleARN.',
      ],
      [
        'warning',
        'unknown-key',
        'zzkey',
        4,
        1,
        'Unknown key `zzkey`; it is ignored.',
        'Use only the keys service-account, watch-namespace, expiring-threshold, acr-registry-info, rrsa, webhook-configuration, pod-identity.',
      ],
    ],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'an unquoted number under an unknown key: both on one line, by column',
    'zzkey: 1\n',
    [
      [
        'warning',
        'unknown-key',
        'zzkey',
        1,
        1,
        'Unknown key `zzkey`; it is ignored.',
        'Use only the keys service-account, watch-namespace, expiring-threshold, acr-registry-info, rrsa, webhook-configuration, pod-identity.',
      ],
      [
        'warning',
        'value-not-a-string',
        'zzkey',
        1,
        8,
        'The value of `zzkey` is not quoted; it was read as the string `1`.',
        'Quote it: `zzkey: "1"` (kubectl rejects non-string ConfigMap values).',
      ],
    ],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a block not indented, with a repaired comment before it',
    'watch-namespace: all // every one\nacr-registry-info: |\n- instanceId: ""\n',
    [
      [
        'warning',
        'slash-comment',
        null,
        1,
        22,
        'The `//` text after the value of `watch-namespace` is not a YAML comment; it was removed.',
        'Delete the `//` text, or start the comment with `#`.',
      ],
      [
        'error',
        'block-not-indented',
        'acr-registry-info',
        3,
        1,
        'The lines after `acr-registry-info: |` are not indented more than `acr-registry-info`, so they are not part of its value.',
        'Indent every line of the `acr-registry-info` value two spaces more than `acr-registry-info`.',
      ],
    ],
    null,
  ],
  [
    'a kind that is not a string',
    'kind: [a]\ndata: {}\n',
    [
      [
        'error',
        'not-a-configmap',
        null,
        1,
        7,
        'The manifest is a `?`, not a ConfigMap.',
        'Give the acr-configuration ConfigMap, or just its `data` map.',
      ],
    ],
    null,
  ],
  [
    'a kind that is not ConfigMap',
    'kind: Secret\ndata: {}\n',
    [
      [
        'error',
        'not-a-configmap',
        null,
        1,
        7,
        'The manifest is a `Secret`, not a ConfigMap.',
        'Give the acr-configuration ConfigMap, or just its `data` map.',
      ],
    ],
    null,
  ],
  [
    'an empty data',
    'kind: ConfigMap\ndata: ""\n',
    [],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a null data',
    'kind: ConfigMap\ndata:\n',
    [],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a data that is a string',
    'kind: ConfigMap\ndata: x\n',
    [
      [
        'error',
        'not-a-map',
        null,
        2,
        7,
        'The file is not a map of ConfigMap keys to values.',
        'Write one `key: value` per line, e.g. `service-account: "default"`, or give a whole ConfigMap manifest.',
      ],
    ],
    null,
  ],
  [
    'a key that is not a string',
    '? [a]\n: x\n',
    [
      [
        'warning',
        'unknown-key',
        '',
        1,
        3,
        'Unknown key ``; it is ignored.',
        'Use only the keys service-account, watch-namespace, expiring-threshold, acr-registry-info, rrsa, webhook-configuration, pod-identity.',
      ],
    ],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a value that is a map',
    'rrsa: {enable: true}\n',
    [
      [
        'error',
        'value-not-a-string',
        'rrsa',
        1,
        7,
        'The value of `rrsa` is a YAML map, but ConfigMap values are strings.',
        'Write `rrsa: |` and indent the value below it.',
      ],
    ],
    null,
  ],
  [
    'a value that is a list',
    'watch-namespace: [a, b]\n',
    [
      [
        'error',
        'value-not-a-string',
        'watch-namespace',
        1,
        18,
        'The value of `watch-namespace` is a YAML list, but ConfigMap values are strings.',
        'Write `watch-namespace: |` and indent the value below it.',
      ],
    ],
    null,
  ],
  [
    'a null value',
    'watch-namespace: ~\nservice-account:\n',
    [],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'an unknown key like no other',
    'zzzzzzzzzz: a\n',
    [
      [
        'warning',
        'unknown-key',
        'zzzzzzzzzz',
        1,
        1,
        'Unknown key `zzzzzzzzzz`; it is ignored.',
        'Use only the keys service-account, watch-namespace, expiring-threshold, acr-registry-info, rrsa, webhook-configuration, pod-identity.',
      ],
    ],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a threshold of spaces',
    'expiring-threshold: "   "\n',
    [],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a threshold with spaces around',
    'expiring-threshold: " 20m "\n',
    [],
    { threshold: 1200, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a threshold of zero',
    'expiring-threshold: 0s\n',
    [],
    { threshold: 0, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a threshold that is not a duration, in single quotes',
    "expiring-threshold: ' x '\n",
    [
      [
        'error',
        'invalid-duration',
        'expiring-threshold',
        1,
        22,
        'expiring-threshold `x` is not a duration.',
        'Use a Go duration such as `15m`, `1h` or `90s`.',
      ],
    ],
    null,
  ],
  [
    'a threshold that is not a duration, in double quotes',
    'expiring-threshold:   "x"\n',
    [
      [
        'error',
        'invalid-duration',
        'expiring-threshold',
        1,
        24,
        'expiring-threshold `x` is not a duration.',
        'Use a Go duration such as `15m`, `1h` or `90s`.',
      ],
    ],
    null,
  ],
  [
    'a threshold that is not a duration, plain',
    'expiring-threshold: x\n',
    [
      [
        'error',
        'invalid-duration',
        'expiring-threshold',
        1,
        21,
        'expiring-threshold `x` is not a duration.',
        'Use a Go duration such as `15m`, `1h` or `90s`.',
      ],
    ],
    null,
  ],
  [
    'a negative threshold',
    'expiring-threshold: -1m\n',
    [
      [
        'error',
        'invalid-duration',
        'expiring-threshold',
        1,
        21,
        'expiring-threshold `-1m` is not a duration.',
        'Use a Go duration such as `15m`, `1h` or `90s`.',
      ],
    ],
    null,
  ],
  [
    'a literal block starting with blank lines, indented four',
    'acr-registry-info: |\n\n    - instanceId: ""\n      zzz: 1\n',
    [
      [
        'warning',
        'unknown-field',
        'acr-registry-info',
        4,
        7,
        'Unknown registry field `zzz`; it is ignored.',
        'Use only the fields instanceId, regionId, domains, assumeRoleARN, expireDuration, customAccessKey, customAccessKeySecret, customAccessKeySecretRef, rrsaRoleARN, rrsaOIDCProviderRoleARN.',
      ],
    ],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a literal block with an indentation indicator',
    'acr-registry-info: |2\n    - instanceId: ""\n      zzz: 1\n',
    [
      [
        'warning',
        'unknown-field',
        'acr-registry-info',
        3,
        7,
        'Unknown registry field `zzz`; it is ignored.',
        'Use only the fields instanceId, regionId, domains, assumeRoleARN, expireDuration, customAccessKey, customAccessKeySecret, customAccessKeySecretRef, rrsaRoleARN, rrsaOIDCProviderRoleARN.',
      ],
    ],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a folded block',
    'acr-registry-info: >\n  - instanceId: ""\n\n    zzz: 1\n',
    [
      [
        'warning',
        'unknown-field',
        'acr-registry-info',
        4,
        5,
        'Unknown registry field `zzz`; it is ignored.',
        'Use only the fields instanceId, regionId, domains, assumeRoleARN, expireDuration, customAccessKey, customAccessKeySecret, customAccessKeySecretRef, rrsaRoleARN, rrsaOIDCProviderRoleARN.',
      ],
    ],
    { threshold: 900, ns: { all: false, names: ['default'] }, sa: { all: false, names: ['default'] }, registries: 1 },
  ],
  [
    'a single word',
    'hello\n',
    [
      [
        'error',
        'not-a-map',
        null,
        1,
        1,
        'The file is not a map of ConfigMap keys to values.',
        'Write one `key: value` per line, e.g. `service-account: "default"`, or give a whole ConfigMap manifest.',
      ],
    ],
    null,
  ],
])('%s', (_name, text, problems, read) => {
  const result = parseConfigurationFile(text);
  expect(result.problems.map((p) => [p.severity, p.code, p.key ?? null, p.line, p.column, p.message, p.fix])).toEqual(
    problems,
  );
  expect(
    result.ok
      ? {
          threshold: result.config.expiringThresholdSeconds,
          ns: result.config.watchNamespaces,
          sa: result.config.serviceAccounts,
          registries: result.config.registries.length,
        }
      : null,
  ).toEqual(read);
});
