import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultLockOptions, singleFlight, type LockOptions } from '../../../provider/cache/file-lock.js';

let dir: string;
let lock: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'acr-lock-'));
  lock = join(dir, 'token.k.lock');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const fast: LockOptions = { ...defaultLockOptions, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 2))) };

/** A flight over a shared in-memory "cache" that counts how often it produced. */
function flight(cache: { value?: string }, counter: { produced: number }, produceMs = 20) {
  return {
    ready: () => cache.value,
    produce: async () => {
      counter.produced++;
      await new Promise((r) => setTimeout(r, produceMs));
      cache.value = `token-${counter.produced}`;
      return cache.value;
    },
  };
}

describe('singleFlight', () => {
  it('returns what is ready without locking', async () => {
    const counter = { produced: 0 };
    expect(await singleFlight(lock, flight({ value: 'cached' }, counter), fast)).toBe('cached');
    expect(counter.produced).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('20 concurrent callers produce once and all get the result; the lock is released', async () => {
    const cache: { value?: string } = {};
    const counter = { produced: 0 };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => singleFlight(lock, flight(cache, counter), fast)),
    );
    expect(counter.produced).toBe(1);
    expect(new Set(results)).toEqual(new Set(['token-1']));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('after a failed holder, the next waiter takes the lock and produces', async () => {
    const cache: { value?: string } = {};
    let attempts = 0;
    const failing = {
      ready: () => cache.value,
      produce: async () => {
        attempts++;
        await new Promise((r) => setTimeout(r, 10));
        if (attempts === 1) throw new Error('cloud said no');
        cache.value = 'second';
        return cache.value;
      },
    };
    const results = await Promise.allSettled([singleFlight(lock, failing, fast), singleFlight(lock, failing, fast)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(attempts).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['its holder is dead', { pid: 999_999_999, since: Date.now(), nonce: 'a' }, {}],
    ['it is older than staleAfterMs', { pid: process.pid, since: Date.now() - 60_000, nonce: 'b' }, {}],
    [
      'it is alive per isAlive but past the timeout',
      { pid: 1, since: Date.now() - 46_000, nonce: 'c' },
      { isAlive: () => true },
    ],
  ])('takes over a lock when %s', async (_name, holder, overrides) => {
    writeFileSync(lock, JSON.stringify(holder));
    const counter = { produced: 0 };
    expect(await singleFlight(lock, flight({}, counter), { ...fast, ...overrides })).toBe('token-1');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes over an empty lock file (holder killed between create and write) once it is older than the grace period', async () => {
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 5_000);
    utimesSync(lock, old, old);
    const counter = { produced: 0 };
    expect(await singleFlight(lock, flight({}, counter), fast)).toBe('token-1');
  });

  it('waits for a live holder and returns its result instead of producing', async () => {
    writeFileSync(lock, JSON.stringify({ pid: process.pid, since: Date.now(), nonce: 'live' }));
    const cache: { value?: string } = {};
    const counter = { produced: 0 };
    setTimeout(() => {
      cache.value = 'from-holder';
      rmSync(lock);
    }, 30);
    expect(await singleFlight(lock, flight(cache, counter), fast)).toBe('from-holder');
    expect(counter.produced).toBe(0);
  });

  it('without a usable directory, produces unlocked and says why', async () => {
    const reasons: string[] = [];
    const counter = { produced: 0 };
    const result = await singleFlight(
      join(dir, 'missing', 'x.lock'),
      { ...flight({}, counter), onUnavailable: (e) => reasons.push(e.code ?? '') },
      fast,
    );
    expect(result).toBe('token-1');
    expect(reasons).toEqual(['ENOENT']);
  });

  it('a holder that overran releases only its own lock, not the one that replaced it', async () => {
    const counter = { produced: 0 };
    const theirs = JSON.stringify({ pid: process.pid, since: Date.now(), nonce: 'their-lock' });
    const overrunning = {
      ready: () => undefined,
      produce: async () => {
        counter.produced++;
        // A waiter judged us stale and took the lock while we were still working.
        writeFileSync(lock, theirs);
        return 'ours';
      },
    };
    expect(await singleFlight(lock, overrunning, fast)).toBe('ours');
    expect(readFileSync(lock, 'utf8')).toBe(theirs);
  });

  it('breaking a stale lock puts back a fresh one that replaced it after the judgement', async () => {
    writeFileSync(lock, JSON.stringify({ pid: 999_999, since: Date.now(), nonce: 'dead-holder' }));
    const fresh = JSON.stringify({ pid: process.pid, since: Date.now(), nonce: 'fresh-holder' });
    const cache: { value?: string } = {};
    const counter = { produced: 0 };
    const options: LockOptions = {
      ...fast,
      isAlive: (pid) => {
        // Right after the dead holder is judged, a new holder takes the lock.
        if (pid === 999_999) {
          writeFileSync(lock, fresh);
          setTimeout(() => (cache.value = 'from-fresh-holder'), 30);
          return false;
        }
        return true;
      },
    };
    expect(await singleFlight(lock, flight(cache, counter), options)).toBe('from-fresh-holder');
    expect(counter.produced).toBe(0);
    expect(readFileSync(lock, 'utf8')).toBe(fresh);
  });
});
