// `npm run release`: one krew archive per platform there is an executable
// for, and the krew manifest with their checksums. Each archive holds that
// platform's one executable under the name kubectl runs it by (kubectl-acr,
// kubectl-acr.exe on Windows) and LICENSE; dist/release/acr.yaml is
// plugin/plugin.yaml with every `sha256` filled in. Upload the archives to
// the release the manifest's `uri`s name, then submit acr.yaml to krew-index.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'release');

/** Where build.mjs puts each platform's executable, by krew's os/arch. */
const EXECUTABLES = {
  'linux/amd64': join(dist, 'acr-credentials'),
  'linux/arm64': join(dist, 'linux-arm64', 'acr-credentials'),
  'windows/amd64': join(dist, 'windows-amd64', 'acr-credentials.exe'),
};

const manifest = parseDocument(readFileSync(join(root, 'plugin', 'plugin.yaml'), 'utf8'));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const platform of manifest.getIn(['spec', 'platforms']).items) {
  const { os, arch } = platform.getIn(['selector', 'matchLabels']).toJSON();
  const executable = EXECUTABLES[`${os}/${arch}`];
  if (!executable) throw new Error(`plugin/plugin.yaml names ${os}/${arch}, which the build does not make`);
  const archive = basename(platform.get('uri'));
  const staging = join(out, `${os}-${arch}`);
  mkdirSync(staging);
  copyFileSync(executable, join(staging, platform.get('bin')));
  copyFileSync(join(root, 'LICENSE'), join(staging, 'LICENSE'));
  // Owner, group and times fixed: the same build gives the same archive and checksum.
  execFileSync('tar', [
    '--create',
    '--gzip',
    '--file',
    join(out, archive),
    '--directory',
    staging,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '--sort=name',
    platform.get('bin'),
    'LICENSE',
  ]);
  rmSync(staging, { recursive: true });
  const sha256 = createHash('sha256')
    .update(readFileSync(join(out, archive)))
    .digest('hex');
  // The node keeps its double quotes: a checksum of digits alone must not read as a number.
  platform.get('sha256', true).value = sha256;
  console.log(`${archive}  ${sha256}`);
}
writeFileSync(join(out, 'acr.yaml'), manifest.toString());
console.log(`wrote ${join('dist', 'release', 'acr.yaml')}`);
