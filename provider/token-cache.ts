// The provider's on-disk cache, shared by every invocation on the node: ACR
// tokens, node credentials, instance look-ups, per-host decisions and the last
// valid configuration. One flat 0700 directory of 0600 JSON files written
// atomically. A file that is missing, unreadable, corrupt or of another schema
// is a miss, never an error: the caller refetches.
//
// Only node:fs and node:crypto here: the cache-hit path imports this module.
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirectory, writeFileAtomic } from './atomic-file.js';

/** Bump when a stored shape changes: older files are then misses, not misreads. */
export const CACHE_SCHEMA = 1;

export type CacheKind = 'token' | 'decision' | 'credentials' | 'lookup' | 'configuration';

interface Envelope {
  schema: number;
  kind: CacheKind;
  value: unknown;
}

/** A stable file-name-safe key for a list of parts (host names, ARNs, ids). */
export function cacheKey(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40);
}

export type CacheWrite = { ok: true } | { ok: false; error: NodeJS.ErrnoException };

export interface CacheStore {
  readonly dir: string;
  read<T>(kind: CacheKind, key: string, accept: (value: unknown) => value is T): T | undefined;
  write(kind: CacheKind, key: string, value: unknown): CacheWrite;
  lockPath(kind: CacheKind, key: string): string;
  /** Creates the directory 0700 (or tightens it); false when that is impossible, e.g. read-only. */
  prepare(): CacheWrite;
}

export function openCacheStore(dir: string): CacheStore {
  const file = (kind: CacheKind, key: string) => join(dir, `${kind}.${key}.json`);
  return {
    dir,
    read<T>(kind: CacheKind, key: string, accept: (value: unknown) => value is T): T | undefined {
      let envelope: Partial<Envelope>;
      try {
        envelope = JSON.parse(readFileSync(file(kind, key), 'utf8')) as Partial<Envelope>;
      } catch {
        return undefined;
      }
      if (envelope === null || typeof envelope !== 'object' || envelope.schema !== CACHE_SCHEMA || envelope.kind !== kind) return undefined;
      return accept(envelope.value) ? envelope.value : undefined;
    },
    write(kind: CacheKind, key: string, value: unknown): CacheWrite {
      try {
        writeFileAtomic(file(kind, key), JSON.stringify({ schema: CACHE_SCHEMA, kind, value } satisfies Envelope), 0o600);
        return { ok: true };
      } catch (error) {
        return { ok: false, error: error as NodeJS.ErrnoException };
      }
    },
    lockPath: (kind, key) => join(dir, `${kind}.${key}.lock`),
    prepare(): CacheWrite {
      try {
        ensureDirectory(dir, 0o700);
        // A directory someone else created with a looser mode would expose the tokens.
        if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
        return { ok: true };
      } catch (error) {
        return { ok: false, error: error as NodeJS.ErrnoException };
      }
    },
  };
}

/** An ACR registry login as cached: the password is a secret. */
export interface CachedToken {
  username: string;
  password: string;
  /** epoch ms */
  expiresAt: number;
}

export function isCachedToken(value: unknown): value is CachedToken {
  const v = value as Partial<CachedToken> | null;
  return typeof v === 'object' && v !== null && typeof v.username === 'string' && v.username !== ''
    && typeof v.password === 'string' && v.password !== '' && typeof v.expiresAt === 'number' && Number.isFinite(v.expiresAt);
}

/** A token is served from the cache only while it is further than the threshold from expiring. */
export function isFresh(token: CachedToken, thresholdSeconds: number, now: number): boolean {
  return token.expiresAt - thresholdSeconds * 1000 > now;
}
