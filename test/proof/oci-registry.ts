// A real OCI registry (Debian's docker-registry) on 127.0.0.1 with htpasswd
// auth, and a one-layer image pushed to it with skopeo.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
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
  /** Pushes a one-layer image holding `/hello.txt` to `repository:tag`; returns its manifest digest. */
  push(repository: string, tag: string, login: Login): string;
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

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** An OCI image layout with one layer, built with tar: what skopeo copies to the registry. */
function imageLayout(dir: string): string {
  const content = join(dir, 'content');
  mkdirSync(content, { recursive: true });
  writeFileSync(join(content, 'hello.txt'), 'pulled with ACR credentials\n');
  const layer = execFileSync('tar', ['-cz', '--owner=0', '--group=0', '--mtime=@0', '-C', content, 'hello.txt']);
  const diffId = sha256(execFileSync('gzip', ['-dc'], { input: layer }));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${sha256(config)}`,
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: `sha256:${sha256(layer)}`,
          size: layer.length,
        },
      ],
    }),
  );
  const layout = join(dir, 'layout');
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [layer, config, manifest]) writeFileSync(join(layout, 'blobs', 'sha256', sha256(blob)), blob);
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${sha256(manifest)}`,
          size: manifest.length,
        },
      ],
    }),
  );
  return layout;
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
    push(repository, tag, login) {
      const layout = imageLayout(join(dir, `image-${repository.replace(/\W/g, '-')}-${tag}`));
      execFileSync(
        'skopeo',
        [
          'copy',
          '--quiet',
          '--dest-tls-verify=false',
          '--dest-creds',
          `${login.username}:${login.password}`,
          `oci:${layout}`,
          `docker://${host}/${repository}:${tag}`,
        ],
        { stdio: 'pipe' },
      );
      const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      return index.manifests[0]!.digest;
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return registry;
}
