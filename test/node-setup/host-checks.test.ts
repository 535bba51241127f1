import { describe, expect, it } from 'vitest';
import {
  glibcRefusal,
  glibcVersionIn,
  parseKubeletVersion,
  kubeletFeatureGates,
  tokenModeSupport,
} from '../../node-setup/host-checks.js';
import { libcBytes } from './host-fixture.js';

describe('glibcVersionIn', () => {
  it.each([
    [libcBytes('2.36'), { major: 2, minor: 36 }],
    [libcBytes('2.17'), { major: 2, minor: 17 }],
    ['GNU C Library (Ubuntu GLIBC 2.35-0ubuntu3.8) stable release version 2.35.', { major: 2, minor: 35 }],
    ['\0GLIBC_2.2.5\0GLIBC_2.28\0GLIBC_2.3\0', { major: 2, minor: 28 }],
    ['musl libc', undefined],
  ])('%#', (text, expected) => {
    expect(glibcVersionIn(Buffer.from(text, 'latin1'))).toEqual(expected);
  });
});

describe('glibcRefusal', () => {
  it.each([
    [{ major: 2, minor: 27 }, /glibc is 2\.27.*needs glibc 2\.28/],
    [{ major: 2, minor: 28 }, undefined],
    [{ major: 3, minor: 0 }, undefined],
  ])('%j', (version, expected) => {
    const refusal = glibcRefusal({ ok: true, version, path: '/lib64/libc.so.6' });
    if (expected) expect(refusal).toMatch(expected);
    else expect(refusal).toBeUndefined();
  });

  it('refuses when there is no glibc', () => {
    expect(glibcRefusal({ ok: false, message: 'No glibc found' })).toBe('No glibc found');
  });
});

describe('parseKubeletVersion', () => {
  it.each([
    ['Kubernetes v1.34.1', { major: 1, minor: 34 }],
    ['Kubernetes v1.31.1-aliyun.1', { major: 1, minor: 31 }],
    ['1.30', { major: 1, minor: 30 }],
    ['v1.28.3', { major: 1, minor: 28 }],
    ['kubelet', undefined],
  ])('%s', (text, expected) => {
    expect(parseKubeletVersion(text)).toEqual(expected);
  });
});

describe('the ServiceAccount-token feature gate', () => {
  const FILE = (value: string) =>
    `kind: KubeletConfiguration\nfeatureGates:\n  KubeletServiceAccountTokenForCredentialProviders: ${value}\n`;
  it.each([
    ['nothing set', undefined, [], undefined],
    ['the flag', 'KubeletServiceAccountTokenForCredentialProviders=true', [], true],
    ['the file', undefined, [FILE('false')], false],
    ['a drop-in over the file', undefined, [FILE('false'), FILE('true')], true],
    ['the flag over the file', 'A=true, KubeletServiceAccountTokenForCredentialProviders=false', [FILE('true')], false],
    ['a value that is no boolean', 'KubeletServiceAccountTokenForCredentialProviders=yes', [FILE('"true"')], undefined],
  ])('%s', (_what, flag, files, expected) => {
    expect(kubeletFeatureGates(flag, files).get('KubeletServiceAccountTokenForCredentialProviders')).toBe(expected);
  });

  it.each([
    [32, undefined, false],
    [32, true, false],
    [33, undefined, false],
    [33, true, true],
    [34, undefined, true],
    [34, false, false],
    [36, undefined, true],
  ])('kubelet 1.%i with the gate %s takes tokenAttributes: %s', (minor, gate, expected) => {
    const gates = new Map(gate === undefined ? [] : [['KubeletServiceAccountTokenForCredentialProviders', gate]]);
    expect(tokenModeSupport({ major: 1, minor }, gates).ok).toBe(expected);
  });
});
