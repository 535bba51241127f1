// Loads one of the CommonJS bundles the executable carries as SEA assets
// (build.mjs), with the V8 code cache built for it. Node's SEA compiles only
// its main script with a code cache; every other bundle would be compiled
// from source on each start, which costs a short-lived process more than
// running it. The npm package carries the same bundles as files, run by the
// user's own Node; from source (tests, tsx) the caller's own import() is used.
import type { Script } from 'node:vm';

/** The code cache of `<bundle>` is the asset `<bundle>.cache`. */
const CODE_CACHE_SUFFIX = '.cache';

/**
 * The source V8 compiles: the bundle inside a CommonJS wrapper. The code cache
 * is produced from exactly this text at build time (scripts/code-cache.mjs),
 * and V8 refuses a cache whose source differs.
 */
export function wrapBundle(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

/** Whether V8 used the bundle's code cache: `rejected` means it compiled from source (a build mismatch). */
type CodeCacheUse = 'accepted' | 'rejected' | 'absent';

export interface LoadedBundle {
  exports: unknown;
  codeCache: CodeCacheUse;
}

/** Runs a bundle's wrapper as Node runs a CommonJS module. */
function runBundle(asset: string, source: string, cache: ArrayBuffer | undefined): LoadedBundle {
  const { Script } = process.getBuiltinModule('node:vm');
  const filename = `${process.execPath}#${asset}`;
  const script: Script = new Script(wrapBundle(source), {
    filename,
    ...(cache ? { cachedData: Buffer.from(cache) } : {}),
  });
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  const path = process.getBuiltinModule('node:path');
  const require = process.getBuiltinModule('node:module').createRequire(process.execPath);
  wrapper(module.exports, require, module, filename, path.dirname(process.execPath));
  return {
    exports: module.exports,
    codeCache: cache ? (script.cachedDataRejected ? 'rejected' : 'accepted') : 'absent',
  };
}

/** Whether this process is the built executable (false from source: tests, tsx). */
function inExecutable(): boolean {
  return process.getBuiltinModule('node:sea').isSea();
}

/** The bundle `asset` of the executable, run once more (the caller keeps what it needs). */
export function openBundle(asset: string): LoadedBundle {
  const sea = process.getBuiltinModule('node:sea');
  const source = sea.getAsset(asset, 'utf8');
  let cache: ArrayBuffer | undefined;
  try {
    cache = sea.getAsset(`${asset}${CODE_CACHE_SUFFIX}`);
  } catch {
    // Built without a cache: still runs, compiled from source.
    cache = undefined;
  }
  return runBundle(asset, source, cache);
}

/** Where the npm package's bundles are (npm-package/start-role.cjs sets it before loading a role). */
const BUNDLE_DIR = Symbol.for('acr-credentials.bundle-dir');

function bundleDir(): string | undefined {
  const dir = (globalThis as Record<symbol, unknown>)[BUNDLE_DIR];
  return typeof dir === 'string' ? dir : undefined;
}

/**
 * The exports of the bundle `asset`: from the executable, from the npm
 * package's directory (a plain require, so Node's compile cache applies), or
 * outside both, what `fromSource` imports.
 */
export async function loadBundle<T>(asset: string, fromSource: () => Promise<T>): Promise<T> {
  if (inExecutable()) return openBundle(asset).exports as T;
  const dir = bundleDir();
  if (dir === undefined) return fromSource();
  const path = process.getBuiltinModule('node:path');
  return process.getBuiltinModule('node:module').createRequire(path.join(dir, asset))(path.join(dir, asset)) as T;
}
