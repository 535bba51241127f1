// One pass of the Secret sync by table: what the cluster holds and each
// entry's token → the writes. The user's imagePullSecrets survive every row.
import { describe, expect, it } from 'vitest';
import type { RegistryEntry } from '../../../provider/configuration/model.js';
import { dockerConfigJson, pullSecret, pullSecretName, type EntryToken } from '../../../plugin/sync/pull-secret.js';
import {
  nextPullSecrets,
  planSync,
  type ClusterView,
  type EntryState,
  type PullSecretView,
  type SyncScope,
  type SyncWrite,
} from '../../../plugin/sync/sync-plan.js';

const ACME: RegistryEntry = {
  edition: 'enterprise',
  instanceId: 'cri-acme',
  index: 0,
  regionId: 'cn-hangzhou',
  domains: undefined,
  credentials: { kind: 'node' },
  assumeRole: undefined,
};
const PERSONAL: RegistryEntry = {
  edition: 'personal',
  index: 1,
  regionId: 'cn-beijing',
  domains: undefined,
  credentials: { kind: 'node' },
  assumeRole: undefined,
};
const A = pullSecretName(ACME);
const P = pullSecretName(PERSONAL);
const T1: EntryToken = {
  username: 'cr_temp_user',
  password: 'pw-1',
  expiresAt: 1_900_000_000_000,
  authHosts: ['acme-registry.cn-hangzhou.cr.aliyuncs.com'],
};
const T2: EntryToken = { ...T1, password: 'pw-2', expiresAt: 1_900_003_600_000 };
const TP: EntryToken = { ...T1, password: 'pw-p', authHosts: ['registry.cn-beijing.aliyuncs.com'] };

const ALL: SyncScope = { namespaces: { all: true }, serviceAccounts: { all: true } };
const DEFAULTS: SyncScope = {
  namespaces: { all: false, names: ['default'] },
  serviceAccounts: { all: false, names: ['default'] },
};

function stored(namespace: string, entry: RegistryEntry, token: EntryToken, resourceVersion = '10'): PullSecretView {
  const secret = pullSecret(namespace, entry, token);
  return {
    namespace,
    name: secret.metadata.name,
    resourceVersion,
    data: secret.data,
    annotations: secret.metadata.annotations,
  };
}
const sa = (namespace: string, name: string, ...refs: string[]) => ({
  namespace,
  name,
  resourceVersion: '5',
  imagePullSecrets: refs.map((ref) => ({ name: ref })),
});

/** The writes in short: kind, namespace/name, and for ServiceAccounts the resulting list. */
function short(writes: SyncWrite[]): string[] {
  return writes.map((write) => {
    switch (write.kind) {
      case 'create-secret':
      case 'update-secret':
        return `${write.kind} ${write.secret.metadata.namespace}/${write.secret.metadata.name}`;
      case 'delete-secret':
        return `delete-secret ${write.namespace}/${write.name}@${write.resourceVersion}`;
      case 'update-service-account':
        return `update-sa ${write.namespace}/${write.name}@${write.resourceVersion} [${write.imagePullSecrets.map((r) => r.name).join(',')}]`;
    }
  });
}

describe('planSync', () => {
  const both: EntryState[] = [
    { entry: ACME, token: T1 },
    { entry: PERSONAL, token: TP },
  ];
  it.each<[string, SyncScope, EntryState[], ClusterView, string[]]>([
    [
      'a new namespace: one Secret per entry, references appended after the user’s own',
      ALL,
      both,
      { namespaces: ['team'], serviceAccounts: [sa('team', 'default', 'mine', 'also-mine')], pullSecrets: [] },
      [`create-secret team/${A}`, `create-secret team/${P}`, `update-sa team/default@5 [mine,also-mine,${A},${P}]`],
    ],
    [
      'nothing changed: nothing written',
      ALL,
      both,
      {
        namespaces: ['team'],
        serviceAccounts: [sa('team', 'default', 'mine', A, P)],
        pullSecrets: [stored('team', ACME, T1), stored('team', PERSONAL, TP)],
      },
      [],
    ],
    [
      'a new token: the Secret updated in place with its resourceVersion, the ServiceAccount left alone',
      ALL,
      [{ entry: ACME, token: T2 }],
      {
        namespaces: ['team'],
        serviceAccounts: [sa('team', 'default', A)],
        pullSecrets: [stored('team', ACME, T1, '77')],
      },
      [`update-secret team/${A}`],
    ],
    [
      'the namespace leaves the scope: references removed (the user’s kept), then the Secret deleted',
      DEFAULTS,
      [{ entry: ACME, token: T1 }],
      {
        namespaces: ['default', 'team'],
        serviceAccounts: [sa('default', 'default', A), sa('team', 'default', 'x', A, 'y')],
        pullSecrets: [stored('default', ACME, T1), stored('team', ACME, T1, '12')],
      },
      ['update-sa team/default@5 [x,y]', `delete-secret team/${A}@12`],
    ],
    [
      'a ServiceAccount leaves the scope: its reference removed, the Secret kept for the others',
      { namespaces: { all: true }, serviceAccounts: { all: false, names: ['builder'] } },
      [{ entry: ACME, token: T1 }],
      {
        namespaces: ['team'],
        serviceAccounts: [sa('team', 'default', A), sa('team', 'builder', A)],
        pullSecrets: [stored('team', ACME, T1)],
      },
      ['update-sa team/default@5 []'],
    ],
    [
      'an entry removed: its Secret and references go, the other entry’s stay',
      ALL,
      [{ entry: PERSONAL, token: TP }],
      {
        namespaces: ['team'],
        serviceAccounts: [sa('team', 'default', A, 'mine', P)],
        pullSecrets: [stored('team', ACME, T1, '20'), stored('team', PERSONAL, TP)],
      },
      [`update-sa team/default@5 [mine,${P}]`, `delete-secret team/${A}@20`],
    ],
    [
      'a token that failed: the existing Secret kept and referenced, none created where there is none',
      ALL,
      [{ entry: ACME, token: undefined }],
      {
        namespaces: ['old', 'new'],
        serviceAccounts: [sa('old', 'default'), sa('new', 'default')],
        pullSecrets: [stored('old', ACME, T1)],
      },
      [`update-sa old/default@5 [${A}]`],
    ],
    [
      'a watched namespace that does not exist: nothing',
      { namespaces: { all: false, names: ['ghost'] }, serviceAccounts: { all: true } },
      both,
      { namespaces: ['team'], serviceAccounts: [], pullSecrets: [] },
      [],
    ],
    [
      'a namespace deleted with our Secret still listed: the Secret is deleted, nothing is created',
      ALL,
      both,
      { namespaces: [], serviceAccounts: [], pullSecrets: [stored('gone', ACME, T1, '3')] },
      [`delete-secret gone/${A}@3`],
    ],
    [
      'two entries for one registry share one Secret',
      ALL,
      [
        { entry: ACME, token: T1 },
        { entry: { ...ACME, index: 4 }, token: T2 },
      ],
      { namespaces: ['team'], serviceAccounts: [sa('team', 'default')], pullSecrets: [] },
      [`create-secret team/${A}`, `update-sa team/default@5 [${A}]`],
    ],
  ])('%s', (_name, scope, entries, view, expected) => {
    expect(short(planSync(scope, entries, view))).toEqual(expected);
  });

  it('a created Secret holds every host of the entry with username, password and auth, labelled as ours', () => {
    const token = { ...T1, authHosts: ['a.example', 'b.example:5000'] };
    const [write] = planSync(ALL, [{ entry: ACME, token }], {
      namespaces: ['team'],
      serviceAccounts: [],
      pullSecrets: [],
    });
    expect(write?.kind).toBe('create-secret');
    if (write?.kind !== 'create-secret') return;
    const auth = Buffer.from('cr_temp_user:pw-1').toString('base64');
    expect(JSON.parse(Buffer.from(write.secret.data['.dockerconfigjson'], 'base64').toString())).toEqual({
      auths: {
        'a.example': { username: 'cr_temp_user', password: 'pw-1', auth },
        'b.example:5000': { username: 'cr_temp_user', password: 'pw-1', auth },
      },
    });
    expect(write.secret.type).toBe('kubernetes.io/dockerconfigjson');
    expect(write.secret.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'kubectl-acr',
      'app.kubernetes.io/component': 'pull-secret',
    });
    expect(write.secret.metadata.annotations['kubectl-acr/token-expires-at']).toBe(
      new Date(T1.expiresAt).toISOString(),
    );
    expect(dockerConfigJson(token)).not.toContain('undefined');
  });
});

describe('nextPullSecrets', () => {
  const project = new Set(['ours-a', 'ours-b']);
  const refs = (...names: (string | undefined)[]) => names.map((name) => (name === undefined ? {} : { name }));
  it.each<[string, { name?: string }[], string[], { name?: string }[] | undefined]>([
    ['appended after the user’s, in order', refs('z', 'a'), ['ours-a'], refs('z', 'a', 'ours-a')],
    ['already there: no change', refs('z', 'ours-a', 'a'), ['ours-a'], undefined],
    ['removed where it stands, the rest in order', refs('z', 'ours-b', 'a'), ['ours-a'], refs('z', 'a', 'ours-a')],
    ['the user’s duplicates and nameless entries kept', refs('z', 'z', undefined), [], undefined],
    ['nothing wanted: only the project’s go', refs('ours-a', 'z', 'ours-b'), [], refs('z')],
    ['an empty list gets ours', [], ['ours-a', 'ours-b'], refs('ours-a', 'ours-b')],
  ])('%s', (_name, current, wanted, expected) => {
    expect(nextPullSecrets(current, wanted, project)).toEqual(expected);
  });
});

it('names are stable: the same entry anywhere in the list, a different one elsewhere', () => {
  expect(pullSecretName({ ...ACME, index: 7 })).toBe(A);
  expect(A).toMatch(/^acr-credential-[0-9a-f]{10}$/);
  expect(
    new Set([
      A,
      P,
      pullSecretName({ ...ACME, regionId: 'cn-beijing' }),
      pullSecretName({ ...ACME, domains: ['x.example'] }),
    ]).size,
  ).toBe(4);
});
