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
import { platformNode } from './scripts/platform-node.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nodeBinary = join(root, 'node_modules', 'node', 'bin', 'node');
const nodeVersion = execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim();
const dist = join(root, 'dist');
const work = join(dist, `.build-${process.pid}`);

const EXECUTABLE = 'acr-credentials';

/** The role names dist/ links to the executable (launcher/roles.ts picks a role by them). */
const ROLE_LINKS = ['acr-credential-provider', 'kubectl-acr', 'acr-node-setup', 'docker-credential-acr'];

/**
 * Every bundle in the executable. The provider's cold path and the plugin's
 * commands are bundles of their own, so a cache hit does not parse the YAML
 * library and the cloud clients, and `kubectl acr --help` loads no cluster
 * client.
 */
const BUNDLES = [
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
const EXEC_ARGV = ['--max-semi-space-size=2', '--max-old-space-size=256'];

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

/**
 * Every platform there is an executable for: where it goes, the Node it
 * embeds, how that Node runs here (code caches are specific to the
 * architecture, so arm64's are made by the arm64 Node under qemu), and the
 * strip for its debug info. Windows' Node cannot run here: its executable has
 * no code caches (every bundle is compiled from source at start) and no links.
 */
function targets() {
  return [
    {
      platform: 'linux-x64',
      dir: dist,
      file: EXECUTABLE,
      node: nodeBinary,
      run: [],
      strip: 'strip',
      links: true,
    },
    {
      platform: 'linux-arm64',
      dir: join(dist, 'linux-arm64'),
      file: EXECUTABLE,
      node: platformNode('linux-arm64'),
      run: ['qemu-aarch64-static', '-L', '/usr/aarch64-linux-gnu'],
      strip: 'aarch64-linux-gnu-strip',
      links: true,
    },
    {
      platform: 'win-x64',
      dir: join(dist, 'windows-amd64'),
      file: `${EXECUTABLE}.exe`,
      node: platformNode('win-x64'),
      run: undefined,
      strip: undefined,
      links: false,
    },
  ];
}

/** The tools a cross build needs, with the command that installs them. */
function checkTools(all) {
  const missing = [...new Set(all.flatMap((t) => [t.strip, t.run?.[0]]).filter(Boolean))].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
  );
  if (missing.length > 0) {
    throw new Error(`the build needs ${missing.join(', ')}: run \`bash scripts/ensure-test-tools.sh\` (apt) first`);
  }
}

/** The target's Node without its debug info; every executable of the target starts from this copy. */
function baseBinary(target) {
  const base = join(work, `node-base-${target.platform}`);
  copyFileSync(target.node, base);
  if (target.strip) execFileSync(target.strip, [base]);
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

/** Runs the target's Node here: directly, under qemu, or (Windows) not at all. */
function targetNode(target, args) {
  const [runner, ...runnerArgs] = target.run;
  if (runner) quiet(runner, [...runnerArgs, target.node, ...args]);
  else quiet(target.node, args);
}

function makeExecutable(target, file, script, base, assets) {
  const name = `${target.platform}-${file}`;
  const blob = join(work, `${name}.blob`);
  const config = join(work, `${name}.sea.json`);
  const codeCache = target.run !== undefined;
  writeFileSync(
    config,
    JSON.stringify({
      main: script,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: codeCache,
      assets,
      execArgv: EXEC_ARGV,
    }),
  );
  // A blob with a code cache is made by the target's own Node; one without, by any Node of the release.
  if (codeCache) targetNode(target, [...EXEC_ARGV, '--experimental-sea-config', config]);
  else quiet(nodeBinary, ['--experimental-sea-config', config]);
  mkdirSync(target.dir, { recursive: true });
  const tmp = join(target.dir, `.${file}.tmp`);
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
  renameSync(tmp, join(target.dir, file));
}

/**
 * Every bundle, once: they are the same JavaScript on every platform. Kept in
 * dist/bundles, where the npm package runs them on the user's own Node.
 */
async function bundleAll() {
  const dir = join(dist, 'bundles');
  rmSync(dir, { recursive: true, force: true });
  const files = {};
  for (const { asset, entry } of BUNDLES) {
    files[asset] = join(dir, asset);
    await bundle(entry, files[asset]);
  }
  return files;
}

/** The bundles and, where the target's Node runs here, each one's code cache, as SEA assets. */
function targetAssets(target, bundles) {
  const assets = { ...bundles };
  if (target.run === undefined) return assets;
  for (const [asset, file] of Object.entries(bundles)) {
    const cache = join(work, `${target.platform}-${asset}.cache`);
    targetNode(target, [...EXEC_ARGV, join(root, 'scripts', 'code-cache.mjs'), file, cache]);
    assets[`${asset}.cache`] = cache;
  }
  return assets;
}

function linkRoles(dir) {
  for (const name of ROLE_LINKS) {
    rmSync(join(dir, name), { force: true });
    symlinkSync(EXECUTABLE, join(dir, name));
  }
}

async function main() {
  const all = targets();
  checkTools(all);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const launcher = join(work, 'launcher.cjs');
  await bundle('launcher/main.ts', launcher);
  const bundles = await bundleAll();
  // The benchmark compares the roles against an executable that does nothing, on each architecture.
  const empty = join(work, 'empty-sea.cjs');
  await bundle('scripts/empty-sea.ts', empty);
  for (const target of all) {
    const base = baseBinary(target);
    makeExecutable(target, target.file, launcher, base, targetAssets(target, bundles));
    if (target.links) {
      linkRoles(target.dir);
      makeExecutable(target, 'empty-sea', empty, base, {});
    }
    console.log(
      `built ${join(target.dir, target.file).slice(root.length + 1)} (${target.platform}, node ${nodeVersion})`,
    );
  }
  rmSync(work, { recursive: true, force: true });
}

await main();
