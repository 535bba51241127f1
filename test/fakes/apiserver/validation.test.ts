import { describe, expect, it } from 'vitest';
import { resourceByName } from './resources.js';
import type { KubeObject } from './store.js';
import { validate } from './validation.js';

const type = (name: string) => resourceByName(name)!;
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('validate', () => {
  it.each<[string, string, KubeObject, string[]]>([
    [
      'a valid Secret',
      'secrets',
      {
        metadata: { name: 'acr-pull.cn-hangzhou', labels: { 'app.kubernetes.io/managed-by': 'kubectl-acr' } },
        type: 'Opaque',
        data: { 'a_b-c.d': b64('x') },
      },
      [],
    ],
    ['an uppercase name', 'configmaps', { metadata: { name: 'Acr' } }, ['metadata.name']],
    ['a name with an underscore', 'secrets', { metadata: { name: 'acr_pull' }, type: 'Opaque' }, ['metadata.name']],
    ['a namespace with a dot', 'namespaces', { metadata: { name: 'team.a' } }, ['metadata.name']],
    ['a name of 254 characters', 'configmaps', { metadata: { name: 'a'.repeat(254) } }, ['metadata.name']],
    [
      'a label value with a space',
      'serviceaccounts',
      { metadata: { name: 'sa', labels: { a: 'b c' } } },
      ['metadata.labels'],
    ],
    [
      'a label key with a bad prefix',
      'serviceaccounts',
      { metadata: { name: 'sa', labels: { 'Example.com/a': 'b' } } },
      ['metadata.labels'],
    ],
    ['a ConfigMap key with a slash', 'configmaps', { metadata: { name: 'c' }, data: { 'a/b': 'x' } }, ['data']],
    [
      'Secret data that is not base64',
      'secrets',
      { metadata: { name: 's' }, type: 'Opaque', data: { k: 'not base64!' } },
      ['data[k]'],
    ],
    [
      'a dockerconfigjson Secret without its key',
      'secrets',
      { metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: {} },
      ['data[.dockerconfigjson]'],
    ],
    [
      'a dockerconfigjson Secret that is not JSON',
      'secrets',
      {
        metadata: { name: 's' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': b64('{"auths":') },
      },
      ['data[.dockerconfigjson]'],
    ],
  ])('%s', (_name, resource, object, fields) => {
    expect(validate(type(resource), object, undefined).map((e) => e.field)).toEqual(fields);
  });

  it('never quotes the contents of a Secret', () => {
    const errors = validate(
      type('secrets'),
      {
        metadata: { name: 's' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': b64('{"auths":{"r":{"password":"hunter2"') },
      },
      undefined,
    );
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors)).not.toContain('hunter2');
  });

  it.each<[string, KubeObject, KubeObject, string[]]>([
    [
      'a Secret changing type',
      { metadata: { name: 's' }, type: 'Opaque' },
      { metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{}') } },
      ['type'],
    ],
    [
      'an immutable Secret changing data',
      { metadata: { name: 's' }, type: 'Opaque', immutable: true, data: { a: b64('1') } },
      { metadata: { name: 's' }, type: 'Opaque', immutable: true, data: { a: b64('2') } },
      ['data'],
    ],
    [
      'a mutable Secret changing data',
      { metadata: { name: 's' }, type: 'Opaque', data: { a: b64('1') } },
      { metadata: { name: 's' }, type: 'Opaque', data: { a: b64('2') } },
      [],
    ],
  ])('on update: %s', (_name, previous, next, fields) => {
    expect(validate(type('secrets'), next, previous).map((e) => e.field)).toEqual(fields);
  });
});
