// The Node of each other platform the build embeds: the npm registry's
// `node-<platform>` packages, the same release as the pinned `node` package
// (npm refuses to install them on another platform, so they are fetched with
// `npm pack` and checked against the integrity recorded in
// platform-node.json). Run directly, it fetches every one (the test set-up
// does, before CI's network namespace); the build fetches what is missing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'scripts', 'platform-node.json'), 'utf8'));
// Outside node_modules: `npm ci` empties that, and CI fetches before it enters its network namespace.
const cache = join(root, '.cache', 'platform-node');

function binaryPath(platform) {
  const entry = pinned.platforms[platform];
  return join(cache, `${platform}-${pinned.version}`, 'package', entry.binary);
}

/** The Node executable for `platform` (`linux-arm64`, `win-x64`), fetched once into .cache/platform-node. */
export function platformNode(platform) {
  const entry = pinned.platforms[platform];
  if (!entry) throw new Error(`no Node recorded for ${platform} in scripts/platform-node.json`);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (pkg.devDependencies.node !== pinned.version) {
    throw new Error(
      `package.json pins node ${pkg.devDependencies.node} but scripts/platform-node.json records ${pinned.version}: record the ${Object.values(
        pinned.platforms,
      )
        .map((p) => p.package)
        .join(', ')} ${pkg.devDependencies.node} integrities (npm view <package>@<version> dist.integrity)`,
    );
  }
  const dir = join(cache, `${platform}-${pinned.version}`);
  const binary = binaryPath(platform);
  if (existsSync(binary)) return binary;
  const work = `${dir}.partial`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const spec = `${entry.package}@${pinned.version}`;
  try {
    execFileSync('npm', ['pack', spec, '--pack-destination', work, '--silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(
      `cannot fetch ${spec} from the npm registry (${error.stderr?.toString().trim() || error.message}): the build needs it for ${platform}`,
      { cause: error },
    );
  }
  const tarball = join(work, `${entry.package}-${pinned.version}.tgz`);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (integrity !== entry.integrity) throw new Error(`${spec}: integrity ${integrity}, expected ${entry.integrity}`);
  execFileSync('tar', ['-xzf', tarball, '-C', work]);
  rmSync(tarball);
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const platforms = Object.keys(pinned.platforms);
  // --missing: only say which are not fetched yet (the set-up script asks without the network).
  if (process.argv[2] === '--missing') console.log(platforms.filter((p) => !existsSync(binaryPath(p))).join(' '));
  else for (const platform of platforms) console.log(`${platform}: ${platformNode(platform)}`);
}
