// The provider's on-disk cache, shared by every invocation on the node: ACR
// tokens, node credentials, instance look-ups, per-host decisions and the last
// valid configuration. One flat 0700 directory of 0600 JSON files written
// atomically. A file that is missing, unreadable, corrupt or of another schema
// is a miss, never an error: the caller refetches.
//
// Only node:fs here: the cache-hit path imports this module, and loading
// node:crypto alone costs a cache hit a sixth of its time (atomic-file.ts
// uses it, so the writing side gets its file functions passed in by the cold
// path). File names are a
// fast non-cryptographic hash of the key; the key itself is stored in the
// file and compared on read, so a collision (even a crafted one) is a miss,
// never another key's token.
import { chmodSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheKind, CacheRecords } from './records.js';

/** Bump when a stored shape changes: older files are then misses, not misreads. */
export const CACHE_SCHEMA = 2;

/** What a cache entry is for, e.g. `['token', 'cri-xxx (cn-hangzhou)', 'role …']`. */
export type CacheKey = readonly string[];

interface Envelope {
  schema: number;
  kind: CacheKind;
  /** The key in full, compared on read. */
  key: string;
  value: unknown;
}

/** cyrb53: 53 well-mixed bits of a string, as hex. */
function hash53(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** A file-name-safe name for a key. */
export function keyFileName(key: CacheKey): string {
  const text = JSON.stringify(key);
  return hash53(text, 1) + hash53(text, 2);
}

export type CacheWrite = { ok: true } | { ok: false; error: NodeJS.ErrnoException };

export interface CacheReader {
  readonly dir: string;
  read<T>(kind: CacheKind, key: CacheKey, accept: (value: unknown) => value is T): T | undefined;
  lockPath(kind: CacheKind, key: CacheKey): string;
}

export interface CacheStore extends CacheReader {
  write<K extends CacheKind>(kind: K, key: CacheKey, value: CacheRecords[K]): CacheWrite;
  /** Creates the directory 0700 (or tightens it); an error when that is impossible, e.g. read-only. */
  prepare(): CacheWrite;
  /**
   * Removes what no run will read again: entries untouched for two days
   * (every entry expires within one; a new configuration file leaves its old
   * decisions behind) and temp files of writers killed an hour ago or more.
   * The last valid configuration stays whatever its age.
   */
  prune(now: number): void;
}

const PRUNE_ENTRIES_AFTER_MS = 2 * 24 * 60 * 60 * 1000;
const PRUNE_TEMP_AFTER_MS = 60 * 60 * 1000;

/** provider/atomic-file.ts, passed in by the cold path. */
export interface FileWriter {
  writeFileAtomic(path: string, data: string, mode: number): void;
  ensureDirectory(path: string, mode: number): void;
}

function entryPath(dir: string, kind: CacheKind, key: CacheKey, suffix: 'json' | 'lock'): string {
  return join(dir, `${kind}.${keyFileName(key)}.${suffix}`);
}

export function openCacheReader(dir: string): CacheReader {
  return {
    dir,
    read<T>(kind: CacheKind, key: CacheKey, accept: (value: unknown) => value is T): T | undefined {
      // Any JSON value may be on disk: a number or a string has no `schema` either.
      let envelope: Partial<Envelope> | null;
      try {
        envelope = JSON.parse(readFileSync(entryPath(dir, kind, key, 'json'), 'utf8')) as Partial<Envelope> | null;
      } catch {
        return undefined;
      }
      if (envelope?.schema !== CACHE_SCHEMA || envelope.kind !== kind) return undefined;
      if (envelope.key !== JSON.stringify(key)) return undefined;
      return accept(envelope.value) ? envelope.value : undefined;
    },
    lockPath: (kind, key) => entryPath(dir, kind, key, 'lock'),
  };
}

export function openCacheStore(dir: string, files: FileWriter): CacheStore {
  return {
    ...openCacheReader(dir),
    write<K extends CacheKind>(kind: K, key: CacheKey, value: CacheRecords[K]): CacheWrite {
      try {
        const envelope: Envelope = { schema: CACHE_SCHEMA, kind, key: JSON.stringify(key), value };
        files.writeFileAtomic(entryPath(dir, kind, key, 'json'), JSON.stringify(envelope), 0o600);
        return { ok: true };
      } catch (error) {
        return { ok: false, error: error as NodeJS.ErrnoException };
      }
    },
    prune(now: number): void {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return;
      }
      for (const name of names) {
        if (name.startsWith('configuration.')) continue;
        const temporary = name.startsWith('.') || name.endsWith('.stale');
        try {
          if (now - statSync(join(dir, name)).mtimeMs > (temporary ? PRUNE_TEMP_AFTER_MS : PRUNE_ENTRIES_AFTER_MS))
            unlinkSync(join(dir, name));
        } catch {
          // Gone already, or not ours to remove: pruning is best effort.
        }
      }
    },
    prepare(): CacheWrite {
      try {
        files.ensureDirectory(dir, 0o700);
        // A directory someone else created with a looser mode would expose the tokens.
        if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
        return { ok: true };
      } catch (error) {
        return { ok: false, error: error as NodeJS.ErrnoException };
      }
    },
  };
}
