// Image references at their edges: port bounds, bracketed IPv6 registries,
// where the tag's colon may be, and userinfo only before the first slash.
import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../../provider/registry/image-reference.js';

const hostOf = (image: string) => {
  const parsed = parseImageReference(image);
  return parsed.ok ? { host: parsed.ref.host, port: parsed.ref.port, path: parsed.ref.path } : parsed.message;
};

describe('ports', () => {
  it.each([
    ['registry.example.com:1/app', { host: 'registry.example.com:1', port: 1, path: 'app' }],
    ['registry.example.com:65535/app', { host: 'registry.example.com:65535', port: 65535, path: 'app' }],
    ['registry.example.com:05000/app', { host: 'registry.example.com:5000', port: 5000, path: 'app' }],
  ])('%s', (image, expected) => {
    expect(hostOf(image)).toMatchObject(expected);
  });

  it.each([
    ['registry.example.com:0/app', '"0"'],
    ['registry.example.com:65536/app', '"65536"'],
    ['registry.example.com:123456/app', '"123456"'],
    ['registry.example.com:0x10/app', '"0x10"'],
    ['registry.example.com:/app', '""'],
    ['registry.example.com:50a/app', '"50a"'],
    ['registry.example.com:a50/app', '"a50"'],
  ])('%s has an invalid port %s', (image, shown) => {
    expect(hostOf(image)).toMatch(
      new RegExp(`has an invalid registry port ${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  });
});

describe('IPv6 registries', () => {
  it.each([
    ['[::1]:5000/app', { host: '[::1]:5000', port: 5000, path: 'app' }],
    ['[::1]/app', { host: '[::1]', port: undefined, path: 'app' }],
    ['[::]:5000/team/app', { host: '[::]:5000', port: 5000, path: 'team/app' }],
    ['[fe80::1]:443/team/app:1.0', { host: '[fe80::1]:443', port: 443, path: 'team/app' }],
  ])('%s', (image, expected) => {
    expect(hostOf(image)).toMatchObject(expected);
  });
});

describe('tags, digests and userinfo', () => {
  it.each([
    ['registry.example.com:5000/team/app:1.0', { host: 'registry.example.com:5000', path: 'team/app' }],
    ['registry.example.com/team:x/app', 'has an invalid repository path component "team:x"'],
    ['registry.example.com/app@sha256:' + 'a'.repeat(64), { host: 'registry.example.com', path: 'app' }],
  ])('%s', (image, expected) => {
    const found = hostOf(image);
    if (typeof expected === 'string') expect(found).toMatch(expected);
    else expect(found).toMatchObject(expected);
  });

  it('an @ after the first slash is a digest, not userinfo', () => {
    expect(hostOf('registry.example.com/app@notadigest')).toMatch('has an invalid digest after "@"');
  });

  it('an @ in a name without a slash is not userinfo either', () => {
    expect(hostOf('app@sha256:' + 'b'.repeat(64))).toMatchObject({ host: 'docker.io', path: 'library/app' });
  });
});

describe('what a reference is refused for, by the part that is wrong', () => {
  it.each([
    // The port starts at the first colon; a `]` later does not move it.
    ['registry.example.com:5]00/app', 'image "registry.example.com:5]00/app" has an invalid registry port "5]00"'],
    // A colon before the last slash is in the path, not a tag.
    [
      'registry.example.com/team:/app',
      'image "registry.example.com/team:/app" has an invalid repository path component "team:" (lower-case letters, digits and single . _ __ - separators)',
    ],
    ['nginx.', 'image "nginx." names a registry host but no repository path; expected host[:port]/path'],
  ])('%s', (image, message) => {
    expect(hostOf(image)).toBe(message);
  });
});
