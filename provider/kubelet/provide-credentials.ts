// One kubelet request, start to finish. The cache-hit path lives here and
// touches only the request parser, two small cache files and a stat of the
// configuration file; everything a miss needs (YAML, cloud clients, locks) is
// behind `loadColdPath`, loaded only on a miss.
import { mkdirSync, statSync } from 'node:fs';
import { formatResponse, parseRequest, type ApiVersion, type CredentialProviderRequest } from './kubelet-protocol.js';
import { parseImageReference, type ImageReference } from '../registry/image-reference.js';
import { openCacheReader, type CacheKey, type CacheReader } from '../cache/cache-store.js';
import {
  isCachedToken,
  isDecision,
  isFailed,
  isFresh,
  type CachedToken,
  type Decision,
  type Failed,
} from '../cache/records.js';
import { singleFlight } from '../cache/file-lock.js';
import { formatFailure } from './provider-error.js';
import {
  readServiceAccountToken,
  tokenRefusal,
  WORKLOAD_ANNOTATIONS,
  type ServiceAccountClaims,
} from '../credentials/service-account-token.js';
import { logs, type LogLevel, type ProviderOptions } from './provider-cli.js';

export interface Logger {
  log(level: LogLevel, message: string): void;
}

/** A logger that keeps the lines `--log-level` lets through, for one write to stderr at the end. */
export function collectingLogger(configured: LogLevel, lines: string[]): Logger {
  return {
    log: (level, message) => {
      if (logs(configured, level)) lines.push(message);
    },
  };
}

export interface ColdPathInput {
  request: CredentialProviderRequest;
  image: ImageReference;
  options: ProviderOptions;
  env: Record<string, string | undefined>;
  now: () => number;
  /** Where to store the decision for this host under this configuration and environment. */
  decisionKey: CacheKey;
  logger: Logger;
}

/** What answers a request: "not ours", or a token with the decision that says which hosts it is for. */
export type Answer =
  | { kind: 'not-served'; decision: Extract<Decision, { kind: 'not-served' }> }
  | { kind: 'token'; decision: Extract<Decision, { kind: 'token' }>; token: CachedToken };

export type ColdPathResult = ({ ok: true } & Answer) | ({ ok: false } & Failed);

export type ColdPath = (input: ColdPathInput) => Promise<ColdPathResult>;

export interface ProvideDeps {
  options: ProviderOptions;
  env: Record<string, string | undefined>;
  now: () => number;
  loadColdPath: () => Promise<ColdPath>;
}

export interface Outcome {
  exitCode: 0 | 1 | 2;
  stdout: string;
  /** Lines for stderr, already filtered by --log-level. */
  stderr: string[];
}

/**
 * The configuration file's identity without reading it: a new ConfigMap
 * mirror (written by rename) or an edit changes inode, size or times.
 */
function configurationFingerprint(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (error) {
    return `absent:${(error as NodeJS.ErrnoException).code ?? 'unknown'}`;
  }
}

/** Everything besides the host that can change which token answers a request. */
export function decisionKeyFor(
  host: string,
  options: ProviderOptions,
  env: Record<string, string | undefined>,
): CacheKey {
  return [
    host,
    configurationFingerprint(options.configPath),
    options.configPath,
    options.region ?? '',
    String(options.vpc),
    String(options.allowImdsV1),
    options.rrsaTokenFile,
    env['ACR_PROVIDER_METADATA_ENDPOINT'] ?? '',
    env['ACR_PROVIDER_CR_ENDPOINT'] ?? '',
    env['ACR_PROVIDER_STS_ENDPOINT'] ?? '',
    env['ALIBABA_CLOUD_ACCESS_KEY_ID'] ?? '',
  ];
}

/**
 * What a ServiceAccount-token request adds to the decision's key: the
 * ServiceAccount object and the role annotations, so one ServiceAccount's
 * answer is never another's (the cold path decides from these alone).
 */
export function serviceAccountKey(
  claims: ServiceAccountClaims | undefined,
  annotations: Readonly<Record<string, string>> | undefined,
): string[] {
  if (!claims) return [];
  return [
    'service-account',
    claims.issuer,
    claims.subject,
    claims.uid ?? '',
    ...WORKLOAD_ANNOTATIONS.map((key) => `${key}=${annotations?.[key] ?? ''}`),
  ];
}

function respond(apiVersion: ApiVersion, answer: Answer, now: number): string {
  if (answer.kind === 'not-served')
    return formatResponse(apiVersion, { cacheKeyType: 'Registry', cacheDurationSeconds: 0, auth: {} });
  const { decision, token } = answer;
  const auth = Object.fromEntries(
    decision.authHosts.map((host) => [host, { username: token.username, password: token.password }]),
  );
  const cacheDurationSeconds = Math.max(0, (token.expiresAt - decision.thresholdSeconds * 1000 - now) / 1000);
  return formatResponse(apiVersion, { cacheKeyType: 'Registry', cacheDurationSeconds, auth });
}

/** The cached answer for a host: a valid decision and, unless not served, a token still outside the threshold. */
export function cachedAnswer(store: CacheReader, decisionKey: CacheKey, now: number): Answer | undefined {
  const decision = store.read('decision', decisionKey, isDecision);
  if (!decision || decision.validUntil <= now) return undefined;
  if (decision.kind === 'not-served') return { kind: 'not-served', decision };
  const token = store.read('token', decision.tokenKey, isCachedToken);
  return token && isFresh(token, decision.thresholdSeconds, now) ? { kind: 'token', decision, token } : undefined;
}

/** The answer for one image: served or not, or the failure line; with what the logger let through. */
export type ImageOutcome =
  { ok: true; answer: Answer; stderr: string[] } | { ok: false; exitCode: 1 | 2; line: string; stderr: string[] };

/**
 * The credentials for one image, as the kubelet asks for them: from the
 * cache, else from the cold path under the decision's lock. The Docker
 * credential helper asks the same way, for a registry host.
 */
export async function credentialsForImage(
  request: CredentialProviderRequest,
  image: ImageReference,
  deps: ProvideDeps,
): Promise<ImageOutcome> {
  const stderr: string[] = [];
  const logger = collectingLogger(deps.options.logLevel, stderr);
  const now = deps.now();

  // A token is checked before any answer, cached or not: an expired one, or
  // one for another audience, must not be answered from a warm cache.
  let claims: ServiceAccountClaims | undefined;
  if (request.serviceAccountToken !== undefined) {
    const reading = readServiceAccountToken(request.serviceAccountToken);
    const refusal = reading.ok ? tokenRefusal(reading.claims, now) : reading;
    if (refusal) {
      const { exitCode, code, message, fix } = refusal;
      const failure = { exitCode, host: image.host, code, message, fix };
      return { ok: false, exitCode, line: formatFailure(failure, [request.serviceAccountToken]), stderr };
    }
    if (reading.ok) claims = reading.claims;
  }

  const store = openCacheReader(deps.options.cacheDir);
  const decisionKey = [
    ...decisionKeyFor(image.host, deps.options, deps.env),
    ...serviceAccountKey(claims, request.serviceAccountAnnotations),
  ];
  const cached = cachedAnswer(store, decisionKey, now);
  if (cached) {
    for (const note of cached.decision.notes) logger.log('warn', note);
    logger.log('debug', `acr-credential-provider: cache hit for ${image.host}`);
    return { ok: true, answer: cached, stderr };
  }

  // At node start many processes for one registry miss at once: one takes the
  // lock and loads the cold path, the others wait here for its answer instead
  // of each loading it (the cold path checks the directory's mode and warns).
  try {
    mkdirSync(deps.options.cacheDir, { recursive: true, mode: 0o700 });
  } catch {
    // Reported by the cold path, which still answers without a cache.
  }
  const waitingSince = deps.now();
  const result = await singleFlight<ColdPathResult>(store.lockPath('decision', decisionKey), {
    // A waiter also takes the holder's failure, if the holder failed while it
    // waited: otherwise every waiter would repeat the failing calls in turn
    // (under throttling, until the kubelet gives up on all of them).
    ready: () => {
      const answer = cachedAnswer(store, decisionKey, deps.now());
      if (answer) return { ok: true, ...answer };
      const failure = store.read('failure', decisionKey, isFailed);
      return failure && failure.at > waitingSince ? { ok: false, ...failure } : undefined;
    },
    produce: async () => {
      const coldPath = await deps.loadColdPath();
      return coldPath({ request, image, options: deps.options, env: deps.env, now: deps.now, decisionKey, logger });
    },
    onUnavailable: (error) =>
      logger.log('debug', `acr-credential-provider: no lock in ${store.dir} (${error.code ?? 'error'})`),
  });
  if (!result.ok) return { ok: false, exitCode: result.exitCode, line: result.line, stderr };
  return { ok: true, answer: result, stderr };
}

/** One kubelet request: the CredentialProviderRequest on stdin, the response for stdout. */
export async function provideCredentials(stdin: string, deps: ProvideDeps): Promise<Outcome> {
  const badRequest = (message: string): Outcome => ({
    exitCode: 2,
    stdout: '',
    stderr: [formatFailure({ exitCode: 2, message: `bad request: ${message}` })],
  });
  const parsed = parseRequest(stdin);
  if (!parsed.ok) return badRequest(parsed.message);
  const { request } = parsed;
  const reference = parseImageReference(request.image);
  if (!reference.ok) return badRequest(reference.message);
  const outcome = await credentialsForImage(request, reference.ref, deps);
  if (!outcome.ok) return { exitCode: outcome.exitCode, stdout: '', stderr: [...outcome.stderr, outcome.line] };
  return { exitCode: 0, stdout: respond(request.apiVersion, outcome.answer, deps.now()), stderr: outcome.stderr };
}
