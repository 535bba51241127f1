// The npm package as a user gets it on a laptop (macOS, Windows, Linux): `npm
// pack`, `npm install -g` of the tarball into a temporary prefix, then
// kubectl-acr and docker-credential-acr from that prefix on the user's own
// Node, through the real kubectl against the fake apiserver.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { binaryPath, repoRoot, runProcess } from '../support/binaries.js';
import { configMap, startHarness, type PluginHarness } from '../plugin/plugin-harness.js';

let dir: string;
let prefix: string;
let files: string[];
let h: PluginHarness;
let env: Record<string, string>;

beforeAll(async () => {
  binaryPath('acr-credentials'); // the bundles in the package come from the same build
  dir = mkdtempSync(join(tmpdir(), 'acr-npm-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: repoRoot, encoding: 'utf8' }),
  )[0];
  files = packed.files.map((f: { path: string }) => f.path).sort();
  prefix = join(dir, 'prefix');
  execFileSync(
    'npm',
    ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(dir, packed.filename)],
    { encoding: 'utf8', stdio: 'pipe' },
  );
  h = await startHarness();
  // The user's own Node (here the pinned Node 24), then the prefix's bin, then the system's kubectl.
  env = {
    PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: dir,
  };
}, 120_000);

afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('holds the bundles and the bin scripts, and no source, test or build file', () => {
  expect(files).toContain('dist/bundles/kubectl-acr.cjs');
  expect(files).toContain('dist/bundles/kubectl-acr-commands.cjs');
  expect(files).toContain('dist/bundles/docker-credential-acr.cjs');
  expect(files).toContain('dist/bundles/cold-path.cjs');
  expect(files).toContain('npm-package/kubectl-acr.cjs');
  expect(files).toContain('LICENSE');
  expect(files).toContain('package.json');
  const allowed = /^(dist\/bundles\/[\w-]+\.cjs|npm-package\/[\w-]+\.cjs|LICENSE|README\.md|package\.json)$/;
  expect(files.filter((path) => !allowed.test(path))).toEqual([]);
});

it('kubectl acr --help and --version through the real kubectl', async () => {
  const help = await runProcess('kubectl', ['acr', '--help'], { env });
  expect(help.code, help.stderr).toBe(0);
  expect(help.stdout).toContain('kubectl acr status');
  const version = await runProcess('kubectl', ['acr', '--version'], { env });
  expect(version.stdout).toMatch(/^kubectl-acr \d+\.\d+\.\d+ \(node v\d+/);
});

it('kubectl acr status against the fake apiserver: the command bundle loads from the package', async () => {
  h.api.seed([configMap({ 'acr-registry-info': '- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n' })]);
  const status = await runProcess('kubectl', ['acr', 'status', '--kubeconfig', h.kubeconfig], { env });
  expect(status.stderr).toBe('');
  expect(status.stdout).toMatch(/enterprise\s+cri-abc123\s+cn-hangzhou/);
  expect(status.stdout).toContain('Problems (');
});

it('completion through kubectl_complete-acr, and docker-credential-acr', async () => {
  const completion = await runProcess('kubectl', ['__complete', 'acr', 'st'], { env });
  expect(completion.stdout.split('\n')).toEqual(['status', ':4', '']);
  const helper = await runProcess('docker-credential-acr', ['get'], { env, stdin: 'docker.io' });
  expect(helper).toMatchObject({ code: 1, stdout: 'credentials not found in native keychain\n' });
});

it('says which Node it needs when started by an older one', async () => {
  const old = await runProcess(
    'node',
    [
      '-e',
      "Object.defineProperty(process.versions, 'node', { value: '20.11.0' }); require(process.argv[1])",
      join(prefix, 'lib', 'node_modules', 'acr-credentials', 'npm-package', 'kubectl-acr.cjs'),
    ],
    { env },
  );
  expect(old.code).toBe(2);
  expect(old.stderr).toContain('needs Node 22.3 or newer; this is Node 20.11.0');
});
