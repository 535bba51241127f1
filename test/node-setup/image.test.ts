// `npm run image`'s archive, inspected with skopeo: the entrypoint, the
// executables and the libraries they load; then both executables are run
// from the image's own root with the image's own loader and glibc.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryPath, repoRoot } from '../support/binaries.js';

const archive = join(repoRoot, 'dist', 'acr-node-setup-image.tar');
let work = '';
let rootfs = '';

beforeAll(() => {
  binaryPath('acr-credentials');
  // One build per run: it copies a 100 MB executable and gzips it.
  execFileSync('bash', [join(repoRoot, 'node-setup', 'image', 'build-image.sh')], { stdio: 'pipe' });
  work = mkdtempSync(join(tmpdir(), 'acr-image-'));
  execFileSync('skopeo', ['copy', '--quiet', `oci-archive:${archive}`, `dir:${join(work, 'image')}`]);
  rootfs = join(work, 'rootfs');
  execFileSync('mkdir', [rootfs]);
  const manifest = JSON.parse(execFileSync('cat', [join(work, 'image', 'manifest.json')], { encoding: 'utf8' }));
  for (const layer of manifest.layers)
    execFileSync('tar', ['-xf', join(work, 'image', layer.digest.replace('sha256:', '')), '-C', rootfs]);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function inImage(executable: string, args: string[]): string {
  return execFileSync(
    join(rootfs, 'lib64', 'ld-linux-x86-64.so.2'),
    ['--library-path', join(rootfs, 'lib', 'x86_64-linux-gnu'), join(rootfs, executable), ...args],
    { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } },
  );
}

describe('the node-setup image archive', () => {
  it('is an OCI image whose entrypoint is the installer', () => {
    const config = JSON.parse(
      execFileSync('skopeo', ['inspect', '--config', `oci-archive:${archive}`], { encoding: 'utf8' }),
    );
    expect(config.config.Entrypoint).toEqual(['/acr-node-setup']);
    expect(config.os).toBe('linux');
    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', `oci-archive:${archive}`], { encoding: 'utf8' }));
    expect(inspect.Labels['org.opencontainers.image.title']).toBe('acr-node-setup');
    expect(inspect.Labels['io.github.acr-credentials.debian-packages']).toMatch(/libc6=2\.\d+/);
  });

  it('holds the one executable, a link per role, nsenter and only the libraries they load', () => {
    for (const role of ['acr-node-setup', 'acr-credential-provider', 'kubectl-acr', 'docker-credential-acr']) {
      expect(lstatSync(join(rootfs, role)).isSymbolicLink(), role).toBe(true);
      expect(readlinkSync(join(rootfs, role))).toBe('acr-credentials');
    }
    for (const path of [
      'acr-credentials',
      'usr/bin/nsenter',
      'lib64/ld-linux-x86-64.so.2',
      'lib/x86_64-linux-gnu/libc.so.6',
      'lib/x86_64-linux-gnu/libstdc++.so.6',
    ]) {
      expect(existsSync(join(rootfs, path)), path).toBe(true);
    }
    expect(readdirSync(rootfs).sort()).toEqual([
      'acr-credential-provider',
      'acr-credentials',
      'acr-node-setup',
      'docker-credential-acr',
      'kubectl-acr',
      'lib',
      'lib64',
      'run',
      'tmp',
      'usr',
    ]);
  });

  it('runs every executable with its own loader and libraries', () => {
    expect(inImage('kubectl-acr', ['--version'])).toMatch(/^kubectl-acr \S+ \(node v24/);
    expect(inImage('acr-node-setup', ['--version'])).toMatch(/^acr-node-setup \S+ \(node v24/);
    expect(inImage('acr-credential-provider', ['--version'])).toMatch(/^acr-credential-provider \S+ \(node v24/);
    expect(inImage('docker-credential-acr', ['version'])).toMatch(/^docker-credential-acr \S+ \(node v24/);
  });
});
