// `pod-identity`: what it accepts and every refusal, with position and fix.
import { describe, expect, it } from 'vitest';
import { parseConfigurationData, parseConfigurationFile } from '../../../provider/configuration/parse-configuration.js';

const OIDC = 'acs:ram::1234567890:oidc-provider/ack-rrsa-c0ffee';

describe('pod-identity accepted', () => {
  it.each([
    ['absent', {}, { enabled: false, oidcProviderArn: undefined, requireRole: false }],
    [
      'enabled with the provider',
      { 'pod-identity': `enable: true\noidc-provider-arn: ${OIDC}` },
      { enabled: true, oidcProviderArn: OIDC, requireRole: false },
    ],
    [
      'quoted booleans and require-role',
      { 'pod-identity': `enable: "true"\nrequire-role: 'true'\noidc-provider-arn: "${OIDC}"` },
      { enabled: true, oidcProviderArn: OIDC, requireRole: true },
    ],
    [
      'off, with the provider kept for later',
      { 'pod-identity': `enable: false\noidc-provider-arn: ${OIDC}` },
      { enabled: false, oidcProviderArn: OIDC, requireRole: false },
    ],
    ['empty', { 'pod-identity': '' }, { enabled: false, oidcProviderArn: undefined, requireRole: false }],
    [
      'an ARN with spaces inside its quotes, and an empty one off',
      { 'pod-identity': `enable: true\noidc-provider-arn: " ${OIDC} "` },
      { enabled: true, oidcProviderArn: OIDC, requireRole: false },
    ],
    [
      'off with an empty provider field',
      { 'pod-identity': 'enable: false\noidc-provider-arn:' },
      { enabled: false, oidcProviderArn: undefined, requireRole: false },
    ],
  ])('%s, without a warning', (_what, data: Record<string, string>, expected) => {
    const result = parseConfigurationData(data);
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([]);
    if (result.ok) expect(result.config.podIdentity).toEqual(expected);
  });

  it('enabled without an OIDC provider is read, with a warning saying what that costs', () => {
    const result = parseConfigurationData({ 'pod-identity': 'enable: true' });
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([
      {
        severity: 'warning',
        code: 'no-oidc-provider',
        key: 'pod-identity',
        line: 1,
        column: 1,
        message:
          'pod-identity is enabled without `oidc-provider-arn`: every ServiceAccount must name its OIDC provider with an annotation, and `pod-identity.alibabacloud.com/role-name` cannot be used.',
        fix: "Add `oidc-provider-arn: acs:ram::<account-id>:oidc-provider/ack-rrsa-<cluster-id>` (the cluster's RRSA OIDC provider).",
      },
    ]);
  });

  it('an unknown field gets the closest name', () => {
    const result = parseConfigurationData({ 'pod-identity': 'enable: true\nrequire-roles: true' });
    expect(result.problems).toContainEqual(
      expect.objectContaining({ code: 'unknown-field', line: 2, column: 1, fix: 'Did you mean `require-role`?' }),
    );
  });
});

describe('pod-identity refused', () => {
  it.each([
    ['enable: maybe', 'invalid-boolean', 1, 9, '`enable` in `pod-identity` must be true or false.'],
    ['require-role: 1', 'invalid-boolean', 1, 15, '`require-role` in `pod-identity` must be true or false.'],
    [
      'oidc-provider-arn: acs:ram::123:role/x',
      'invalid-arn',
      1,
      20,
      'oidc-provider-arn `acs:ram::123:role/x` is not an ARN of the form `acs:ram::<account-id>:oidc-provider/<provider-name>`.',
    ],
    ['true', 'not-a-map', 1, 1, 'The value of `pod-identity` must be YAML `field: value` lines.'],
  ])('%s', (text, code, line, column, message) => {
    const result = parseConfigurationData({ 'pod-identity': text });
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(
      expect.objectContaining({ severity: 'error', code, key: 'pod-identity', line, column, message }),
    );
  });

  it('an invalid provider ARN names where to copy it from, and is not also reported as missing', () => {
    const result = parseConfigurationData({ 'pod-identity': 'enable: true\noidc-provider-arn: nope' });
    expect(result.problems).toEqual([
      {
        severity: 'error',
        code: 'invalid-arn',
        key: 'pod-identity',
        line: 2,
        column: 20,
        message:
          'oidc-provider-arn `nope` is not an ARN of the form `acs:ram::<account-id>:oidc-provider/<provider-name>`.',
        fix: "Copy the cluster's RRSA OIDC provider ARN from the ACK console (cluster information, RRSA); it looks like `acs:ram::<account-id>:oidc-provider/<provider-name>`.",
      },
    ]);
  });

  it('a refusal in a file is placed on the file line', () => {
    const text = `data:\n  pod-identity: |\n    enable: true\n    oidc-provider-arn: nope\n`;
    const result = parseConfigurationFile(text);
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(expect.objectContaining({ code: 'invalid-arn', line: 4, column: 24 }));
  });
});
