// A lock file per cache key, so that the many provider processes the kubelet
// starts at once for one registry make one token request between them.
// Waiters poll the cache rather than wait for a signal: there is no wake-up to
// lose, and a holder killed with SIGKILL leaves a lock that the next waiter
// recognises as stale (dead pid, or older than the kubelet's patience).
// No node:crypto: the cache-hit module takes the first lock (before the cold
// path is loaded), and a nonce only has to be unique, not unguessable.
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';

export interface LockHolder {
  pid: number;
  /** epoch ms when the lock was taken. */
  since: number;
  nonce: string;
}

export interface LockOptions {
  /** A lock older than this is taken over even if its holder still runs (hung on the network). */
  staleAfterMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  isAlive: (pid: number) => boolean;
}

export const defaultLockOptions: LockOptions = {
  // Under the kubelet's 60 s: a waiter behind a hung holder still answers in time.
  staleAfterMs: 45_000,
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  isAlive: processIsAlive,
};

function uniqueSuffix(): string {
  return `${process.pid}.${process.hrtime.bigint().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
}

/** A holder that wrote nothing yet gets this long before its empty lock counts as abandoned. */
const EMPTY_LOCK_GRACE_MS = 2_000;

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type Attempt =
  | { kind: 'acquired'; holder: LockHolder }
  | { kind: 'busy' }
  /** The lock cannot be created at all (read-only or missing cache directory). */
  | { kind: 'unavailable'; error: NodeJS.ErrnoException };

function tryAcquire(path: string, options: LockOptions): Attempt {
  const holder: LockHolder = { pid: process.pid, since: options.now(), nonce: uniqueSuffix() };
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EEXIST' ? { kind: 'busy' } : { kind: 'unavailable', error: error as NodeJS.ErrnoException };
  }
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return { kind: 'acquired', holder };
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.since === 'number' && typeof parsed.nonce === 'string') {
      return { pid: parsed.pid, since: parsed.since, nonce: parsed.nonce };
    }
  } catch {
    // Missing, half-written or corrupt: judged by its age below.
  }
  return undefined;
}

/** Whether the lock at `path` is abandoned; `undefined` holder = the file is gone or unreadable. */
function isStale(path: string, holder: LockHolder | undefined, options: LockOptions): boolean {
  if (holder) return !options.isAlive(holder.pid) || options.now() - holder.since > options.staleAfterMs;
  try {
    return options.now() - statSync(path).mtimeMs > EMPTY_LOCK_GRACE_MS;
  } catch {
    return false; // already gone: the next attempt takes it
  }
}

/**
 * Removes a stale lock without removing a fresh one that replaced it in the
 * meantime: move it aside (atomic), check that what was moved is what was
 * judged stale, and put it back if not.
 */
function breakLock(path: string, judged: LockHolder | undefined): void {
  const aside = `${path}.${uniqueSuffix()}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = readHolder(aside);
  if (moved?.nonce !== judged?.nonce) {
    try {
      linkSync(aside, path); // fails if yet another holder took the name: then both proceed
    } catch {
      // At worst two processes fetch one token: correct, only wasteful.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // nothing to clean
  }
}

function release(path: string, holder: LockHolder): void {
  // Only our own lock: a holder that overran staleAfterMs may have been replaced.
  if (readHolder(path)?.nonce !== holder.nonce) return;
  try {
    unlinkSync(path);
  } catch {
    // already removed by a waiter that judged us stale
  }
}

export interface SingleFlight<T> {
  /** The result if some process already produced it (a fresh cache entry), else undefined. */
  ready: () => T | undefined;
  /** Produces the result; runs in at most one process at a time per lock path. */
  produce: () => Promise<T>;
  /** Told once when no lock can be taken (e.g. read-only cache): `produce` then runs unlocked. */
  onUnavailable?: (error: NodeJS.ErrnoException) => void;
}

/**
 * Returns what `ready` finds, or runs `produce` while holding the lock at
 * `path`. Waiters poll `ready` with a growing backoff until the holder's
 * result appears, the lock is released (then they take it and check again),
 * or the lock is stale.
 */
export async function singleFlight<T>(
  path: string,
  flight: SingleFlight<T>,
  options: LockOptions = defaultLockOptions,
): Promise<T> {
  let delayMs = 5;
  for (;;) {
    const found = flight.ready();
    if (found !== undefined) return found;
    const attempt = tryAcquire(path, options);
    if (attempt.kind === 'acquired') {
      try {
        // The previous holder may have finished between our check and our acquire.
        return flight.ready() ?? (await flight.produce());
      } finally {
        release(path, attempt.holder);
      }
    }
    if (attempt.kind === 'unavailable') {
      flight.onUnavailable?.(attempt.error);
      return flight.produce();
    }
    const holder = readHolder(path);
    if (isStale(path, holder, options)) {
      breakLock(path, holder);
      continue;
    }
    await options.sleep(delayMs + Math.floor(Math.random() * delayMs));
    delayMs = Math.min(delayMs * 2, 100);
  }
}
