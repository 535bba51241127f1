import { describe, expect, it } from 'vitest';
import { helperCacheDir, helperOptions, type HelperMachine } from '../../docker-credential/helper-options.js';

const laptop: HelperMachine = { env: {}, uid: 501, home: '/Users/ana', providerCacheExists: false };

describe('helperCacheDir', () => {
  it.each([
    { name: 'a user: ~/.cache', machine: laptop, dir: '/Users/ana/.cache/acr-credentials' },
    {
      name: 'a user with XDG_CACHE_HOME',
      machine: { ...laptop, env: { XDG_CACHE_HOME: '/xdg' } },
      dir: '/xdg/acr-credentials',
    },
    {
      name: 'an empty XDG_CACHE_HOME counts as unset',
      machine: { ...laptop, env: { XDG_CACHE_HOME: '' } },
      dir: '/Users/ana/.cache/acr-credentials',
    },
    {
      name: "root on a node: the provider's cache, shared",
      machine: { env: {}, uid: 0, home: '/root', providerCacheExists: true },
      dir: '/var/lib/acr-credential-provider',
    },
    {
      name: 'root where the provider is not installed: its own',
      machine: { env: {}, uid: 0, home: '/root', providerCacheExists: false },
      dir: '/root/.cache/acr-credentials',
    },
    {
      name: "another user on a node: never the provider's",
      machine: { env: {}, uid: 1000, home: '/home/ops', providerCacheExists: true },
      dir: '/home/ops/.cache/acr-credentials',
    },
    {
      name: 'no user ID (Windows): per user',
      machine: { env: {}, uid: undefined, home: 'C:\\Users\\ana', providerCacheExists: false },
      dir: 'C:\\Users\\ana/.cache/acr-credentials',
    },
    {
      name: 'an empty ACR_CREDENTIALS_CACHE_DIR counts as unset',
      machine: { ...laptop, env: { ACR_CREDENTIALS_CACHE_DIR: '' } },
      dir: '/Users/ana/.cache/acr-credentials',
    },
    {
      name: 'ACR_CREDENTIALS_CACHE_DIR wins',
      machine: { env: { ACR_CREDENTIALS_CACHE_DIR: '/tmp/c' }, uid: 0, home: '/root', providerCacheExists: true },
      dir: '/tmp/c',
    },
  ])('$name', ({ machine, dir }) => {
    expect(helperCacheDir(machine)).toBe(dir);
  });
});

describe('helperOptions', () => {
  it("defaults: the node's mirror of acr-configuration, warn, no region", () => {
    expect(helperOptions(laptop)).toEqual({
      ok: true,
      options: {
        configPath: '/etc/kubernetes/acr/acr-configuration.yaml',
        configDir: '/etc/kubernetes/acr',
        cacheDir: '/Users/ana/.cache/acr-credentials',
        region: undefined,
        logLevel: 'warn',
        vpc: false,
        allowImdsV1: false,
        rrsaTokenFile: '/etc/kubernetes/acr/rrsa/token',
      },
    });
  });

  it('takes the configuration, region and log level from the environment', () => {
    const chosen = helperOptions({
      ...laptop,
      env: {
        ACR_CREDENTIALS_CONFIG: '/home/ana/acr.yaml',
        ACR_CREDENTIALS_REGION: 'cn-shanghai',
        ACR_CREDENTIALS_LOG_LEVEL: 'debug',
      },
    });
    expect(chosen).toMatchObject({
      ok: true,
      options: { configPath: '/home/ana/acr.yaml', configDir: '/home/ana', region: 'cn-shanghai', logLevel: 'debug' },
    });
  });

  it.each([
    {
      env: { ACR_CREDENTIALS_REGION: 'hangzhou' },
      message: 'ACR_CREDENTIALS_REGION="hangzhou" is not a region ID such as cn-hangzhou',
    },
    {
      env: { ACR_CREDENTIALS_LOG_LEVEL: 'verbose' },
      message: 'ACR_CREDENTIALS_LOG_LEVEL="verbose" is not one of error, warn, info, debug',
    },
  ])('refuses $env', ({ env, message }) => {
    expect(helperOptions({ ...laptop, env })).toEqual({ ok: false, message });
  });
});
