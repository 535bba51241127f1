// plugin/plugin.yaml and what `npm run release` makes of it, held to krew's
// rules (krew's own validation: the name equals the file's, a v-prefixed
// semantic version, selectors that never match the same platform, every
// archive present with its checksum and holding the files it names).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { binaryPath, platformBinaryPath, repoRoot } from '../support/binaries.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const release = join(repoRoot, 'dist', 'release');
const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

interface Platform {
  selector: { matchLabels: Record<string, string> };
  uri: string;
  sha256: string;
  bin: string;
  files: { from: string; to: string }[];
}

beforeAll(() => {
  binaryPath('acr-credentials');
  platformBinaryPath('linux-arm64', 'acr-credentials');
  platformBinaryPath('win-x64', 'acr-credentials.exe');
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'release.mjs')], { stdio: 'pipe' });
}, 180_000);

/** Two matchLabels selectors overlap when no key they share has different values. */
function overlap(a: Record<string, string>, b: Record<string, string>): boolean {
  return Object.keys(a).every((key) => !(key in b) || a[key] === b[key]);
}

describe.each([
  ['plugin/plugin.yaml', join(repoRoot, 'plugin', 'plugin.yaml')],
  ['dist/release/acr.yaml', join(release, 'acr.yaml')],
])('%s', (_name, path) => {
  const manifest = () => parse(readFileSync(path, 'utf8'));

  it('names the plugin as its file, at the package version', () => {
    const m = manifest();
    expect(m.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(m.kind).toBe('Plugin');
    expect(m.metadata.name).toBe(basename(path, '.yaml') === 'plugin' ? 'acr' : basename(path, '.yaml'));
    expect(m.spec.version).toMatch(SEMVER);
    expect(m.spec.version).toBe(`v${pkg.version}`);
    expect(m.spec.shortDescription.length).toBeLessThanOrEqual(60);
    expect(m.spec.caveats).toContain('npm install -g acr-credentials');
  });

  it('has linux/amd64, linux/arm64 and windows/amd64, and no two selectors match one platform', () => {
    const platforms: Platform[] = manifest().spec.platforms;
    const labels = platforms.map((p) => p.selector.matchLabels);
    expect(labels.map((l) => `${l['os']}/${l['arch']}`).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
      'windows/amd64',
    ]);
    labels.forEach((a, i) =>
      labels
        .slice(i + 1)
        .forEach((b) => expect(overlap(a, b), `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(false)),
    );
    for (const p of platforms) {
      const { os, arch } = p.selector.matchLabels;
      expect(p.bin).toBe(os === 'windows' ? 'kubectl-acr.exe' : 'kubectl-acr');
      expect(p.files.map((f) => f.from).sort()).toEqual(['LICENSE', p.bin].sort());
      expect(p.uri).toBe(
        `https://github.com/acr-credentials/acr-credentials/releases/download/v${pkg.version}/kubectl-acr-${os}-${arch}.tar.gz`,
      );
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});

describe('the release archives', () => {
  const platforms = (): Platform[] => parse(readFileSync(join(release, 'acr.yaml'), 'utf8')).spec.platforms;

  it('are each present with the checksum the manifest gives', () => {
    for (const p of platforms()) {
      const archive = join(release, basename(p.uri));
      expect(existsSync(archive), archive).toBe(true);
      expect(createHash('sha256').update(readFileSync(archive)).digest('hex')).toBe(p.sha256);
    }
  });

  it("hold exactly the files the manifest names, the executable being that platform's", () => {
    const machines: Record<string, RegExp> = {
      'linux/amd64': /ELF 64-bit.*x86-64/,
      'linux/arm64': /ELF 64-bit.*(aarch64|ARM aarch64)/,
      'windows/amd64': /PE32\+ executable.*x86-64/,
    };
    for (const p of platforms()) {
      const archive = join(release, basename(p.uri));
      const listed = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n').sort();
      expect(listed).toEqual(p.files.map((f) => f.from).sort());
      const kind = execFileSync('sh', ['-c', `tar -xzOf "$1" "$2" | file -`, 'sh', archive, p.bin], {
        encoding: 'utf8',
      });
      const { os, arch } = p.selector.matchLabels;
      expect(kind).toMatch(machines[`${os}/${arch}`]!);
    }
  });
});
