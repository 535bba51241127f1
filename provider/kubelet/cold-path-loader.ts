// The cold path is a second bundle in the executable (build.mjs), loaded on a
// cache miss only: the provider's and the credential helper's hit paths never
// parse the YAML library or the cloud clients. From source it is a plain module.
import { loadBundle } from '../common/bundle-loader.js';
import type { ColdPath } from './provide-credentials.js';
import type * as ColdPathModule from './cold-path.js';

const COLD_PATH_ASSET = 'cold-path.cjs';

type ColdModule = typeof ColdPathModule;

let loaded: Promise<ColdModule> | undefined;

export function loadColdModule(): Promise<ColdModule> {
  // openapi-core calls url.parse(); the deprecation warning would be a second
  // stderr line in front of the one an operator needs.
  process.noDeprecation = true;
  // A variable specifier, so esbuild leaves the cold path out of the caller's bundle.
  const specifier = './cold-path.js';
  loaded ??= loadBundle<ColdModule>(COLD_PATH_ASSET, () => import(specifier));
  return loaded;
}

export const loadColdPath = async (): Promise<ColdPath> => (await loadColdModule()).coldPath;
