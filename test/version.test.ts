import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runBinary, type BinaryName } from './support/binaries.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const pinnedNode = pkg.devDependencies.node ?? pkg.dependencies.node;

describe('built executables', () => {
  for (const name of ['acr-credential-provider', 'kubectl-acr', 'acr-node-setup'] as BinaryName[]) {
    it(`${name} --version names the project and the embedded Node`, async () => {
      const result = await runBinary(name, ['--version']);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(`${name} ${pkg.version} (node v${pinnedNode})`);
    });
  }
});
