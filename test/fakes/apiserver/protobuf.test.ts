import { describe, expect, it } from 'vitest';
import { decodeProtobufObject } from './protobuf.js';

/** Captured from `kubectl create secret generic s --from-literal=a=b --type=foo/bar -v=9` (kubectl 1.32). */
const capturedSecret = Buffer.from(
  '6b 38 73 00 0a 0c 0a 02 76 31 12 06 53 65 63 72 65 74 12 24 0a 11 0a 01 73 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 12 06 0a 01 61 12 01 62 1a 07 66 6f 6f 2f 62 61 72 1a 00 22 00'.replaceAll(
    ' ',
    '',
  ),
  'hex',
);

/** Captured from `kubectl auth can-i patch serviceaccounts -n team --subresource=status -v=9`. */
const capturedReview = Buffer.from(
  (
    '6b 38 73 00 0a 32 0a 17 61 75 74 68 6f 72 69 7a 61 74 69 6f 6e 2e 6b 38 73 2e 69 6f 2f 76 31 12 17 53 65 6c 66 53 75 62 6a 65 63 74 41 63 63 65 73 73 52 65 76 69 65 77 ' +
    '12 4c 0a 10 0a 00 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 12 2e 0a 2c 0a 04 74 65 61 6d 12 05 70 61 74 63 68 1a 00 22 00 2a 0f 73 65 72 76 69 63 65 61 63 63 6f 75 6e 74 73 ' +
    '32 06 73 74 61 74 75 73 3a 00 1a 08 08 00 12 00 1a 00 20 00 1a 00 22 00'
  ).replaceAll(' ', ''),
  'hex',
);

function field(number: number, payload: Buffer | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])),
    field(2, raw),
  ]);
const meta = (name: string, labels: Record<string, string> = {}) =>
  field(
    1,
    Buffer.concat([
      field(1, name),
      ...Object.entries(labels).map(([k, v]) => field(11, Buffer.concat([field(1, k), field(2, v)]))),
    ]),
  );

describe('decodeProtobufObject', () => {
  it.each([
    [
      'the Secret kubectl sent',
      capturedSecret,
      'Secret',
      {
        ok: true,
        value: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 's' },
          data: { a: Buffer.from('b').toString('base64') },
          type: 'foo/bar',
        },
      },
    ],
    [
      'the SelfSubjectAccessReview kubectl auth can-i sent',
      capturedReview,
      'SelfSubjectAccessReview',
      {
        ok: true,
        value: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          metadata: {},
          spec: {
            resourceAttributes: {
              namespace: 'team',
              verb: 'patch',
              resource: 'serviceaccounts',
              subresource: 'status',
            },
          },
          status: { allowed: false, denied: false },
        },
      },
    ],
    [
      'a ConfigMap with labels, data and an empty value',
      envelope(
        'v1',
        'ConfigMap',
        Buffer.concat([
          meta('c', { app: 'acr', tier: 'x' }),
          field(2, Buffer.concat([field(1, 'k'), field(2, 'v')])),
          field(2, field(1, 'empty')),
        ]),
      ),
      'ConfigMap',
      {
        ok: true,
        value: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'c', labels: { app: 'acr', tier: 'x' } },
          data: { k: 'v', empty: '' },
        },
      },
    ],
    [
      'a ServiceAccount with imagePullSecrets and automount off',
      envelope(
        'v1',
        'ServiceAccount',
        Buffer.concat([meta('sa'), field(3, field(1, 'one')), field(3, field(1, 'two')), Buffer.from([0x20, 0x00])]),
      ),
      'ServiceAccount',
      {
        ok: true,
        value: {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'sa' },
          imagePullSecrets: [{ name: 'one' }, { name: 'two' }],
          automountServiceAccountToken: false,
        },
      },
    ],
    [
      'a kind without a schema',
      envelope('apps/v1', 'Deployment', meta('d')),
      'Deployment',
      {
        ok: false,
        message: expect.stringContaining('decodes protobuf only for ConfigMap, Secret, Namespace, ServiceAccount'),
      },
    ],
    [
      'a body of another kind than the URL',
      envelope('v1', 'Secret', meta('s')),
      'ConfigMap',
      { ok: false, message: 'the body is a Secret, not a ConfigMap' },
    ],
    [
      'a field it does not know',
      envelope('v1', 'ConfigMap', Buffer.concat([meta('c'), field(9, 'x')])),
      'ConfigMap',
      {
        ok: false,
        message: 'cannot decode the protobuf body: field 9 of ConfigMap is not known to the fake apiserver',
      },
    ],
    ['no envelope', Buffer.from('{}'), 'ConfigMap', { ok: false, message: 'protobuf body without the k8s envelope' }],
    [
      'a truncated body',
      capturedSecret.subarray(0, 30),
      'Secret',
      { ok: false, message: expect.stringContaining('cannot decode the protobuf body: truncated') },
    ],
  ])('%s', (_name, body, kind, expected) => {
    expect(decodeProtobufObject(body, kind)).toEqual(expected);
  });
});
