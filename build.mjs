// Bundles each entry point with esbuild and turns it into a self-contained
// executable with Node's single-executable-application (SEA) support, using
// the Node that the `node` npm package pinned (not the machine's Node).
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync, renameSync } from 'node:fs';
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

export const entries = [
  // The provider's cold path is a separate bundle loaded on a cache miss, so a
  // cache hit does not parse the YAML library and the cloud clients.
  {
    name: 'acr-credential-provider',
    entry: 'provider/kubelet/main.ts',
    assets: { 'cold-path.cjs': 'provider/kubelet/cold-path.ts' },
  },
  {
    name: 'kubectl-acr',
    entry: 'plugin/main.ts',
    // The Secret sync runs for weeks: small young-generation spaces and a
    // bounded old one make V8 collect garbage rather than grow (peak RSS at
    // 2,000 namespaces: about 450 MB without, under 200 MB with; `npm run bench`).
    execArgv: ['--max-semi-space-size=2', '--max-old-space-size=256'],
  },
  { name: 'acr-node-setup', entry: 'node-setup/main.ts' },
];

// A SEA's `require` reaches only built-in modules, so every bundle is one CJS
// file; `import.meta.url` (yargs, ESM-only packages) has no meaning in CJS and
// is rebuilt from the executable's own path.
async function bundle(entry, outfile) {
  await build({
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

function makeExecutable(name, script, base, assets = {}, execArgv = []) {
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
      execArgv,
    }),
  );
  quiet(nodeBinary, ['--experimental-sea-config', config]);
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

async function main() {
  const only = process.argv.slice(2);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const base = baseBinary();
  const selected = only.length ? entries.filter((e) => only.includes(e.name)) : entries;
  // The benchmark compares the provider against an executable that does nothing.
  const all = [...selected, { name: 'empty-sea', entry: 'scripts/empty-sea.ts' }];
  for (const { name, entry, assets = {}, execArgv = [] } of all) {
    const script = join(work, `${name}.cjs`);
    await bundle(entry, script);
    const assetFiles = {};
    for (const [asset, assetEntry] of Object.entries(assets)) {
      assetFiles[asset] = join(work, `${name}.${asset}`);
      await bundle(assetEntry, assetFiles[asset]);
    }
    makeExecutable(name, script, base, assetFiles, execArgv);
    console.log(`built dist/${name} (node ${nodeVersion})`);
  }
  rmSync(work, { recursive: true, force: true });
}

await main();
