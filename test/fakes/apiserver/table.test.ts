import { describe, expect, it } from 'vitest';
import { asTable, humanDuration, wantsTable } from './table.js';

describe('server-side printing', () => {
  it.each([
    [0, '0s'],
    [119, '119s'],
    [120, '2m'],
    [125, '2m5s'],
    [600, '10m'],
    [3 * 3600, '3h'],
    [3 * 3600 + 60, '3h1m'],
    [30 * 3600, '30h'],
    [3 * 86400 + 3600, '3d1h'],
    [40 * 86400, '40d'],
    [3 * 365 * 86400, '3y'],
  ])('%i seconds read %s', (seconds, text) => {
    expect(humanDuration(seconds)).toBe(text);
  });

  it.each([
    ['application/json;as=Table;v=v1;g=meta.k8s.io,application/json', true],
    ['application/json', false],
    [undefined, false],
  ])('Accept %s asks for a Table: %s', (accept, expected) => {
    expect(wantsTable(accept)).toBe(expected);
  });

  it('prints the columns kubectl shows for Secrets, with partial metadata rows', () => {
    const secret = {
      metadata: { name: 's', namespace: 'd', creationTimestamp: '2026-01-01T00:00:00Z' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': 'e30=' },
    };
    const table = asTable('secrets', [secret], { resourceVersion: '7' }, null, new Date('2026-01-01T00:02:05Z')) as {
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[]; object: unknown }[];
    };
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(table.rows).toEqual([
      {
        cells: ['s', 'kubernetes.io/dockerconfigjson', 1, '2m5s'],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: secret.metadata },
      },
    ]);
  });
});
