import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/binaries.js';

const manifest = parse(readFileSync(join(repoRoot, 'plugin', 'plugin.yaml'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

test('the krew manifest names the plugin `acr` at the package version', () => {
  expect(manifest.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
  expect(manifest.kind).toBe('Plugin');
  expect(manifest.metadata.name).toBe('acr');
  expect(manifest.spec.version).toBe(`v${pkg.version}`);
  expect(manifest.spec.shortDescription.length).toBeLessThanOrEqual(60);
});

test('every platform installs the kubectl-acr executable from a versioned archive', () => {
  expect(manifest.spec.platforms.length).toBeGreaterThan(0);
  for (const platform of manifest.spec.platforms) {
    expect(platform.bin).toBe('kubectl-acr');
    expect(platform.files.map((f: { from: string }) => f.from)).toContain('kubectl-acr');
    expect(platform.uri).toMatch(
      new RegExp(
        `/v${pkg.version.replaceAll('.', '\\.')}/kubectl-acr-${platform.selector.matchLabels.os}-${platform.selector.matchLabels.arch}\\.tar\\.gz$`,
      ),
    );
    expect(platform.sha256).toMatch(/^[0-9a-f]{64}$/);
  }
});
