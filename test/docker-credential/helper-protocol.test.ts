import { describe, expect, it } from 'vitest';
import {
  getAnswer,
  listAnswer,
  NOT_FOUND,
  parseHelperArgs,
  registryAuthority,
} from '../../docker-credential/helper-protocol.js';

describe('parseHelperArgs', () => {
  it.each([
    { args: ['get'], call: { kind: 'verb', verb: 'get' } },
    { args: ['list'], call: { kind: 'verb', verb: 'list' } },
    { args: ['store'], call: { kind: 'verb', verb: 'store' } },
    { args: ['erase'], call: { kind: 'verb', verb: 'erase' } },
    { args: ['version'], call: { kind: 'verb', verb: 'version' } },
    { args: ['--version'], call: { kind: 'verb', verb: 'version' } },
    { args: ['--help'], call: { kind: 'help' } },
    { args: ['-h'], call: { kind: 'help' } },
    { args: ['help'], call: { kind: 'help' } },
    { args: [], call: { kind: 'usage-error', message: 'name a verb' } },
    {
      args: ['login'],
      call: { kind: 'usage-error', message: '"login" is not a verb of the credential-helper protocol' },
    },
    {
      args: ['get', 'registry.example.com'],
      call: { kind: 'usage-error', message: 'get takes no arguments (its input is on stdin)' },
    },
  ])('$args', ({ args, call }) => {
    expect(parseHelperArgs(args)).toEqual(call);
  });
});

describe('registryAuthority: the host[:port] a client means', () => {
  it.each([
    { sent: 'acme-registry.cn-hangzhou.cr.aliyuncs.com', authority: 'acme-registry.cn-hangzhou.cr.aliyuncs.com' },
    { sent: 'acme-registry.cn-hangzhou.cr.aliyuncs.com\n', authority: 'acme-registry.cn-hangzhou.cr.aliyuncs.com' },
    {
      sent: 'https://acme-registry.cn-hangzhou.cr.aliyuncs.com',
      authority: 'acme-registry.cn-hangzhou.cr.aliyuncs.com',
    },
    { sent: 'https://index.docker.io/v1/', authority: 'index.docker.io' },
    { sent: 'ACME-Registry.CN-Hangzhou.cr.aliyuncs.com/v2/', authority: 'acme-registry.cn-hangzhou.cr.aliyuncs.com' },
    { sent: 'registry.example.com:5000', authority: 'registry.example.com:5000' },
    { sent: 'http://127.0.0.1:5000/v2/', authority: '127.0.0.1:5000' },
    { sent: 'https://registry.example.com:443', authority: 'registry.example.com' },
    { sent: 'oci://registry.example.com:8443/x', authority: 'registry.example.com:8443' },
    { sent: 'HTTPS://Registry.Example.com/v2/', authority: 'registry.example.com' },
  ])('$sent', ({ sent, authority }) => {
    expect(registryAuthority(sent)).toEqual({ ok: true, authority });
  });

  it.each([
    { sent: '', message: 'no server URL on stdin' },
    { sent: '  \n', message: 'no server URL on stdin' },
    { sent: 'https://', message: '"https://" is not a registry host or URL' },
    { sent: 'exa mple.com', message: '"exa mple.com" is not a registry host or URL' },
    { sent: 'file:///var/run/registry', message: '"file:///var/run/registry" names no host' },
  ])('refuses $sent', ({ sent, message }) => {
    expect(registryAuthority(sent)).toEqual({ ok: false, message });
  });
});

describe('answers', () => {
  it('get echoes the server URL as sent (trimmed) with the user name and secret', () => {
    expect(JSON.parse(getAnswer('https://r.example.com/v1/\n', 'cr_temp_user', 's3cret'))).toEqual({
      ServerURL: 'https://r.example.com/v1/',
      Username: 'cr_temp_user',
      Secret: 's3cret',
    });
  });

  it('list maps each host to the user name', () => {
    expect(JSON.parse(listAnswer(['a.example.com', 'b.example.com:5000'], 'cr_temp_user'))).toEqual({
      'a.example.com': 'cr_temp_user',
      'b.example.com:5000': 'cr_temp_user',
    });
    expect(listAnswer([], 'u')).toBe('{}\n');
  });

  it("uses the protocol's own not-found message, which clients treat as anonymous", () => {
    expect(NOT_FOUND).toBe('credentials not found in native keychain');
  });
});
