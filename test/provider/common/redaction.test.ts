import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { render, renderTable } from '../../../plugin/output.js';
import { REDACTED, redactSecrets, secretValuesIn } from '../../../provider/common/redaction.js';

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
