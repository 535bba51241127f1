// Everything a cache miss needs: the configuration (YAML parser), then the
// one resolution driver with the node's caches in front of the cloud, and the
// decision kept for the hit path. Loaded lazily (a separate bundle in the
// executable): the cache-hit path never pays for the YAML parser or the
// cloud SDK.
import { ensureDirectory, writeFileAtomic } from '../cache/atomic-file.js';
import { openCacheStore, type CacheStore } from '../cache/cache-store.js';
import type { Decision, Failed } from '../cache/records.js';
import { isFresh } from '../cache/records.js';
import type { Failure } from '../common/failure.js';
import { failureFrom } from '../credentials/operator-failure.js';
import { resolveCredentials } from '../credentials/resolve-credentials.js';
import type { ResolutionObserver, ResolutionResult } from '../credentials/resolution-io.js';
import { classifyHost } from '../registry/registry-host.js';
import { decideWorkload, describeWorkload } from '../credentials/workload-identity.js';
import { nodeCloud } from './cached-cloud.js';
import { loadProviderConfiguration } from './last-valid-configuration.js';
import type { ColdPath, ColdPathInput, ColdPathResult } from './provide-credentials.js';
import { formatFailure } from './provider-error.js';

/** The failure as printed, also kept for the processes that waited on this one. */
function failed(input: ColdPathInput, store: CacheStore, failure: Failure, secrets: readonly string[]): ColdPathResult {
  const result: Failed = { exitCode: failure.exitCode, line: formatFailure(failure, secrets), at: input.now() };
  store.write('failure', input.decisionKey, result);
  return { ok: false, ...result };
}

/** What the provider says while resolving: only what an operator running at info or debug wants. */
function logging(input: ColdPathInput): ResolutionObserver {
  return {
    step(step) {
      if (step.kind === 'node-region' && step.source === 'image-host-after-metadata-failure') {
        input.logger.log(
          'info',
          `the node's region is unknown (${step.metadataCode}); using ${step.region} from the image host. Pass --region to avoid the metadata call.`,
        );
      }
    },
  };
}

function decide(
  input: ColdPathInput,
  store: CacheStore,
  result: ResolutionResult,
  thresholdSeconds: number,
  notes: string[],
): ColdPathResult {
  const { logger, image } = input;
  switch (result.kind) {
    case 'failed':
      return failed(input, store, result.failure, result.secrets);
    case 'not-served': {
      logger.log(
        'debug',
        `acr-credential-provider: ${image.host} is neither an ACR registry nor a configured domain: answering without credentials`,
      );
      const decision: Decision = { kind: 'not-served', validUntil: result.validUntil, notes };
      store.write('decision', input.decisionKey, decision);
      return { ok: true, kind: 'not-served', decision };
    }
    case 'served': {
      const { token, tokenKey, authHosts, validUntil } = result;
      if (!isFresh(token, thresholdSeconds, input.now())) {
        logger.log(
          'warn',
          `acr-credential-provider: warning: the token for ${image.host} expires within the expiring-threshold (${thresholdSeconds}s); answering with cacheDuration 0s`,
        );
      }
      const decision: Decision = {
        kind: 'token',
        tokenKey: [...tokenKey],
        authHosts,
        thresholdSeconds,
        validUntil,
        notes,
      };
      store.write('decision', input.decisionKey, decision);
      return { ok: true, kind: 'token', decision, token };
    }
  }
}

export const coldPath: ColdPath = async (input) => {
  const host = classifyHost(input.image.host);
  const store = openCacheStore(input.options.cacheDir, { writeFileAtomic, ensureDirectory });
  const prepared = store.prepare();
  if (prepared.ok) store.prune(input.now());
  else {
    input.logger.log(
      'warn',
      `acr-credential-provider: warning: the cache directory ${store.dir} is not usable (${prepared.error.code ?? 'error'}); answering without caching`,
    );
  }
  const configuration = loadProviderConfiguration(input.options.configPath, store, input.logger);
  if (!configuration.ok) return failed(input, store, { ...configuration.failure, host: host.host }, []);
  const { config, notes } = configuration.value;
  for (const note of notes) input.logger.log('warn', note);

  let nodeIo;
  try {
    nodeIo = nodeCloud(input, store, config);
  } catch (error) {
    return failed(input, store, failureFrom(error, { host: host.host }), []);
  }
  const { request } = input;
  const secrets = request.serviceAccountToken === undefined ? [] : [request.serviceAccountToken];
  const workload = decideWorkload(request, config.podIdentity, input.now());
  if (workload.kind === 'refused') {
    const { exitCode, code, message, fix } = workload;
    return failed(input, store, { exitCode, host: host.host, code, message, fix }, secrets);
  }
  if (workload.kind === 'workload') {
    input.logger.log(
      'debug',
      `acr-credential-provider: ${host.host} for ${describeWorkload(workload.identity)} (from ${workload.identity.annotation})`,
    );
  } else if (request.serviceAccountToken !== undefined) {
    input.logger.log(
      'debug',
      `acr-credential-provider: ${host.host}: the pod's ServiceAccount names no role; the node's identity answers`,
    );
  }

  const io = { ...nodeIo, ...(workload.kind === 'workload' ? { workload: workload.identity } : {}) };
  try {
    const result = await resolveCredentials(host, io, logging(input));
    return decide(input, store, result, config.expiringThresholdSeconds, notes);
  } catch (error) {
    // A bug must still end in one line naming the registry, not a stack trace.
    return failed(input, store, failureFrom(error, { host: host.host }), secrets);
  }
};

// The cold bundle's other entry points: matchImages patterns for
// acr-node-setup, and the configuration for the credential helper's `list`.
export { matchImages } from './match-images.js';
export { loadProviderConfiguration } from './last-valid-configuration.js';
export { openCacheStore } from '../cache/cache-store.js';
export { ensureDirectory, writeFileAtomic } from '../cache/atomic-file.js';
