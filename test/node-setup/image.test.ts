// `npm run image`'s archive, inspected with skopeo: one OCI index with an
// image per architecture, each with the installer as entrypoint, the one
// executable with its role links, nsenter and the libraries they load; then
// the executables are run from each image's own root with its own loader and
// glibc (arm64's under qemu-user-static).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryPath, platformBinaryPath, repoRoot } from '../support/binaries.js';

const archive = join(repoRoot, 'dist', 'acr-node-setup-image.tar');
const ARCHES = {
  amd64: {
    loader: 'lib64/ld-linux-x86-64.so.2',
    libraries: 'lib/x86_64-linux-gnu',
    emulator: [] as string[],
  },
  arm64: {
    loader: 'lib/ld-linux-aarch64.so.1',
    libraries: 'lib/aarch64-linux-gnu',
    emulator: ['qemu-aarch64-static'],
  },
} as const;
type Arch = keyof typeof ARCHES;

let work = '';
const rootfs = (arch: Arch) => join(work, arch, 'rootfs');

beforeAll(() => {
  binaryPath('acr-credentials');
  platformBinaryPath('linux-arm64', 'acr-credentials');
  // One build per run: it copies two 100 MB executables and gzips them.
  execFileSync('bash', [join(repoRoot, 'node-setup', 'image', 'build-image.sh')], { stdio: 'pipe' });
  work = mkdtempSync(join(tmpdir(), 'acr-image-'));
  for (const arch of Object.keys(ARCHES) as Arch[]) {
    const image = join(work, arch, 'image');
    mkdirSync(join(work, arch));
    execFileSync('skopeo', ['copy', '--quiet', '--override-arch', arch, `oci-archive:${archive}`, `dir:${image}`]);
    mkdirSync(rootfs(arch));
    const manifest = JSON.parse(readFileSync(join(image, 'manifest.json'), 'utf8'));
    for (const layer of manifest.layers)
      execFileSync('tar', ['-xf', join(image, layer.digest.replace('sha256:', '')), '-C', rootfs(arch)]);
  }
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function inImage(arch: Arch, executable: string, args: string[]): string {
  const { loader, libraries, emulator } = ARCHES[arch];
  const [program = '', ...before] = [...emulator, join(rootfs(arch), loader)];
  return execFileSync(
    program,
    [...before, '--library-path', join(rootfs(arch), libraries), join(rootfs(arch), executable), ...args],
    { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } },
  );
}

describe('the node-setup image archive', () => {
  it('is one OCI index of a linux/amd64 and a linux/arm64 image', () => {
    const index = JSON.parse(
      execFileSync('skopeo', ['inspect', '--raw', `oci-archive:${archive}`], { encoding: 'utf8' }),
    );
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m: any) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
  });

  describe.each(Object.keys(ARCHES) as Arch[])('%s', (arch) => {
    it('has the installer as entrypoint and names its Debian packages', () => {
      const config = JSON.parse(
        execFileSync('skopeo', ['inspect', '--override-arch', arch, '--config', `oci-archive:${archive}`], {
          encoding: 'utf8',
        }),
      );
      expect(config.config.Entrypoint).toEqual(['/acr-node-setup']);
      expect(config.os).toBe('linux');
      expect(config.architecture).toBe(arch);
      expect(config.config.Labels['org.opencontainers.image.title']).toBe('acr-node-setup');
      expect(config.config.Labels['io.github.acr-credentials.debian-packages']).toMatch(/libc6(-arm64-cross)?=2\.\d+/);
    });

    it('holds the one executable, a link per role, nsenter and only the libraries they load', () => {
      for (const role of ['acr-node-setup', 'acr-credential-provider', 'kubectl-acr', 'docker-credential-acr']) {
        expect(lstatSync(join(rootfs(arch), role)).isSymbolicLink(), role).toBe(true);
        expect(readlinkSync(join(rootfs(arch), role))).toBe('acr-credentials');
      }
      const { loader, libraries } = ARCHES[arch];
      for (const path of [
        'acr-credentials',
        'usr/bin/nsenter',
        loader,
        `${libraries}/libc.so.6`,
        `${libraries}/libstdc++.so.6`,
      ]) {
        expect(existsSync(join(rootfs(arch), path)), path).toBe(true);
      }
      expect(readdirSync(rootfs(arch)).sort()).toEqual(
        [
          'acr-credential-provider',
          'acr-credentials',
          'acr-node-setup',
          'docker-credential-acr',
          'kubectl-acr',
          'lib',
          ...(arch === 'amd64' ? ['lib64'] : []),
          'run',
          'tmp',
          'usr',
        ].sort(),
      );
      const file = execFileSync('readelf', ['-h', join(rootfs(arch), 'acr-credentials')], { encoding: 'utf8' });
      expect(file).toMatch(arch === 'amd64' ? /Machine:\s+Advanced Micro Devices X86-64/ : /Machine:\s+AArch64/);
    });

    it('runs every role with its own loader and libraries', () => {
      expect(inImage(arch, 'kubectl-acr', ['--version'])).toMatch(/^kubectl-acr \S+ \(node v24/);
      expect(inImage(arch, 'acr-node-setup', ['--version'])).toMatch(/^acr-node-setup \S+ \(node v24/);
      expect(inImage(arch, 'acr-credential-provider', ['--version'])).toMatch(
        /^acr-credential-provider \S+ \(node v24/,
      );
      expect(inImage(arch, 'docker-credential-acr', ['version'])).toMatch(/^docker-credential-acr \S+ \(node v24/);
      expect(inImage(arch, 'usr/bin/nsenter', ['--version'])).toMatch(/nsenter from util-linux/);
    }, 60_000);
  });
});
