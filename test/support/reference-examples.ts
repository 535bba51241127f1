import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './binaries.js';

/** The `acr-configuration` examples of ../shared/reference, copied verbatim (mistakes included). */
export const referenceExamplesDir = join(repoRoot, 'test', 'provider', 'configuration', 'fixtures');

/**
 * Every published example a user can have in a cluster. The zh-2019 page lost
 * its line breaks; its one-line `-verbatim` copy is what no parser can read
 * (the parser's own tests cover that refusal), the `-restored` copy is what
 * users actually pasted.
 */
export function loadableReferenceExamples(): string[] {
  return readdirSync(referenceExamplesDir)
    .filter((file) => file.endsWith('.yaml') && !file.endsWith('-verbatim.yaml'))
    .sort();
}
