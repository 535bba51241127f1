import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDirectory, writeFileAtomic } from '../../../provider/cache/atomic-file.js';
import { keyFileName, openCacheReader, openCacheStore } from '../../../provider/cache/cache-store.js';
import { isCachedToken, isFresh, type CachedToken } from '../../../provider/cache/records.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'acr-cache-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const files = { writeFileAtomic, ensureDirectory };
const TOKEN: CachedToken = { username: 'cr_temp_user', password: 'p4ssw0rd-value', expiresAt: 1_800_000_000_000 };

describe('openCacheStore', () => {
  it('round-trips a value in a 0600 file inside a 0700 directory', () => {
    const store = openCacheStore(join(root, 'cache'), files);
    expect(store.prepare()).toEqual({ ok: true });
    expect(store.write('token', ['k1'], TOKEN)).toEqual({ ok: true });
    expect(store.read('token', ['k1'], isCachedToken)).toEqual(TOKEN);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    const name = `token.${keyFileName(['k1'])}.json`;
    expect(readdirSync(store.dir)).toEqual([name]);
    expect(statSync(join(store.dir, name)).mode & 0o777).toBe(0o600);
  });

  it('tightens an existing directory that others can read', () => {
    const dir = join(root, 'open');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    expect(openCacheStore(dir, files).prepare()).toEqual({ ok: true });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it.each([
    ['missing', undefined],
    ['not JSON', 'garbage{'],
    ['truncated', '{"schema":1,"kind":"token","value":{"user'],
    ['another schema', JSON.stringify({ schema: 999, kind: 'token', key: '["k"]', value: TOKEN })],
    ['a JSON number', '5'],
    ['JSON null', 'null'],
    ['another kind', JSON.stringify({ schema: 2, kind: 'decision', key: '["k"]', value: TOKEN })],
    [
      'a wrong shape',
      JSON.stringify({ schema: 2, kind: 'token', key: '["k"]', value: { username: 'u', password: '', expiresAt: 1 } }),
    ],
    ['null', 'null'],
    [
      'stored under another key (a hash collision)',
      JSON.stringify({ schema: 2, kind: 'token', key: '["other"]', value: TOKEN }),
    ],
  ])('a %s file is a miss, not an error', (_name, content) => {
    const reader = openCacheReader(root);
    if (content !== undefined) writeFileSync(join(root, `token.${keyFileName(['k'])}.json`), content);
    expect(reader.read('token', ['k'], isCachedToken)).toBeUndefined();
  });

  it('reports a write it cannot make instead of throwing', () => {
    const blocker = join(root, 'file');
    writeFileSync(blocker, '');
    const store = openCacheStore(join(blocker, 'cache'), files);
    expect(store.prepare()).toMatchObject({ ok: false, error: { code: 'ENOTDIR' } });
    expect(store.write('token', ['k'], TOKEN)).toMatchObject({ ok: false, error: { code: 'ENOTDIR' } });
  });
});

describe('prune', () => {
  it('removes entries untouched for two days and temp files older than an hour; keeps the rest and the last valid configuration', () => {
    const store = openCacheStore(root, files);
    const now = Date.now();
    const age = (name: string, ms: number) => {
      writeFileSync(join(root, name), '{}');
      const at = new Date(now - ms);
      utimesSync(join(root, name), at, at);
    };
    const hour = 60 * 60 * 1000;
    age('decision.old.json', 49 * hour);
    age('decision.recent.json', 47 * hour);
    age('token.x.lock', 49 * hour);
    age('configuration.lastvalid.json', 400 * hour);
    age('.token.a.json.1.2.tmp', 2 * hour);
    age('.token.b.json.1.2.tmp', 10 * 60 * 1000);
    age('token.c.lock.1.2.stale', 2 * hour);
    store.prune(now);
    expect(readdirSync(root).sort()).toEqual([
      '.token.b.json.1.2.tmp',
      'configuration.lastvalid.json',
      'decision.recent.json',
    ]);
  });
});

it('an entry is pruned only once strictly older than its limit', () => {
  const store = openCacheStore(root, files);
  for (const name of ['decision.a.json', '.token.b.json.1.2.tmp']) writeFileSync(join(root, name), '{}');
  const mtime = (name: string) => statSync(join(root, name)).mtimeMs;
  const hour = 60 * 60 * 1000;
  const entryLimit = mtime('decision.a.json') + 48 * hour;
  const tempLimit = mtime('.token.b.json.1.2.tmp') + hour;
  store.prune(tempLimit);
  expect(readdirSync(root).sort()).toEqual(['.token.b.json.1.2.tmp', 'decision.a.json']);
  store.prune(tempLimit + 1);
  store.prune(entryLimit);
  expect(readdirSync(root)).toEqual(['decision.a.json']);
  store.prune(entryLimit + 1);
  expect(readdirSync(root)).toEqual([]);
});

it('file names are 28 hex digits for every key, zeros kept', () => {
  const names = Array.from({ length: 300 }, (_, i) => keyFileName(['token', `k${i}`]));
  expect(names.filter((name) => !/^[0-9a-f]{28}$/.test(name))).toEqual([]);
  expect(names.some((name) => name.startsWith('0'))).toBe(true);
});

describe('keyFileName and isFresh', () => {
  it('names differ for different keys and are file-name safe', () => {
    expect(keyFileName(['a', 'b'])).toMatch(/^[0-9a-f]{28}$/);
    expect(keyFileName(['a', 'b'])).toBe(keyFileName(['a', 'b']));
    expect(keyFileName(['a', 'b'])).not.toBe(keyFileName(['ab']));
    expect(keyFileName(['a/b'])).not.toBe(keyFileName(['a', 'b']));
  });

  it('keeps the file names of earlier releases: a new scheme would make every node miss its cache after an upgrade', () => {
    expect(keyFileName(['token', 'cri-acme (cn-hangzhou)', 'node metadata', '', 'false'])).toBe(
      '178496e08e6839189fab51d85a18',
    );
    expect(keyFileName([])).toBe('167d269bbddad8166499b59f2b1c');
  });

  it('a valid entry stored under another key is not returned for this one', () => {
    const store = openCacheStore(root, files);
    store.write('token', ['mine'], TOKEN);
    const name = `token.${keyFileName(['mine'])}.json`;
    writeFileSync(join(root, `token.${keyFileName(['theirs'])}.json`), readFileSync(join(root, name)));
    expect(store.read('token', ['theirs'], isCachedToken)).toBeUndefined();
  });

  it.each([
    [TOKEN.expiresAt - 901_000, true],
    [TOKEN.expiresAt - 900_000, false],
    [TOKEN.expiresAt, false],
  ])('token at now=%d with a 900 s threshold is fresh: %s', (now, fresh) => {
    expect(isFresh(TOKEN, 900, now)).toBe(fresh);
  });
});
