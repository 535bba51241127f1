import { describe, expect, it } from 'vitest';
import { logs, parseCli } from '../../../provider/kubelet/provider-cli.js';

describe('parseCli', () => {
  it('defaults: documented paths, warn level, public endpoints, IMDSv2 only, RRSA token beside the configuration', () => {
    expect(parseCli([])).toEqual({
      kind: 'run',
      options: {
        configPath: '/etc/kubernetes/acr/acr-configuration.yaml',
        configDir: '/etc/kubernetes/acr',
        cacheDir: '/var/lib/acr-credential-provider',
        region: undefined,
        logLevel: 'warn',
        vpc: false,
        allowImdsV1: false,
        rrsaTokenFile: '/etc/kubernetes/acr/rrsa/token',
      },
    });
  });

  it('every flag', () => {
    const parsed = parseCli([
      '--config',
      '/x/c.yaml',
      '--cache-dir',
      '/c',
      '--region',
      'cn-shanghai-finance-1',
      '--log-level',
      'debug',
      '--vpc',
      '--allow-imdsv1',
      '--rrsa-token-file',
      '/t',
    ]);
    expect(parsed).toEqual({
      kind: 'run',
      options: {
        configPath: '/x/c.yaml',
        configDir: '/x',
        cacheDir: '/c',
        region: 'cn-shanghai-finance-1',
        logLevel: 'debug',
        vpc: true,
        allowImdsV1: true,
        rrsaTokenFile: '/t',
      },
    });
  });

  it('match-images, anywhere among the flags, takes the same flags', () => {
    const parsed = parseCli(['--config', '/x/c.yaml', 'match-images', '--region', 'cn-beijing']);
    expect(parsed).toMatchObject({ kind: 'match-images', options: { configPath: '/x/c.yaml', region: 'cn-beijing' } });
    expect(parseCli(['match-images', '--help'])).toEqual({ kind: 'help' });
  });

  it('--version wins', () => {
    expect(parseCli(['--config', '/x', '--version'])).toEqual({ kind: 'version' });
  });

  it.each([
    [['--log-level', 'verbose'], /--log-level "verbose"/],
    [['--region', 'Hangzhou'], /--region "Hangzhou"/],
    [['--config', ''], /--config needs a path/],
    [['--bogus'], /bogus/],
    [['positional'], /unexpected "positional"; the only command is match-images/],
    [['match-images', 'twice'], /unexpected "match-images" "twice"/],
  ])('%j is a usage error', (argv, message) => {
    const parsed = parseCli(argv);
    expect(parsed.kind).toBe('usage-error');
    expect(parsed.kind === 'usage-error' && parsed.message).toMatch(message);
  });

  it.each([
    ['error', 'error', true],
    ['error', 'warn', false],
    ['warn', 'info', false],
    ['debug', 'info', true],
  ] as const)('--log-level %s prints %s: %s', (configured, level, printed) => {
    expect(logs(configured, level)).toBe(printed);
  });
});
