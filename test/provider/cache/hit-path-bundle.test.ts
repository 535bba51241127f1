// The cache-hit path must stay as light as an empty executable: a guard that
// nothing heavy (YAML, cloud SDK, node:crypto) creeps into the main bundle;
// those belong in the cold-path bundle loaded on a miss.
import { build } from 'esbuild';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/binaries.js';

async function bundle(entry: string): Promise<{ text: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [join(repoRoot, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    write: false,
    metafile: true,
    logLevel: 'silent',
    define: { 'import.meta.url': '__importMetaUrl', __PROJECT_VERSION__: '"test"' },
  });
  return { text: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

describe('bundles', () => {
  it('the main bundle requires only node:fs, node:path and node:util, and holds no YAML or cloud code', async () => {
    const main = await bundle('provider/kubelet/main.ts');
    expect([...new Set(main.text.match(/require\("[^"]+"\)/g))].sort()).toEqual([
      'require("node:fs")',
      'require("node:path")',
      'require("node:util")',
    ]);
    expect(
      main.inputs.filter(
        (input) => input.includes('node_modules') || input.includes('/cloud/') || input.includes('configuration'),
      ),
    ).toEqual([]);
  });

  it('the cold-path bundle holds the configuration parser and the cloud clients', async () => {
    const cold = await bundle('provider/kubelet/cold-path.ts');
    expect(cold.inputs.some((input) => input.includes('node_modules/yaml/'))).toBe(true);
    expect(cold.inputs.some((input) => input.includes('provider/cloud/cr-client.ts'))).toBe(true);
  });
});
