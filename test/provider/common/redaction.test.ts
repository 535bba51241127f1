import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { render, renderTable } from '../../../plugin/output.js';
import { REDACTED, redactingRuntime, redactSecrets, secretValuesIn } from '../../../provider/common/redaction.js';

describe('renderTable', () => {
  test('upper-case headers, columns three spaces apart, no trailing spaces', () => {
    expect(
      renderTable(
        ['node', 'provider', 'pod'],
        [
          ['n1', 'ready', 'acr-node-setup-a'],
          ['node-two', 'missing', ''],
        ],
      ),
    ).toBe('NODE       PROVIDER   POD\nn1         ready      acr-node-setup-a\nnode-two   missing\n');
  });
  test('an empty table is its header', () => {
    expect(renderTable(['a', 'b'], [])).toBe('A   B\n');
  });
});

test('render: json and yaml carry the same data, table is the callback', () => {
  const value = { health: 'healthy', problems: [{ code: 'x', line: 1 }] };
  expect(JSON.parse(render('json', value, () => 'unused'))).toEqual(value);
  expect(parse(render('yaml', value, () => 'unused'))).toEqual(value);
  expect(render('table', value, () => 'TABLE\n')).toBe('TABLE\n');
});

describe('secretValuesIn finds plain-text secrets however they are written', () => {
  test.each([
    ['double-quoted', '- customAccessKeySecret: "s3cret-one"\n', ['s3cret-one']],
    ['single-quoted', "- customAccessKeySecret: 's3cret-two'\n", ['s3cret-two']],
    ["bare with the docs' // comment", '  customAccessKeySecret: s3cret-three // the secret\n', ['s3cret-three']],
    ['odd key case', '  CustomAccessKeySecret:"s3cret-four"\n', ['s3cret-four']],
    ['a reference is not a secret', '  customAccessKeySecretRef: "access-key-personal"\n', []],
    ['too short to redact safely', '  customAccessKeySecret: "xyz"\n', []],
    ['four characters are enough', '  customAccessKeySecret: "wxyz"\n', ['wxyz']],
  ])('%s', (_name, text, expected) => {
    expect(secretValuesIn({ 'acr-registry-info': text })).toEqual(expected);
  });
});

test('redactSecrets hides the longest secret whole, every occurrence', () => {
  expect(redactSecrets('a=abcd1234 b=abcd c=abcd1234', ['abcd', 'abcd1234'])).toBe(
    `a=${REDACTED} b=${REDACTED} c=${REDACTED}`,
  );
  expect(redactSecrets('nothing here', [])).toBe('nothing here');
});

test('redactSecrets leaves a "secret" shorter than four characters alone, wherever it came from', () => {
  expect(redactSecrets('a=xyz b=wxyz', ['xyz', 'wxyz'])).toBe(`a=xyz b=${REDACTED}`);
});

test('redactingRuntime hides the secrets known at each write, on stdout and stderr, and keeps the rest', () => {
  const written: string[] = [];
  let secrets = ['s3cret-one'];
  const runtime = redactingRuntime(
    {
      stdout: (text: string) => written.push(`out:${text}`),
      stderr: (text: string) => written.push(`err:${text}`),
      env: 'kept',
    },
    () => secrets,
  );
  runtime.stdout('a s3cret-one b');
  secrets = ['s3cret-two'];
  runtime.stderr('c s3cret-one s3cret-two');
  expect(written).toEqual([`out:a ${REDACTED} b`, `err:c s3cret-one ${REDACTED}`]);
  expect(runtime.env).toBe('kept');
});
