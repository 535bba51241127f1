// The one executable: each role's bundle carries a code cache V8 accepts,
// the links in dist/ start their roles, and the executable's own name takes
// a role as its first word.
import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, ROLE_VERSION_CALLS, runBinary } from '../support/binaries.js';
import { ROLES } from '../../launcher/roles.js';

describe('acr-credentials', () => {
  it("loads every role's bundle with its code cache accepted", async () => {
    const result = await runBinary('acr-credentials', ['--bundles']);
    expect(result.code, result.stdout).toBe(0);
    const bundles = [...ROLES.map((role) => role.bundle), 'cold-path.cjs', 'kubectl-acr-commands.cjs'];
    for (const bundle of bundles)
      expect(result.stdout).toMatch(new RegExp(`^${bundle} +\\d+ bytes  code cache accepted$`, 'm'));
    expect(result.stdout.trim().split('\n')).toHaveLength(bundles.length);
  });

  it('dist/ links each role name to the executable', () => {
    for (const role of ROLES) {
      const link = join(repoRoot, 'dist', role.name);
      expect(lstatSync(link).isSymbolicLink(), role.name).toBe(true);
      expect(readlinkSync(link)).toBe('acr-credentials');
    }
  });

  it('each link answers --version as its role', async () => {
    for (const [name, args] of ROLE_VERSION_CALLS) {
      const result = await runBinary(name, [...args]);
      expect(result.stdout, name).toMatch(new RegExp(`^${name} \\d+\\.\\d+\\.\\d+ \\(node v\\d+`));
    }
  });

  it('takes the role as its first word', async () => {
    const result = await runBinary('acr-credentials', ['kubectl-acr', '__complete', 'st']);
    expect(result).toMatchObject({ code: 0, stdout: 'status\n:4\n' });
    expect((await runBinary('acr-credentials', ['--version'])).stdout).toMatch(/^acr-credentials \d+\.\d+\.\d+ /);
  });

  it('refuses an unknown role with exit 2 and the list of roles', async () => {
    const result = await runBinary('acr-credentials', ['provider']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"provider" is not a role');
    for (const role of ROLES) expect(result.stderr).toContain(role.name);
  });
});
