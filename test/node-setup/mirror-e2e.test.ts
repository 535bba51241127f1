// The configuration mirror of the built acr-node-setup: the ConfigMap and the
// Secret mounted like the kubelet mounts them (..data symlinks), mirrored to
// owner-only files; an invalid edit keeps the last valid configuration.
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigurationFile } from '../../provider/configuration/parse-configuration.js';
import { kubeletImageMatches } from '../../provider/registry/image-match.js';
import { runBinary } from '../support/binaries.js';
import { makeHost, type Host } from './host-fixture.js';

const SECRET_VALUE = 'kS9-very-secret-access-key-value';
const CONFIG = '/etc/kubernetes/acr/acr-configuration.yaml';

const REGISTRY_INFO = `- instanceId: "cri-abc123"
  regionId: "cn-hangzhou"
  domains: "team-registry.cn-hangzhou.cr.aliyuncs.com,registry.example.com,mirror.example.org:5000"
  customAccessKey: "LTAI5tExampleKeyId"
  customAccessKeySecretRef: "team-access-key"
`;

const hosts: Host[] = [];
afterEach(() => {
  for (const host of hosts.splice(0)) host.cleanup();
});

/** A volume as the kubelet mounts a ConfigMap or Secret: files behind ..data symlinks. */
function mountVolume(dir: string, data: Record<string, string>, generation = 1): void {
  const version = `..2026_11_24_08_00_0${generation}.000000001`;
  mkdirSync(join(dir, version), { recursive: true });
  for (const old of readdirSync(dir).filter((name) => !name.startsWith('.'))) rmSync(join(dir, old));
  for (const [key, value] of Object.entries(data)) writeFileSync(join(dir, version, key), value);
  rmSync(join(dir, '..data'), { force: true });
  symlinkSync(version, join(dir, '..data'));
  for (const key of Object.keys(data)) {
    rmSync(join(dir, key), { force: true });
    symlinkSync(join('..data', key), join(dir, key));
  }
}

function setup(): { h: Host; configmap: string; secrets: string; mirrorArgs: string[] } {
  const h = makeHost({ layout: 'kubeadm-deb', glibc: '2.36' });
  hosts.push(h);
  const configmap = join(h.work, 'configmap');
  const secrets = join(h.work, 'secrets');
  mountVolume(configmap, { 'acr-registry-info': REGISTRY_INFO, 'watch-namespace': 'all' });
  mountVolume(secrets, { 'team-access-key': SECRET_VALUE });
  return { h, configmap, secrets, mirrorArgs: ['--configmap-dir', configmap, '--secrets-dir', secrets] };
}

describe('install with the mounted configuration', () => {
  it('mirrors the ConfigMap and the referenced Secret key into 0600 files in 0700 dirs, adds the custom domains to matchImages, never prints the secret; uninstall restores everything', async () => {
    const { h, mirrorArgs } = setup();
    const before = h.snapshot();
    const result = await runBinary('acr-node-setup', ['install', ...h.installArgs(), ...mirrorArgs]);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(SECRET_VALUE);

    expect(h.mode('/etc/kubernetes/acr')).toBe(0o700);
    expect(h.mode(CONFIG)).toBe(0o600);
    const mirrored = parseConfigurationFile(h.read(CONFIG));
    expect(mirrored.ok).toBe(true);
    expect(parse(h.read(CONFIG))).toEqual({ 'acr-registry-info': REGISTRY_INFO, 'watch-namespace': 'all' });
    expect(h.mode('/etc/kubernetes/acr/secrets')).toBe(0o700);
    expect(h.mode('/etc/kubernetes/acr/secrets/team-access-key')).toBe(0o600);
    expect(h.read('/etc/kubernetes/acr/secrets/team-access-key')).toBe(SECRET_VALUE);

    const matchImages: string[] = parse(h.read('/etc/kubernetes/credential-provider-config.yaml')).providers[0]
      .matchImages;
    const covered = (image: string) => matchImages.some((pattern) => kubeletImageMatches(pattern, image));
    expect(covered('registry.example.com/team/app')).toBe(true);
    expect(covered('mirror.example.org:5000/library/nginx')).toBe(true);
    expect(covered('mirror.example.org/library/nginx')).toBe(false);
    expect(covered('team-registry.cn-hangzhou.cr.aliyuncs.com/ns/app')).toBe(true);
    expect(covered('docker.io/library/nginx')).toBe(false);

    expect((await runBinary('acr-node-setup', ['uninstall', ...h.kubeletArgs()])).code).toBe(0);
    expect(h.snapshot()).toEqual(before);
  });
});

describe('mirror', () => {
  it('keeps the last valid configuration when the ConfigMap is edited into an invalid one, and exits 2 with the line of the problem', async () => {
    const { h, configmap, mirrorArgs } = setup();
    expect((await runBinary('acr-node-setup', ['mirror', '--host-root', h.root, ...mirrorArgs])).code).toBe(0);
    const valid = h.read(CONFIG);
    mountVolume(
      configmap,
      { 'acr-registry-info': '- instanceId: "cri-abc123"\n  expireDuration: 12\n', 'watch-namespace': 'all' },
      2,
    );
    const result = await runBinary('acr-node-setup', ['mirror', '--host-root', h.root, ...mirrorArgs]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error \(acr-configuration, acr-registry-info, line 2/);
    expect(result.stderr).toContain('keeps the last valid configuration');
    expect(h.read(CONFIG)).toBe(valid);
  });

  it('refuses to mirror a configuration whose Secret key is missing', async () => {
    const { h, secrets, mirrorArgs } = setup();
    mountVolume(secrets, { 'other-key': 'x' }, 2);
    const result = await runBinary('acr-node-setup', ['mirror', '--host-root', h.root, ...mirrorArgs]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/team-access-key.*acr-configuration-secrets/);
    expect(h.exists(CONFIG)).toBe(false);
  });

  it('removes a mirrored Secret key the configuration no longer references', async () => {
    const { h, configmap, mirrorArgs } = setup();
    expect((await runBinary('acr-node-setup', ['mirror', '--host-root', h.root, ...mirrorArgs])).code).toBe(0);
    expect(h.exists('/etc/kubernetes/acr/secrets/team-access-key')).toBe(true);
    mountVolume(configmap, { 'acr-registry-info': '- instanceId: ""\n  regionId: cn-beijing\n' }, 2);
    const result = await runBinary('acr-node-setup', ['mirror', '--host-root', h.root, ...mirrorArgs]);
    expect(result.code).toBe(0);
    expect(h.exists('/etc/kubernetes/acr/secrets/team-access-key')).toBe(false);
  });

  it('with rrsa enabled mirrors the projected token to a 0600 file, and removes it when rrsa is turned off', async () => {
    const { h, configmap, mirrorArgs } = setup();
    const token = join(h.work, 'rrsa-token');
    writeFileSync(token, 'eyJhbGciOiJSUzI1NiJ9.projected.token');
    const rrsaInfo =
      '- instanceId: "cri-abc123"\n  regionId: "cn-hangzhou"\n  rrsaRoleARN: "acs:ram::1234567890123456:role/acr-pull"\n  rrsaOIDCProviderRoleARN: "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c123"\n';
    mountVolume(configmap, { 'acr-registry-info': rrsaInfo, rrsa: 'enable: true\n' }, 2);
    const args = ['mirror', '--host-root', h.root, ...mirrorArgs, '--rrsa-token-file', token];
    const result = await runBinary('acr-node-setup', args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('projected.token');
    expect(h.read('/etc/kubernetes/acr/rrsa/token')).toBe('eyJhbGciOiJSUzI1NiJ9.projected.token');
    expect(h.mode('/etc/kubernetes/acr/rrsa/token')).toBe(0o600);
    expect(h.mode('/etc/kubernetes/acr/rrsa')).toBe(0o700);

    mountVolume(configmap, { 'acr-registry-info': '- instanceId: ""\n  regionId: cn-beijing\n' }, 3);
    expect((await runBinary('acr-node-setup', args)).code).toBe(0);
    expect(h.exists('/etc/kubernetes/acr/rrsa/token')).toBe(false);
  });
});
