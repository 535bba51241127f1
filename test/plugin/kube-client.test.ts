import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import {
  KubeConfigError,
  kubeconfigFiles,
  loadKubeConfig,
  parseRequestTimeout,
  resourcePath,
} from '../../plugin/kube-client.js';

const dir = mkdtempSync(join(tmpdir(), 'kube-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(
  file: string,
  spec: { current?: string; clusters: [string, string][]; contexts: [string, string][] },
): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: spec.clusters.map(([name, server]) => ({ name, cluster: { server } })),
      users: [{ name: `user-${file}`, user: { token: `token-${file}` } }],
      contexts: spec.contexts.map(([name, cluster]) => ({ name, context: { cluster, user: `user-${file}` } })),
      ...(spec.current ? { 'current-context': spec.current } : {}),
    }),
  );
  return path;
}

const first = kubeconfig('first', {
  current: 'one',
  clusters: [
    ['shared', 'https://first.example:6443'],
    ['c1', 'https://c1.example:6443'],
  ],
  contexts: [
    ['one', 'c1'],
    ['both', 'shared'],
  ],
});
const second = kubeconfig('second', {
  current: 'two',
  clusters: [
    ['shared', 'https://second.example:6443'],
    ['c2', 'https://c2.example:6443'],
  ],
  contexts: [
    ['two', 'c2'],
    ['both', 'c2'],
  ],
});
const noCurrent = kubeconfig('no-current', {
  clusters: [['c3', 'https://c3.example:6443']],
  contexts: [['three', 'c3']],
});

describe('kubeconfig loading follows kubectl', () => {
  test('--kubeconfig alone is used, KUBECONFIG ignored', () => {
    expect(kubeconfigFiles(second, { KUBECONFIG: first })).toEqual([second]);
  });
  test('a --kubeconfig that does not exist is an error', () => {
    expect(() => kubeconfigFiles(join(dir, 'missing'), {})).toThrow(KubeConfigError);
  });
  test('KUBECONFIG lists files; missing ones are skipped', () => {
    expect(kubeconfigFiles(undefined, { KUBECONFIG: [first, join(dir, 'missing'), second].join(':') })).toEqual([
      first,
      second,
    ]);
  });
  test('without either, ~/.kube/config', () => {
    expect(kubeconfigFiles(undefined, { HOME: join(dir, 'nohome') })).toEqual([]);
  });

  const merged = [
    {
      name: 'current-context comes from the first file that sets it',
      env: [noCurrent, second, first],
      context: undefined,
      server: 'https://c2.example:6443',
    },
    {
      name: 'the first file wins a cluster defined twice',
      env: [first, second],
      context: 'both',
      server: 'https://first.example:6443',
    },
    {
      name: 'the first file wins a context defined twice',
      env: [second, first],
      context: 'both',
      server: 'https://c2.example:6443',
    },
    { name: 'a later file adds contexts', env: [first, second], context: 'two', server: 'https://c2.example:6443' },
    {
      name: '--context overrides current-context',
      env: [first, noCurrent],
      context: 'three',
      server: 'https://c3.example:6443',
    },
  ];
  test.each(merged)('$name', ({ env, context, server }) => {
    const config = loadKubeConfig({ context }, { KUBECONFIG: env.join(':') });
    expect(config.getCurrentCluster()?.server).toBe(server);
  });

  test('an unknown --context is an error that names it', () => {
    expect(() => loadKubeConfig({ context: 'nope' }, { KUBECONFIG: first })).toThrow(
      /Context "nope" is not in the kubeconfig/,
    );
  });
  test('no current-context and no --context is an error', () => {
    expect(() => loadKubeConfig({}, { KUBECONFIG: noCurrent })).toThrow(/--context/);
  });
  test('no kubeconfig at all is an error outside a cluster', () => {
    expect(() => loadKubeConfig({}, { HOME: join(dir, 'nohome') })).toThrow(/No kubeconfig found/);
  });
});

describe('--request-timeout as kubectl reads it', () => {
  test.each([
    ['30', 30_000],
    ['1m', 60_000],
    ['1.5s', 1_500],
    ['250ms', 250],
    ['0', undefined],
    ['', undefined],
  ])('%j → %j ms', (text, ms) => {
    expect(parseRequestTimeout(text)).toBe(ms);
  });
  test.each(['soon', '-1s', '10 s'])('%j is refused', (text) => {
    expect(() => parseRequestTimeout(text)).toThrow(KubeConfigError);
  });
});

test('resource paths', () => {
  expect(resourcePath({ plural: 'configmaps' }, 'kube-system', 'acr-configuration')).toBe(
    '/api/v1/namespaces/kube-system/configmaps/acr-configuration',
  );
  expect(resourcePath({ group: 'apps', version: 'v1', plural: 'deployments' })).toBe('/apis/apps/v1/deployments');
  expect(resourcePath({ plural: 'nodes' })).toBe('/api/v1/nodes');
});
