// A real containerd (Debian's package) for tests: its own root, state and
// socket in a temporary directory, the CRI plugin with the native
// snapshotter (in a mount namespace of its own), and hosts.toml files that reach loopback registries over
// plain HTTP. `pull` makes the call the kubelet makes:
// runtime.v1.ImageService/PullImage with an AuthConfig.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The part of the CRI API (k8s.io/cri-api, runtime/v1/api.proto) the kubelet
// calls to pull an image: field numbers as upstream, the rest left out.
const CRI_IMAGE_SERVICE_PROTO = `syntax = "proto3";

package runtime.v1;

service ImageService {
  rpc PullImage(PullImageRequest) returns (PullImageResponse) {}
  rpc RemoveImage(RemoveImageRequest) returns (RemoveImageResponse) {}
}

message ImageSpec {
  string image = 1;
  map<string, string> annotations = 2;
}

message AuthConfig {
  string username = 1;
  string password = 2;
  string auth = 3;
  string server_address = 4;
  string identity_token = 5;
  string registry_token = 6;
}

message PullImageRequest {
  ImageSpec image = 1;
  AuthConfig auth = 2;
}

message PullImageResponse {
  string image_ref = 1;
}

message RemoveImageRequest {
  ImageSpec image = 1;
}

message RemoveImageResponse {}
`;

export interface CriAuth {
  username?: string;
  password?: string;
  auth?: string;
  server_address?: string;
}

export interface Containerd {
  /** Resolves with the image reference containerd stored; rejects with containerd's error message. */
  pull(image: string, auth?: CriAuth): Promise<string>;
  remove(image: string): Promise<void>;
  close(): Promise<void>;
}

type Unary = (
  request: object,
  callback: (error: grpc.ServiceError | null, response: Record<string, string>) => void,
) => void;

export async function startContainerd(registryHosts: readonly string[]): Promise<Containerd> {
  const dir = mkdtempSync(join(tmpdir(), 'acr-containerd-'));
  const socket = join(dir, 'containerd.sock');
  for (const host of registryHosts) {
    mkdirSync(join(dir, 'certs.d', host), { recursive: true });
    writeFileSync(
      join(dir, 'certs.d', host, 'hosts.toml'),
      `server = "http://${host}"\n[host."http://${host}"]\n  capabilities = ["pull", "resolve"]\n`,
    );
  }
  writeFileSync(
    join(dir, 'config.toml'),
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      // Only the native snapshotter: plain directories, nothing for overlay to refuse in a user namespace.
      'disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.overlayfs"]',
      '[grpc]',
      `  address = "${socket}"`,
      '[plugins."io.containerd.grpc.v1.cri"]',
      '  disable_apparmor = true',
      '  restrict_oom_score_adj = true',
      '  disable_cgroup = true',
      '  [plugins."io.containerd.grpc.v1.cri".containerd]',
      '    snapshotter = "native"',
      '  [plugins."io.containerd.grpc.v1.cri".registry]',
      `    config_path = "${dir}/certs.d"`,
      '',
    ].join('\n'),
  );
  // Its own mount namespace: unpacking a layer bind-mounts the snapshot, which a user namespace (CI's) allows only there.
  const child = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', 'containerd', '--config', join(dir, 'config.toml')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const started = Date.now();
  while (!existsSync(socket) || !log.includes('containerd successfully booted')) {
    if (child.exitCode !== null || Date.now() - started > 20_000)
      throw new Error(`containerd did not start:\n${log.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  writeFileSync(join(dir, 'cri-image-service.proto'), CRI_IMAGE_SERVICE_PROTO);
  const definition = protoLoader.loadSync(join(dir, 'cri-image-service.proto'), { keepCase: true, defaults: true });
  const proto = grpc.loadPackageDefinition(definition) as unknown as {
    runtime: {
      v1: {
        ImageService: new (
          address: string,
          credentials: grpc.ChannelCredentials,
        ) => Record<string, Unary> & grpc.Client;
      };
    };
  };
  const client = new proto.runtime.v1.ImageService(`unix://${socket}`, grpc.credentials.createInsecure());
  const call = (method: string, request: object) =>
    new Promise<Record<string, string>>((resolve, reject) =>
      client[method]!.call(client, request, (error, response) =>
        error ? reject(new Error(error.details)) : resolve(response),
      ),
    );
  return {
    async pull(image, auth) {
      return (await call('PullImage', { image: { image }, ...(auth ? { auth } : {}) }))['image_ref'] ?? '';
    },
    async remove(image) {
      await call('RemoveImage', { image: { image } });
    },
    async close() {
      client.close();
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
