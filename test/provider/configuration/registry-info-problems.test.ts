// Every problem `acr-registry-info` can have, by table: the whole problem
// (severity, code, line, column, message, fix) and the entries still read.
// The rows were read off the parser and checked by hand, one by one.
import { expect, it } from 'vitest';
import { parseRegistryInfo } from '../../../provider/configuration/registry-info.js';

/** [severity, code, line, column, message, fix] */
type Row = [string, string, number, number, string, string];

it.each<[string, string, Row[], unknown[]]>([
  ['blank lines only', '   \n  \n', [], []],
  ['a comment only', '# nothing\n', [], []],
  ['an empty string', '""\n', [], []],
  ['a tilde', '~\n', [], []],
  [
    'a lone scalar',
    'cri-abc\n',
    [
      [
        'error',
        'registry-info-not-a-list',
        1,
        1,
        'acr-registry-info must be a YAML list of registry entries.',
        'Write one entry per registry, e.g. `- instanceId: "cri-xxx"` followed by `  regionId: "cn-hangzhou"`.',
      ],
    ],
    [],
  ],
  [
    'a map instead of a list',
    'instanceId: cri-abc\n',
    [
      [
        'error',
        'registry-info-not-a-list',
        1,
        1,
        'acr-registry-info must be a YAML list of registry entries.',
        'Start each registry entry with `- `, e.g. `- instanceId: ""`.',
      ],
    ],
    [],
  ],
  [
    'a list item that is a string',
    '- instanceId: ""\n- just-a-string\n',
    [
      [
        'error',
        'registry-entry-not-a-map',
        2,
        3,
        'Registry entry 2 is not a set of `field: value` lines.',
        'Write the entry as `- instanceId: "<id or empty>"` with its other fields lined up below `instanceId`.',
      ],
    ],
    [{ edition: 'personal', index: 0, credentials: { kind: 'node' } }],
  ],
  [
    'an empty list item',
    '- instanceId: ""\n-\n',
    [
      [
        'error',
        'registry-entry-not-a-map',
        2,
        2,
        'Registry entry 2 is not a set of `field: value` lines.',
        'Write the entry as `- instanceId: "<id or empty>"` with its other fields lined up below `instanceId`.',
      ],
    ],
    [{ edition: 'personal', index: 0, credentials: { kind: 'node' } }],
  ],
  [
    'a field outside the list item',
    '- instanceId: ""\nregionId: cn-hangzhou\n',
    [
      [
        'error',
        'key-outside-list-item',
        2,
        1,
        '`regionId` is less indented than `instanceId` of the list item above it, so it is not part of any registry entry.',
        'Indent `regionId` to line up with `instanceId`.',
      ],
    ],
    [],
  ],
  [
    'a field outside the list item, YAML failing too',
    '- instanceId: ""\nregionId: cn-hangzhou\n  domains: "x\n',
    [
      [
        'warning',
        'indentation-repaired',
        3,
        3,
        '`domains` is indented deeper than `regionId` on the line above; it was read as its sibling.',
        'Indent `domains` to line up with `regionId`.',
      ],
      [
        'error',
        'key-outside-list-item',
        2,
        1,
        '`regionId` is less indented than `instanceId` of the list item above it, so it is not part of any registry entry.',
        'Indent `regionId` to line up with `instanceId`.',
      ],
      [
        'error',
        'key-outside-list-item',
        3,
        3,
        '`domains` is less indented than `instanceId` of the list item above it, so it is not part of any registry entry.',
        'Indent `domains` to line up with `instanceId`.',
      ],
    ],
    [],
  ],
  [
    'a tab',
    '- instanceId: ""\n\tregionId: cn-hangzhou\n',
    [
      [
        'error',
        'tab-indentation',
        2,
        1,
        'A tab character is used for indentation; YAML allows only spaces there.',
        'Replace the tab with spaces so the line lines up with its siblings.',
      ],
    ],
    [],
  ],
  [
    'an unknown field like no other',
    '- instanceId: ""\n  zzzzzzzz: 1\n',
    [
      [
        'warning',
        'unknown-field',
        2,
        3,
        'Unknown registry field `zzzzzzzz`; it is ignored.',
        'Use only the fields instanceId, regionId, domains, assumeRoleARN, expireDuration, customAccessKey, customAccessKeySecret, customAccessKeySecretRef, rrsaRoleARN, rrsaOIDCProviderRoleARN.',
      ],
    ],
    [{ edition: 'personal', index: 0, credentials: { kind: 'node' } }],
  ],
  [
    'field names in the wrong case',
    '- instanceid: ""\n  REGIONID: cn-hangzhou\n',
    [
      ['warning', 'field-name-case', 1, 3, 'Field `instanceid` was read as `instanceId`.', 'Spell it `instanceId`.'],
      ['warning', 'field-name-case', 2, 3, 'Field `REGIONID` was read as `regionId`.', 'Spell it `regionId`.'],
    ],
    [{ edition: 'personal', index: 0, regionId: 'cn-hangzhou', credentials: { kind: 'node' } }],
  ],
  [
    'a field twice',
    '- instanceId: ""\n  instanceid: ""\n',
    [
      ['warning', 'field-name-case', 2, 3, 'Field `instanceid` was read as `instanceId`.', 'Spell it `instanceId`.'],
      [
        'error',
        'duplicate-field',
        2,
        3,
        '`instanceId` appears twice in one registry entry.',
        'Keep one `instanceId` line.',
      ],
    ],
    [{ edition: 'personal', index: 0, credentials: { kind: 'node' } }],
  ],
  [
    'domains as a list',
    '- instanceId: ""\n  domains: [a.com, b.com]\n',
    [
      [
        'error',
        'invalid-field-value',
        2,
        12,
        '`domains` must be a single string value.',
        'Write `domains: "<value>"` with the domains separated by commas.',
      ],
    ],
    [{ edition: 'personal', index: 0, credentials: { kind: 'node' } }],
  ],
  [
    'instanceId as a map',
    '- instanceId: {a: 1}\n',
    [
      [
        'error',
        'invalid-field-value',
        1,
        15,
        '`instanceId` must be a single string value.',
        'Write `instanceId: "<value>"`.',
      ],
    ],
    [{ edition: 'personal', index: 0, credentials: { kind: 'node' } }],
  ],
  [
    'values with spaces around',
    '- instanceId: "  cri-abc  "\n  regionId: " cn-hangzhou "\n',
    [],
    [
      {
        edition: 'enterprise',
        instanceId: 'cri-abc',
        index: 0,
        regionId: 'cn-hangzhou',
        credentials: { kind: 'node' },
      },
    ],
  ],
  [
    'expireDuration without a role',
    '- instanceId: ""\n  expireDuration: 3600\n',
    [
      [
        'warning',
        'unused-field',
        2,
        19,
        'expireDuration has no effect without assumeRoleARN.',
        'Add `assumeRoleARN` or remove `expireDuration`.',
      ],
    ],
    [{ edition: 'personal', index: 0, credentials: { kind: 'node' } }],
  ],
  [
    'an empty expireDuration',
    '- instanceId: ""\n  expireDuration: ""\n',
    [],
    [{ edition: 'personal', index: 0, credentials: { kind: 'node' } }],
  ],
  [
    'expireDuration with a prefix',
    '- instanceId: ""\n  expireDuration: x3600\n  assumeRoleARN: acs:ram::123456789012:role/a\n',
    [
      [
        'error',
        'invalid-expire-duration',
        2,
        19,
        'expireDuration `x3600` is not a whole number of seconds from 900 to 43200.',
        "Write the role session length in seconds, e.g. `expireDuration: 3600`, no more than the role's maximum session duration.",
      ],
    ],
    [],
  ],
  [
    'expireDuration with a suffix',
    '- instanceId: ""\n  expireDuration: 3600x\n  assumeRoleARN: acs:ram::123456789012:role/a\n',
    [
      [
        'error',
        'invalid-expire-duration',
        2,
        19,
        'expireDuration `3600x` is not a whole number of seconds from 900 to 43200.',
        "Write the role session length in seconds, e.g. `expireDuration: 3600`, no more than the role's maximum session duration.",
      ],
    ],
    [],
  ],
  [
    'expireDuration with a role',
    '- instanceId: ""\n  expireDuration: 900\n  assumeRoleARN: acs:ram::123456789012:role/a\n',
    [],
    [
      {
        edition: 'personal',
        index: 0,
        credentials: { kind: 'node' },
        assumeRole: { roleArn: 'acs:ram::123456789012:role/a', durationSeconds: 900 },
      },
    ],
  ],
  [
    'empty domains',
    '- instanceId: ""\n  domains: ""\n',
    [],
    [{ edition: 'personal', index: 0, credentials: { kind: 'node' } }],
  ],
  [
    'domains repeated, in any case, with empty items',
    '- instanceId: ""\n  domains: "a.example.com, A.example.com,,b.example.com:5000"\n',
    [],
    [
      {
        edition: 'personal',
        index: 0,
        domains: ['a.example.com', 'b.example.com:5000'],
        credentials: { kind: 'node' },
      },
    ],
  ],
  [
    'a domain with a scheme and path',
    '- instanceId: ""\n  domains: "https://a.example.com/v2"\n',
    [
      [
        'error',
        'invalid-domain',
        2,
        12,
        'Domain `https://a.example.com/v2` is not a host[:port].',
        'Remove `https://`: write `a.example.com`.',
      ],
    ],
    [],
  ],
  [
    'a domain with a scheme holding a digit',
    '- instanceId: ""\n  domains: "x1+https://a.example.com"\n',
    [
      [
        'error',
        'invalid-domain',
        2,
        12,
        'Domain `x1+https://a.example.com` is not a host[:port].',
        'Remove `x1+https://`: write `a.example.com`.',
      ],
    ],
    [],
  ],
  [
    'a domain with a path',
    '- instanceId: ""\n  domains: "a.example.com/v2"\n',
    [
      [
        'error',
        'invalid-domain',
        2,
        12,
        'Domain `a.example.com/v2` is not a host[:port].',
        'Remove the path: write `a.example.com`.',
      ],
    ],
    [],
  ],
  [
    'domains separated by a space',
    '- instanceId: ""\n  domains: "a.example.com b.example.com"\n',
    [
      [
        'error',
        'invalid-domain',
        2,
        12,
        'Domain `a.example.com b.example.com` is not a host[:port].',
        'Separate domains with commas, not spaces: `a.example.com,b.example.com`.',
      ],
    ],
    [],
  ],
  [
    'a domain with a character hosts cannot have',
    '- instanceId: ""\n  domains: " a_b!.com "\n',
    [
      [
        'error',
        'invalid-domain',
        2,
        12,
        'Domain `a_b!.com` is not a host[:port].',
        'Write each domain as a host name with an optional port, e.g. `registry.example.com` or `registry.example.com:5000`.',
      ],
    ],
    [],
  ],
  [
    'an AccessKey and an OIDC provider',
    '- instanceId: ""\n  customAccessKey: LTAI\n  rrsaOIDCProviderRoleARN: acs:ram::123456789012:oidc-provider/x\n',
    [
      [
        'error',
        'conflicting-credentials',
        3,
        28,
        'One registry entry sets both an AccessKey and RRSA roles; only one credential source can be used.',
        'Keep either `customAccessKey`/`customAccessKeySecret` or `rrsaRoleARN`/`rrsaOIDCProviderRoleARN`.',
      ],
    ],
    [],
  ],
  [
    'a secret reference and both RRSA fields',
    '- instanceId: ""\n  customAccessKeySecretRef: k\n  rrsaRoleARN: acs:ram::123456789012:role/a\n  rrsaOIDCProviderRoleARN: acs:ram::123456789012:oidc-provider/x\n',
    [
      [
        'error',
        'conflicting-credentials',
        3,
        16,
        'One registry entry sets both an AccessKey and RRSA roles; only one credential source can be used.',
        'Keep either `customAccessKey`/`customAccessKeySecret` or `rrsaRoleARN`/`rrsaOIDCProviderRoleARN`.',
      ],
    ],
    [],
  ],
  [
    'an inline secret and a reference',
    '- instanceId: ""\n  customAccessKey: LTAI\n  customAccessKeySecret: s\n  customAccessKeySecretRef: k\n',
    [
      [
        'error',
        'conflicting-credentials',
        4,
        29,
        'Both `customAccessKeySecret` and `customAccessKeySecretRef` are set.',
        'Remove `customAccessKeySecret` and keep the secret only in the referenced Secret.',
      ],
    ],
    [],
  ],
  [
    'an inline secret without its ID',
    '- instanceId: ""\n  customAccessKeySecret: s\n',
    [
      [
        'error',
        'incomplete-pair',
        2,
        26,
        '`customAccessKeySecret` is set but `customAccessKey` is not; they only work together.',
        'Add `customAccessKey: "<AccessKey ID>"` to the same entry.',
      ],
    ],
    [],
  ],
  [
    'a secret reference without its ID',
    '- instanceId: ""\n  customAccessKeySecretRef: k\n',
    [
      [
        'error',
        'incomplete-pair',
        2,
        29,
        '`customAccessKeySecretRef` is set but `customAccessKey` is not; they only work together.',
        'Add `customAccessKey: "<AccessKey ID>"` to the same entry.',
      ],
    ],
    [],
  ],
  [
    'a secret reference `.`',
    '- instanceId: ""\n  customAccessKey: LTAI\n  customAccessKeySecretRef: .\n',
    [
      [
        'error',
        'invalid-secret-key',
        3,
        29,
        'customAccessKeySecretRef `.` is not a valid key of the Secret kube-system/acr-configuration-secrets.',
        'Name a key of that Secret (letters, digits, `-`, `_` and `.`), e.g. the one `kubectl acr configure --access-key-id … --access-key-secret-stdin` creates.',
      ],
    ],
    [],
  ],
  [
    'a secret reference `..`',
    '- instanceId: ""\n  customAccessKey: LTAI\n  customAccessKeySecretRef: ".."\n',
    [
      [
        'error',
        'invalid-secret-key',
        3,
        29,
        'customAccessKeySecretRef `..` is not a valid key of the Secret kube-system/acr-configuration-secrets.',
        'Name a key of that Secret (letters, digits, `-`, `_` and `.`), e.g. the one `kubectl acr configure --access-key-id … --access-key-secret-stdin` creates.',
      ],
    ],
    [],
  ],
  [
    'a secret reference with a slash',
    '- instanceId: ""\n  customAccessKey: LTAI\n  customAccessKeySecretRef: "a/b"\n',
    [
      [
        'error',
        'invalid-secret-key',
        3,
        29,
        'customAccessKeySecretRef `a/b` is not a valid key of the Secret kube-system/acr-configuration-secrets.',
        'Name a key of that Secret (letters, digits, `-`, `_` and `.`), e.g. the one `kubectl acr configure --access-key-id … --access-key-secret-stdin` creates.',
      ],
    ],
    [],
  ],
  [
    'a secret reference of every allowed character',
    '- instanceId: ""\n  customAccessKey: LTAI\n  customAccessKeySecretRef: "a.b_c-1"\n',
    [],
    [
      {
        edition: 'personal',
        index: 0,
        credentials: { kind: 'access-key', accessKeyId: 'LTAI', secret: { kind: 'secret-ref', key: 'a.b_c-1' } },
      },
    ],
  ],
  [
    'a warning does not drop the entries',
    '- instanceId: ""\n  zzzzzzzz: 1\n- instanceId: cri-x\n',
    [
      [
        'warning',
        'unknown-field',
        2,
        3,
        'Unknown registry field `zzzzzzzz`; it is ignored.',
        'Use only the fields instanceId, regionId, domains, assumeRoleARN, expireDuration, customAccessKey, customAccessKeySecret, customAccessKeySecretRef, rrsaRoleARN, rrsaOIDCProviderRoleARN.',
      ],
    ],
    [
      { edition: 'personal', index: 0, credentials: { kind: 'node' } },
      { edition: 'enterprise', instanceId: 'cri-x', index: 1, credentials: { kind: 'node' } },
    ],
  ],
  [
    'a tab and a key outside the list item: the tab alone is reported (the outside check reads spaces)',
    '- instanceId: ""\n\t  domains: a\nregionId: cn-hangzhou\n',
    [
      [
        'error',
        'tab-indentation',
        2,
        1,
        'A tab character is used for indentation; YAML allows only spaces there.',
        'Replace the tab with spaces so the line lines up with its siblings.',
      ],
    ],
    [],
  ],
  [
    'domains that are only separators: no domains at all, not an empty list',
    '- instanceId: cri-acme\n  domains: " , "\n',
    [],
    [{ edition: 'enterprise', instanceId: 'cri-acme', index: 0, credentials: { kind: 'node' } }],
  ],
  [
    'the second of two domains refused: shown without its spaces',
    '- instanceId: ""\n  domains: "a.example.com,  a_b!.com "\n',
    [
      [
        'error',
        'invalid-domain',
        2,
        12,
        'Domain `a_b!.com` is not a host[:port].',
        'Write each domain as a host name with an optional port, e.g. `registry.example.com` or `registry.example.com:5000`.',
      ],
    ],
    [],
  ],
  [
    'a warning, a tab and a key outside the list item: the outside check waits for the tab to be fixed',
    '- instanceId: ""\u00a0\n\t  domains: a\nregionId: cn-hangzhou\n',
    [
      [
        'warning',
        'non-breaking-space',
        1,
        17,
        '1 non-breaking space character(s) (U+00A0, usually copied from a web page) were read as plain spaces.',
        'Retype the indentation and the space after each colon with ordinary spaces.',
      ],
      [
        'error',
        'tab-indentation',
        2,
        1,
        'A tab character is used for indentation; YAML allows only spaces there.',
        'Replace the tab with spaces so the line lines up with its siblings.',
      ],
    ],
    [],
  ],
])('%s', (_name, text, problems, entries) => {
  const result = parseRegistryInfo(text, { rrsaEnabled: true });
  expect(result.problems.map((p) => [p.severity, p.code, p.line, p.column, p.message, p.fix])).toEqual(problems);
  expect(result.problems.every((p) => p.key === 'acr-registry-info')).toBe(true);
  expect(result.entries).toEqual(entries);
});
