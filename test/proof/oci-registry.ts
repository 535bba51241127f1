// A real OCI registry (Debian's docker-registry) on 127.0.0.1 with htpasswd
// auth, and a one-layer image built with buildah and pushed to it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Login {
  username: string;
  password: string;
}

export interface OciRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  /**
   * Restarts the registry accepting exactly these logins (its htpasswd is read
   * at start). One password per user name: ACR's temporary user name is the
   * same for every token, so give the one login a pull is meant to use.
   */
  allow(logins: readonly Login[]): Promise<void>;
  /**
   * Builds (buildah) and pushes a one-layer image holding `/hello.txt` to
   * `repository:tag`, logging in as `login` or as an auth file (containers'
   * auth.json) says; returns its manifest digest.
   */
  push(repository: string, tag: string, auth: Login | { authFile: string; env: Record<string, string> }): string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Builds a one-file image with buildah (vfs storage and chroot isolation in a
 * private root, as node-setup's image build does) and pushes it; returns the
 * manifest digest the registry stored.
 */
function buildAndPush(
  dir: string,
  reference: string,
  auth: Login | { authFile: string; env: Record<string, string> },
): string {
  const storage = ['--storage-driver', 'vfs', '--root', join(dir, 'storage'), '--runroot', join(dir, 'run')];
  const env = { ...process.env, ...('env' in auth ? auth.env : {}), BUILDAH_ISOLATION: 'chroot' };
  const buildah = (...args: string[]) =>
    execFileSync('buildah', [...storage, ...args], { env, encoding: 'utf8' }).trim();
  mkdirSync(join(dir, 'content'), { recursive: true });
  writeFileSync(join(dir, 'content', 'hello.txt'), 'pulled with ACR credentials\n');
  const container = buildah('from', '--quiet', 'scratch');
  try {
    buildah('copy', '--quiet', container, join(dir, 'content', 'hello.txt'), '/hello.txt');
    buildah('commit', '--quiet', container, 'proof-image');
  } finally {
    buildah('rm', container);
  }
  const digestFile = join(dir, 'digest');
  buildah(
    'push',
    '--quiet',
    '--tls-verify=false',
    ...('authFile' in auth ? ['--authfile', auth.authFile] : ['--creds', `${auth.username}:${auth.password}`]),
    '--digestfile',
    digestFile,
    'proof-image',
    `docker://${reference}`,
  );
  return readFileSync(digestFile, 'utf8').trim();
}

export async function startOciRegistry(): Promise<OciRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'acr-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let log = '';
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const registry: OciRegistry = {
    host,
    async allow(logins) {
      await stop();
      const lines = logins.map((l) =>
        execFileSync('htpasswd', ['-Bbn', l.username, l.password], { encoding: 'utf8' }).trim(),
      );
      writeFileSync(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
      writeFileSync(
        join(dir, 'config.yml'),
        [
          'version: 0.1',
          'log: { level: info }',
          `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} } }`,
          `http: { addr: ${host} }`,
          `auth: { htpasswd: { realm: acr-test, path: ${join(dir, 'htpasswd')} } }`,
          '',
        ].join('\n'),
      );
      log = '';
      child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (log += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
      const started = Date.now();
      while (!log.includes('listening on')) {
        if (child.exitCode !== null || Date.now() - started > 15_000)
          throw new Error(`docker-registry did not start:\n${log.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    push(repository, tag, auth) {
      return buildAndPush(
        join(dir, `image-${repository.replace(/\W/g, '-')}-${tag}`),
        `${host}/${repository}:${tag}`,
        auth,
      );
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return registry;
}
