import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, isCachedToken, isFresh, openCacheStore, type CachedToken } from '../../../provider/token-cache.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'acr-cache-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const TOKEN: CachedToken = { username: 'cr_temp_user', password: 'p4ssw0rd-value', expiresAt: 1_800_000_000_000 };

describe('openCacheStore', () => {
  it('round-trips a value in a 0600 file inside a 0700 directory', () => {
    const store = openCacheStore(join(root, 'cache'));
    expect(store.prepare()).toEqual({ ok: true });
    expect(store.write('token', 'k1', TOKEN)).toEqual({ ok: true });
    expect(store.read('token', 'k1', isCachedToken)).toEqual(TOKEN);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(store.dir)).toEqual(['token.k1.json']);
    expect(statSync(join(store.dir, 'token.k1.json')).mode & 0o777).toBe(0o600);
  });

  it('tightens an existing directory that others can read', () => {
    const dir = join(root, 'open');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    expect(openCacheStore(dir).prepare()).toEqual({ ok: true });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it.each([
    ['missing', undefined],
    ['not JSON', 'garbage{'],
    ['truncated', '{"schema":1,"kind":"token","value":{"user'],
    ['another schema', JSON.stringify({ schema: 999, kind: 'token', value: TOKEN })],
    ['another kind', JSON.stringify({ schema: 1, kind: 'decision', value: TOKEN })],
    ['a wrong shape', JSON.stringify({ schema: 1, kind: 'token', value: { username: 'u', password: '', expiresAt: 1 } })],
    ['null', 'null'],
  ])('a %s file is a miss, not an error', (_name, content) => {
    const store = openCacheStore(root);
    if (content !== undefined) writeFileSync(join(root, 'token.k.json'), content);
    expect(store.read('token', 'k', isCachedToken)).toBeUndefined();
  });

  it('reports a write it cannot make instead of throwing', () => {
    const blocker = join(root, 'file');
    writeFileSync(blocker, '');
    const store = openCacheStore(join(blocker, 'cache'));
    expect(store.prepare()).toMatchObject({ ok: false, error: { code: 'ENOTDIR' } });
    expect(store.write('token', 'k', TOKEN)).toMatchObject({ ok: false, error: { code: 'ENOTDIR' } });
  });
});

describe('cacheKey and isFresh', () => {
  it('keys differ for different parts and are file-name safe', () => {
    expect(cacheKey(['a', 'b'])).toMatch(/^[0-9a-f]{40}$/);
    expect(cacheKey(['a', 'b'])).toBe(cacheKey(['a', 'b']));
    expect(cacheKey(['a', 'b'])).not.toBe(cacheKey(['ab']));
    expect(cacheKey(['a/b'])).not.toBe(cacheKey(['a', 'b']));
  });

  it.each([
    [TOKEN.expiresAt - 901_000, true],
    [TOKEN.expiresAt - 900_000, false],
    [TOKEN.expiresAt, false],
  ])('token at now=%d with a 900 s threshold is fresh: %s', (now, fresh) => {
    expect(isFresh(TOKEN, 900, now)).toBe(fresh);
  });
});
