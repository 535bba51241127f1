// `acr-credential-provider match-images`: the kubelet matchImages patterns
// for this node's configuration, including every custom domain of the
// configured Enterprise instances that `domains` does not list (looked up
// with ListInstanceEndpoint as the entry's identity, in the provider's own
// cache). acr-node-setup writes them into the kubelet's config, so a custom
// domain reaches the provider without anyone listing it.
import { ensureDirectory, writeFileAtomic } from '../cache/atomic-file.js';
import { openCacheStore } from '../cache/cache-store.js';
import type { Failure } from '../common/failure.js';
import { failureFrom } from '../credentials/operator-failure.js';
import { resolveEntryHosts } from '../credentials/resolve-credentials.js';
import { domainsUnlisted, isCustomDomain, listedCustomDomains, matchImagesFor } from '../registry/image-match.js';
import { nodeCloud, type CachedCloudInput } from './cached-cloud.js';
import { loadProviderConfiguration } from './last-valid-configuration.js';
import { formatFailure } from './provider-error.js';
import type { ProviderOptions } from './provider-cli.js';
import type { Outcome } from './provide-credentials.js';

export interface MatchImagesReport {
  /** The patterns for the kubelet: ACR's own, then every custom domain. */
  matchImages: string[];
  /** Custom domains: listed in `domains`, or found on the instances. */
  customDomains: string[];
  /** Entries whose domains could not be looked up (their listed domains still count). */
  failures: Failure[];
}

export type MatchImages = (input: CachedCloudInput & { options: ProviderOptions }) => Promise<Outcome>;

export const matchImages: MatchImages = async (input) => {
  const store = openCacheStore(input.options.cacheDir, { writeFileAtomic, ensureDirectory });
  store.prepare();
  const configuration = loadProviderConfiguration(input.options.configPath, store, input.logger);
  if (!configuration.ok)
    return { exitCode: configuration.failure.exitCode, stdout: '', stderr: [formatFailure(configuration.failure)] };
  const { config } = configuration.value;
  let io;
  try {
    io = nodeCloud(input, store, config);
  } catch (error) {
    const failure = failureFrom(error, {});
    return { exitCode: failure.exitCode, stdout: '', stderr: [formatFailure(failure)] };
  }

  const domains = listedCustomDomains(config);
  const failures: Failure[] = [];
  const secrets: string[] = [];
  for (const entry of config.registries.filter(domainsUnlisted)) {
    try {
      const found = await resolveEntryHosts(entry, io);
      if (found.kind === 'hosts') domains.push(...found.hosts.filter(isCustomDomain));
      else {
        failures.push(found.failure);
        secrets.push(...found.secrets);
      }
    } catch (error) {
      failures.push(failureFrom(error, { instance: entry.edition === 'enterprise' ? entry.instanceId : undefined }));
    }
  }
  const customDomains = [...new Set(domains.map((d) => d.toLowerCase()))].sort();
  const report: MatchImagesReport = { matchImages: matchImagesFor(customDomains), customDomains, failures };
  return {
    exitCode: failures.length > 0 ? 1 : 0,
    stdout: `${JSON.stringify(report)}\n`,
    stderr: failures.map((failure) => formatFailure(failure, secrets)),
  };
};
