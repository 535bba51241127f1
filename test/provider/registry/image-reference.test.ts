import { describe, expect, it } from 'vitest';
import { parseImageReference, type ImageReference } from '../../../provider/registry/image-reference.js';
import { classifyHost } from '../../../provider/registry/registry-host.js';
import { ACR_HOSTS } from './acr-host-table.js';

const DIGEST = `sha256:${'a1'.repeat(32)}`;

describe('parseImageReference', () => {
  it.each<[string, ImageReference]>([
    // What the kubelet sends: host[:port]/path, no tag, no digest.
    [
      'registry.cn-hangzhou.aliyuncs.com/ns/app',
      {
        host: 'registry.cn-hangzhou.aliyuncs.com',
        hostname: 'registry.cn-hangzhou.aliyuncs.com',
        port: undefined,
        path: 'ns/app',
      },
    ],
    [
      'acme-registry-vpc.cn-shanghai.cr.aliyuncs.com/team/sub/app',
      {
        host: 'acme-registry-vpc.cn-shanghai.cr.aliyuncs.com',
        hostname: 'acme-registry-vpc.cn-shanghai.cr.aliyuncs.com',
        port: undefined,
        path: 'team/sub/app',
      },
    ],
    [
      'acme-registry-vpc.distributed.cn-shanghai.cr.aliyuncs.com:65001/ns/app',
      {
        host: 'acme-registry-vpc.distributed.cn-shanghai.cr.aliyuncs.com:65001',
        hostname: 'acme-registry-vpc.distributed.cn-shanghai.cr.aliyuncs.com',
        port: 65001,
        path: 'ns/app',
      },
    ],
    ['docker.io/library/nginx', { host: 'docker.io', hostname: 'docker.io', port: undefined, path: 'library/nginx' }],
    ['localhost:5000/app', { host: 'localhost:5000', hostname: 'localhost', port: 5000, path: 'app' }],
    ['localhost/app', { host: 'localhost', hostname: 'localhost', port: undefined, path: 'app' }],
    ['[::1]:5000/app', { host: '[::1]:5000', hostname: '[::1]', port: 5000, path: 'app' }],
    // Robustness: tags and digests are stripped.
    [
      'registry.cn-hangzhou.aliyuncs.com/ns/app:v1.2.3',
      {
        host: 'registry.cn-hangzhou.aliyuncs.com',
        hostname: 'registry.cn-hangzhou.aliyuncs.com',
        port: undefined,
        path: 'ns/app',
      },
    ],
    [
      `registry.cn-hangzhou.aliyuncs.com/ns/app@${DIGEST}`,
      {
        host: 'registry.cn-hangzhou.aliyuncs.com',
        hostname: 'registry.cn-hangzhou.aliyuncs.com',
        port: undefined,
        path: 'ns/app',
      },
    ],
    [
      `registry.cn-hangzhou.aliyuncs.com/ns/app:latest@${DIGEST}`,
      {
        host: 'registry.cn-hangzhou.aliyuncs.com',
        hostname: 'registry.cn-hangzhou.aliyuncs.com',
        port: undefined,
        path: 'ns/app',
      },
    ],
    ['localhost:5000/app:5000', { host: 'localhost:5000', hostname: 'localhost', port: 5000, path: 'app' }],
    // Upper-case hosts are lower-cased (DNS is case-insensitive).
    [
      'REGISTRY.CN-HANGZHOU.ALIYUNCS.COM/ns/app',
      {
        host: 'registry.cn-hangzhou.aliyuncs.com',
        hostname: 'registry.cn-hangzhou.aliyuncs.com',
        port: undefined,
        path: 'ns/app',
      },
    ],
    // Path component separators of the distribution grammar.
    [
      'registry.cn-hangzhou.aliyuncs.com/my_ns/my-app.web__x',
      {
        host: 'registry.cn-hangzhou.aliyuncs.com',
        hostname: 'registry.cn-hangzhou.aliyuncs.com',
        port: undefined,
        path: 'my_ns/my-app.web__x',
      },
    ],
    // No registry host: Docker Hub, the way the kubelet normalizes it.
    ['nginx', { host: 'docker.io', hostname: 'docker.io', port: undefined, path: 'library/nginx' }],
    ['nginx:1.27', { host: 'docker.io', hostname: 'docker.io', port: undefined, path: 'library/nginx' }],
    ['bitnami/redis', { host: 'docker.io', hostname: 'docker.io', port: undefined, path: 'bitnami/redis' }],
    // The first component decides the host: evil.com, not the ACR-looking path.
    [
      'evil.com/registry.cn-hangzhou.aliyuncs.com/x',
      { host: 'evil.com', hostname: 'evil.com', port: undefined, path: 'registry.cn-hangzhou.aliyuncs.com/x' },
    ],
    [
      'registry.cn-hangzhou.aliyuncs.com.evil.com/ns/app',
      {
        host: 'registry.cn-hangzhou.aliyuncs.com.evil.com',
        hostname: 'registry.cn-hangzhou.aliyuncs.com.evil.com',
        port: undefined,
        path: 'ns/app',
      },
    ],
    // A port is kept: the host is then not an ACR shape (see registry-host.ts).
    [
      'registry.cn-hangzhou.aliyuncs.com:443/ns/app',
      {
        host: 'registry.cn-hangzhou.aliyuncs.com:443',
        hostname: 'registry.cn-hangzhou.aliyuncs.com',
        port: 443,
        path: 'ns/app',
      },
    ],
  ])('%s', (image, ref) => {
    expect(parseImageReference(image)).toEqual({ ok: true, ref });
  });

  it.each([
    ['', 'is empty'],
    ['https://registry.cn-hangzhou.aliyuncs.com/ns/app', 'has a URL scheme; expected host[:port]/path'],
    ['oci://registry.cn-hangzhou.aliyuncs.com/ns/app', 'has a URL scheme; expected host[:port]/path'],
    [' registry.cn-hangzhou.aliyuncs.com/ns/app', 'contains whitespace or control characters'],
    ['registry.cn-hangzhou.aliyuncs.com/ns/app\n', 'contains whitespace or control characters'],
    ['registry.cn-hangzhou.aliyuncs.com/ns /app', 'contains whitespace or control characters'],
    ['/ns/app', 'has an empty registry host'],
    [':5000/ns/app', 'has an empty registry host'],
    ['registry.cn-hangzhou.aliyuncs.com', 'names a registry host but no repository path; expected host[:port]/path'],
    [
      'registry.cn-hangzhou.aliyuncs.com:443',
      'names a registry host but no repository path; expected host[:port]/path',
    ],
    ['registry.cn-hangzhou.aliyuncs.com/', 'has no repository path after the registry host'],
    [
      'registry.cn-hangzhou.aliyuncs.com//app',
      'has an invalid repository path component "" (lower-case letters, digits and single . _ __ - separators)',
    ],
    [
      'registry.cn-hangzhou.aliyuncs.com/ns/app/',
      'has an invalid repository path component "" (lower-case letters, digits and single . _ __ - separators)',
    ],
    [
      'registry.cn-hangzhou.aliyuncs.com/NS/app',
      'has an invalid repository path component "NS" (lower-case letters, digits and single . _ __ - separators)',
    ],
    [
      'registry.cn-hangzhou.aliyuncs.com/ns/-app',
      'has an invalid repository path component "-app" (lower-case letters, digits and single . _ __ - separators)',
    ],
    ['registry..aliyuncs.com/ns/app', 'has an invalid registry host "registry..aliyuncs.com"'],
    ['-registry.cn-hangzhou.aliyuncs.com/ns/app', 'has an invalid registry host "-registry.cn-hangzhou.aliyuncs.com"'],
    ['reg_istry.example.com/ns/app', 'has an invalid registry host "reg_istry.example.com"'],
    ['registry.cn-hangzhou.aliyuncs.com:/ns/app', 'has an invalid registry port ""'],
    ['registry.cn-hangzhou.aliyuncs.com:0/ns/app', 'has an invalid registry port "0"'],
    ['registry.cn-hangzhou.aliyuncs.com:65536/ns/app', 'has an invalid registry port "65536"'],
    ['registry.cn-hangzhou.aliyuncs.com:http/ns/app', 'has an invalid registry port "http"'],
    ['registry.cn-hangzhou.aliyuncs.com/ns/app@sha256:short', 'has an invalid digest after "@"'],
    ['registry.cn-hangzhou.aliyuncs.com/ns/app@latest', 'has an invalid digest after "@"'],
    ['registry.cn-hangzhou.aliyuncs.com/ns/app:', 'has an invalid tag after ":"'],
    ['registry.cn-hangzhou.aliyuncs.com/ns/app:-v1', 'has an invalid tag after ":"'],
  ])('rejects %j: %s', (image, reason) => {
    expect(parseImageReference(image)).toEqual({ ok: false, message: `image ${JSON.stringify(image)} ${reason}` });
  });

  it.each([
    ['registry.cn-hangzhou.aliyuncs.com@evil.com/x', '<redacted>@evil.com/x'],
    ['user:s3cret-pw@registry.cn-hangzhou.aliyuncs.com/ns/app', '<redacted>@registry.cn-hangzhou.aliyuncs.com/ns/app'],
    ['user@registry.cn-hangzhou.aliyuncs.com/ns/app', '<redacted>@registry.cn-hangzhou.aliyuncs.com/ns/app'],
    ['a@b:s3cret-pw@registry.cn-hangzhou.aliyuncs.com/ns/app', '<redacted>@registry.cn-hangzhou.aliyuncs.com/ns/app'],
  ])('rejects userinfo in %j without showing it', (image, shown) => {
    const parsed = parseImageReference(image);
    expect(parsed).toEqual({
      ok: false,
      message: `image ${JSON.stringify(shown)} has userinfo (user@host) before the registry host`,
    });
    expect(JSON.stringify(parsed)).not.toContain('s3cret');
  });

  it.each(ACR_HOSTS.map((h) => [h.host, h] as const))(
    '%s/ns/app parses to a host that classifies as before',
    (host, expected) => {
      const parsed = parseImageReference(`${host}/ns/app:v1`);
      expect(parsed.ok && classifyHost(parsed.ref.host)).toEqual(expected);
    },
  );

  it.each([
    ['evil.com/registry.cn-hangzhou.aliyuncs.com/x', 'evil.com'],
    ['registry.cn-hangzhou.aliyuncs.com.evil.com/ns/app', 'registry.cn-hangzhou.aliyuncs.com.evil.com'],
    ['foo-registry.cn-hangzhou.cr.aliyuncs.com.evil.com/ns/app', 'foo-registry.cn-hangzhou.cr.aliyuncs.com.evil.com'],
    ['registry.cn-hangzhou.aliyuncs.com:443/ns/app', 'registry.cn-hangzhou.aliyuncs.com:443'],
    ['nginx', 'docker.io'],
  ])('%s is not an ACR image', (image, host) => {
    const parsed = parseImageReference(image);
    expect(parsed.ok && classifyHost(parsed.ref.host)).toEqual({ kind: 'other', host });
  });
});
