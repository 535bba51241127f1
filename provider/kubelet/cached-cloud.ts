// The provider's edges for the resolution driver: every answer the cloud
// gives is kept in the node's cache, and concurrent invocations share one
// token fetch per key under a lock.
import { join } from 'node:path';
import type { CacheStore } from '../cache/cache-store.js';
import { singleFlight } from '../cache/file-lock.js';
import { isCachedToken, isFresh, isStoredCredentials, storedLookupOf } from '../cache/records.js';
import type { CloudCredentials } from '../cloud/cloud-credentials.js';
import type { AcrToken } from '../cloud/cr-client.js';
import { fetchNodeCredentials, fetchNodeRegion, type MetadataOptions } from '../cloud/metadata-client.js';
import { environmentCredentials } from '../cloud/node-identity.js';
import type { CloudContext } from '../cloud/openapi-call.js';
import { endpointsFromEnvironment } from '../cloud/endpoints.js';
import { startBudget } from '../cloud/retry.js';
import { SECRETS_DIR_NAME } from '../common/paths.js';
import type { AcrConfiguration } from '../configuration/model.js';
import type { ResolutionIo } from '../credentials/resolution-io.js';
import type { ColdPathInput } from './provide-credentials.js';
import type { ProviderOptions } from './provider-cli.js';
import { LOOKUP_LIFETIME_MS } from '../credentials/resolve-credentials.js';

/** Node credentials are reused while they outlive the token threshold by this much. */
const CREDENTIAL_MARGIN_MS = 5 * 60 * 1000;

/** What the caches need of the caller: the provider's invocation, or the Secret sync's process. */
export type CachedCloudInput = Pick<ColdPathInput, 'env' | 'now' | 'logger'> & {
  options: Pick<ProviderOptions, 'region' | 'vpc' | 'configDir' | 'rrsaTokenFile'>;
};

export interface CachedCloud {
  input: CachedCloudInput;
  store: CacheStore;
  config: AcrConfiguration;
  cloud: CloudContext;
  metadata: MetadataOptions;
}

/** The node's RAM role credentials, from the cache while they are far from expiry. */
async function nodeCredentials({ input, store, config, metadata }: CachedCloud): Promise<CloudCredentials> {
  const fromEnvironment = environmentCredentials(input.env);
  if (fromEnvironment) return fromEnvironment;
  const key = ['node-credentials', metadata.baseUrl, String(metadata.allowImdsV1)];
  const stored = store.read('credentials', key, isStoredCredentials);
  const marginMs = config.expiringThresholdSeconds * 1000 + CREDENTIAL_MARGIN_MS;
  if (stored && stored.expiresAt - marginMs > input.now()) return stored;
  const credentials = await fetchNodeCredentials(metadata);
  if (credentials.expiresAt !== undefined) {
    store.write('credentials', key, { ...credentials, expiresAt: credentials.expiresAt });
  }
  return credentials;
}

export function cachedCloud(cached: CachedCloud): ResolutionIo {
  const { input, store, config, cloud, metadata } = cached;
  const { now, logger, options } = input;
  const threshold = config.expiringThresholdSeconds;
  return {
    config,
    env: input.env,
    cloud,
    region: options.region,
    vpc: options.vpc,
    secretsDir: join(options.configDir, SECRETS_DIR_NAME),
    rrsaTokenFile: options.rrsaTokenFile,
    metadataBaseUrl: metadata.baseUrl,
    now,
    nodeCredentials: () => nodeCredentials(cached),
    metadataRegion: () => fetchNodeRegion(metadata),
    async remember(key, accept, fetch) {
      const stored = store.read('lookup', key, storedLookupOf(accept));
      if (stored && stored.expiresAt > now()) return stored;
      const fresh = { value: await fetch(), expiresAt: now() + LOOKUP_LIFETIME_MS };
      if (fresh.value !== undefined) store.write('lookup', key, fresh);
      return fresh;
    },
    token: (key, fetch): Promise<AcrToken> =>
      singleFlight(store.lockPath('token', key), {
        ready: () => {
          const token = store.read('token', key, isCachedToken);
          return token && isFresh(token, threshold, now()) ? token : undefined;
        },
        produce: async () => {
          const fetched = await fetch();
          const token = { username: fetched.username, password: fetched.password, expiresAt: fetched.expiresAt };
          const written = store.write('token', key, token);
          if (!written.ok) {
            const code = written.error.code ?? 'error';
            logger.log(
              'warn',
              `acr-credential-provider: warning: cannot cache the token in ${store.dir} (${code}); every pull will fetch a new one`,
            );
          }
          return token;
        },
        onUnavailable: (error) =>
          logger.log(
            'debug',
            `acr-credential-provider: no lock in ${store.dir} (${error.code ?? 'error'}); fetching without coordination`,
          ),
      }),
  };
}

/**
 * The node's edges for one run of the provider (a kubelet request or
 * `match-images`): the endpoints (throws on a bad override), one retry
 * budget for every call, the metadata service, the node's caches.
 */
export function nodeCloud(
  input: CachedCloudInput & { options: Pick<ProviderOptions, 'allowImdsV1'> },
  store: CacheStore,
  config: AcrConfiguration,
): ResolutionIo {
  const endpoints = endpointsFromEnvironment(input.env, { vpc: input.options.vpc });
  const budget = startBudget();
  const metadata = { baseUrl: endpoints.metadataBaseUrl, allowImdsV1: input.options.allowImdsV1, budget };
  return cachedCloud({ input, store, config, cloud: { endpoints, budget }, metadata });
}
