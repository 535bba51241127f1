// Builds one self-contained executable for every role with Node's
// single-executable-application (SEA) support, using the Node that the `node`
// npm package pinned (not the machine's Node). The SEA's main script is the
// launcher; each role is its own bundle among the assets, with its V8 code
// cache, loaded only when that role runs. dist/ holds the executable and one
// link per role name.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  chmodSync,
  renameSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nodeBinary = join(root, 'node_modules', 'node', 'bin', 'node');
const nodeVersion = execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim();
const dist = join(root, 'dist');
const work = join(dist, `.build-${process.pid}`);

export const EXECUTABLE = 'acr-credentials';

/** The role names dist/ links to the executable (launcher/roles.ts picks a role by them). */
export const ROLE_LINKS = ['acr-credential-provider', 'kubectl-acr', 'acr-node-setup', 'docker-credential-acr'];

/**
 * Every bundle in the executable. The provider's cold path and the plugin's
 * commands are bundles of their own, so a cache hit does not parse the YAML
 * library and the cloud clients, and `kubectl acr --help` loads no cluster
 * client.
 */
export const BUNDLES = [
  { asset: 'acr-credential-provider.cjs', entry: 'provider/kubelet/main.ts' },
  { asset: 'cold-path.cjs', entry: 'provider/kubelet/cold-path.ts' },
  { asset: 'kubectl-acr.cjs', entry: 'plugin/main.ts' },
  { asset: 'kubectl-acr-commands.cjs', entry: 'plugin/commands.ts' },
  { asset: 'acr-node-setup.cjs', entry: 'node-setup/main.ts' },
  { asset: 'docker-credential-acr.cjs', entry: 'docker-credential/main.ts' },
];

/**
 * V8 flags of every role. The Secret sync runs for weeks: small
 * young-generation spaces and a bounded old one make V8 collect garbage
 * rather than grow (peak RSS at 2,000 namespaces: about 450 MB without,
 * under 200 MB with; `npm run bench`). The short-lived roles never come near
 * either bound. Code caches are produced under the same flags: V8 refuses a
 * cache made under others.
 */
export const EXEC_ARGV = ['--max-semi-space-size=2', '--max-old-space-size=256'];

// A SEA's `require` reaches only built-in modules, so every bundle is one CJS
// file; `import.meta.url` (yargs, ESM-only packages) has no meaning in CJS and
// is rebuilt from the executable's own path.
const lazyStringWidth = join(root, 'scripts', 'lazy-string-width.cjs');
const stringWidthAtFirstUse = {
  name: 'string-width-at-first-use',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, ({ importer }) =>
      importer === lazyStringWidth ? undefined : { path: lazyStringWidth },
    );
  },
};

async function bundle(entry, outfile) {
  await build({
    plugins: [stringWidthAtFirstUse],
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: {
      'import.meta.url': '__importMetaUrl',
      __PROJECT_VERSION__: JSON.stringify(pkg.version),
    },
    banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
}

// Strips the pinned Node (it ships with debug info) once; every executable
// starts from this copy.
function baseBinary() {
  const base = join(work, 'node-base');
  copyFileSync(nodeBinary, base);
  execFileSync('strip', [base]);
  return base;
}

// postject warns about every note section of a stripped binary; show its
// output only when it fails.
function quiet(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`${args.join(' ')} failed with exit code ${result.status}`);
  }
}

function makeExecutable(name, script, base, assets) {
  const blob = join(work, `${name}.blob`);
  const config = join(work, `${name}.sea.json`);
  writeFileSync(
    config,
    JSON.stringify({
      main: script,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
      assets,
      execArgv: EXEC_ARGV,
    }),
  );
  quiet(nodeBinary, [...EXEC_ARGV, '--experimental-sea-config', config]);
  const tmp = join(dist, `.${name}.tmp`);
  copyFileSync(base, tmp);
  const postject = join(dirname(require.resolve('postject/package.json')), 'dist', 'cli.js');
  quiet(nodeBinary, [
    postject,
    tmp,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ]);
  chmodSync(tmp, 0o755);
  renameSync(tmp, join(dist, name));
}

/** Each bundle and its code cache, as SEA assets. */
async function roleAssets() {
  const assets = {};
  for (const { asset, entry } of BUNDLES) {
    const file = join(work, asset);
    await bundle(entry, file);
    const cache = `${file}.cache`;
    quiet(nodeBinary, [...EXEC_ARGV, join(root, 'scripts', 'code-cache.mjs'), file, cache]);
    assets[asset] = file;
    assets[`${asset}.cache`] = cache;
  }
  return assets;
}

function linkRoles() {
  for (const name of ROLE_LINKS) {
    rmSync(join(dist, name), { force: true });
    symlinkSync(EXECUTABLE, join(dist, name));
  }
}

async function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const base = baseBinary();
  const launcher = join(work, 'launcher.cjs');
  await bundle('launcher/main.ts', launcher);
  makeExecutable(EXECUTABLE, launcher, base, await roleAssets());
  linkRoles();
  console.log(`built dist/${EXECUTABLE} (node ${nodeVersion}) and its role links: ${ROLE_LINKS.join(', ')}`);
  // The benchmark compares the roles against an executable that does nothing.
  const empty = join(work, 'empty-sea.cjs');
  await bundle('scripts/empty-sea.ts', empty);
  makeExecutable('empty-sea', empty, base, {});
  rmSync(work, { recursive: true, force: true });
}

await main();
