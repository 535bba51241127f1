// Writes the V8 code cache of one bundle (build.mjs runs it with the pinned
// Node and the executable's V8 flags, which the cache must match). The bundle
// is compiled in the wrapper the executable uses and run once, so the cache
// also holds every function its loading compiles, not only the top level.
// Bundles only define and export at load; running one here has no effects.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { wrapBundle } from '../provider/common/bundle-loader.ts';

const [bundle, out] = process.argv.slice(2);
const script = new Script(wrapBundle(readFileSync(bundle, 'utf8')), { filename: bundle });
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
writeFileSync(out, script.createCachedData());
