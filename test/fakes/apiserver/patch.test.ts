import { describe, expect, it } from 'vitest';
import { applyPatch, type PatchType } from './patch.js';

type Case = [string, PatchType, object, unknown, object | string];

const pod = {
  spec: {
    containers: [
      { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }], args: ['--one'] },
      { name: 'b', image: 'b:1' },
    ],
    tolerations: [{ key: 't1', operator: 'Exists' }],
    imagePullSecrets: [{ name: 'theirs' }],
  },
};

describe('applyPatch', () => {
  const cases: Case[] = [
    [
      'merge: null removes a key, objects merge',
      'merge',
      { data: { a: '1', b: '2' } },
      { data: { a: null, c: '3' } },
      { data: { b: '2', c: '3' } },
    ],
    ['merge: lists are replaced', 'merge', { l: [1, 2] }, { l: [3] }, { l: [3] }],
    [
      'json: add, replace, remove',
      'json',
      { data: { a: '1' }, l: [1] },
      [
        { op: 'add', path: '/data/b', value: '2' },
        { op: 'replace', path: '/data/a', value: 'x' },
        { op: 'add', path: '/l/-', value: 2 },
        { op: 'remove', path: '/l/0' },
      ],
      { data: { a: 'x', b: '2' }, l: [2] },
    ],
    [
      'json: move and copy',
      'json',
      { a: { x: 1 } },
      [
        { op: 'copy', from: '/a', path: '/b' },
        { op: 'move', from: '/a/x', path: '/c' },
      ],
      { a: {}, b: { x: 1 }, c: 1 },
    ],
    [
      'json: escaped pointer',
      'json',
      { metadata: { annotations: { 'a/b~c': '1' } } },
      [{ op: 'remove', path: '/metadata/annotations/a~1b~0c' }],
      { metadata: { annotations: {} } },
    ],
    [
      'json: failed test',
      'json',
      { a: 1 },
      [{ op: 'test', path: '/a', value: 2 }],
      'testing value /a failed: test failed',
    ],
    [
      'json: missing path',
      'json',
      { a: 1 },
      [{ op: 'replace', path: '/b/c', value: 2 }],
      'doc is missing path: "/b/c": missing value',
    ],
    ['json: not an array', 'json', {}, { op: 'add' }, 'json patch must be an array of operations'],
    [
      'strategic: imagePullSecrets merged by name, order kept, new ones appended',
      'strategic',
      pod,
      { spec: { imagePullSecrets: [{ name: 'acr' }, { name: 'theirs' }] } },
      { spec: { ...pod.spec, imagePullSecrets: [{ name: 'theirs' }, { name: 'acr' }] } },
    ],
    [
      'strategic: containers merged by name, env by name, args and tolerations replaced',
      'strategic',
      pod,
      {
        spec: {
          containers: [{ name: 'a', env: [{ name: 'Y', value: '2' }], args: ['--two'] }],
          tolerations: [{ key: 't2', operator: 'Exists' }],
        },
      },
      {
        spec: {
          containers: [
            {
              name: 'a',
              image: 'a:1',
              env: [
                { name: 'X', value: '1' },
                { name: 'Y', value: '2' },
              ],
              args: ['--two'],
            },
            { name: 'b', image: 'b:1' },
          ],
          tolerations: [{ key: 't2', operator: 'Exists' }],
          imagePullSecrets: [{ name: 'theirs' }],
        },
      },
    ],
    [
      'strategic: $patch delete removes a list item',
      'strategic',
      pod,
      { spec: { containers: [{ name: 'b', $patch: 'delete' }] } },
      { spec: { ...pod.spec, containers: [pod.spec.containers[0]] } },
    ],
    [
      'strategic: $patch replace on a map',
      'strategic',
      { spec: { a: 1, b: 2 } },
      { spec: { $patch: 'replace', c: 3 } },
      { spec: { c: 3 } },
    ],
    [
      'strategic: null removes a key',
      'strategic',
      { metadata: { labels: { a: '1', b: '2' } } },
      { metadata: { labels: { a: null } } },
      { metadata: { labels: { b: '2' } } },
    ],
    [
      'strategic: kubectl apply directives are honoured or ignored',
      'strategic',
      { metadata: { finalizers: ['x', 'y'] }, spec: { imagePullSecrets: [{ name: 'a' }] } },
      {
        metadata: { finalizers: ['z'], '$deleteFromPrimitiveList/finalizers': ['x'] },
        spec: { '$setElementOrder/imagePullSecrets': [{ name: 'a' }], imagePullSecrets: [{ name: 'a' }] },
      },
      { metadata: { finalizers: ['y', 'z'] }, spec: { imagePullSecrets: [{ name: 'a' }] } },
    ],
    [
      'strategic: $retainKeys drops the keys it does not list',
      'strategic',
      { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      { spec: { strategy: { type: 'Recreate' } } },
    ],
  ];

  it.each(cases)('%s', (_name, type, target, patch, expected) => {
    const result = applyPatch(type, target, patch);
    if (typeof expected === 'string') expect(result).toEqual({ ok: false, message: expected });
    else expect(result).toEqual({ ok: true, value: expected });
  });

  it('never changes the object it patches', () => {
    const target = structuredClone(pod);
    applyPatch('strategic', target, { spec: { containers: [{ name: 'a', image: 'a:2' }] } });
    applyPatch('json', target, [{ op: 'remove', path: '/spec/containers/0' }]);
    expect(target).toEqual(pod);
  });
});
