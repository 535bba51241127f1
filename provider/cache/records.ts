// Every kind of record the provider keeps in its cache, with the check that
// accepts it on read (a record of another shape is a miss, never a misread).
// Types and guards only: the cache-hit path imports this module.

/** An ACR registry login as cached (`token`): the password is a secret. */
export interface CachedToken {
  username: string;
  password: string;
  /** epoch ms */
  expiresAt: number;
}

/**
 * What the cold path decided for one host under one configuration
 * (`decision`), kept so the next request for the host needs neither the
 * configuration parser nor the cloud: "not ours", or "the token stored under
 * `tokenKey`".
 */
export type Decision =
  | { kind: 'not-served'; validUntil: number; notes: string[] }
  | {
      kind: 'token';
      tokenKey: string[];
      authHosts: string[];
      thresholdSeconds: number;
      /** epoch ms; decisions built on instance look-ups last as long as those (a day). */
      validUntil: number;
      /** Warnings repeated on every answer, e.g. "configuration invalid, using the last valid one". */
      notes: string[];
    };

/** A failure as printed (`failure`): the one stderr line (secrets already removed), and when it happened. */
export interface Failed {
  exitCode: 1 | 2;
  line: string;
  /** epoch ms */
  at: number;
}

/** The node's RAM role credentials (`credentials`), reused while far from expiry. */
export interface StoredCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string | undefined;
  expiresAt: number;
  identity: string;
}

/** A look-up's answer (`lookup`): an instance id, a region, or an instance's domains. */
export interface StoredLookup<T> {
  value: T;
  expiresAt: number;
}

/** The last configuration file that validated (`configuration`), used while the file is invalid. */
export interface StoredConfiguration {
  text: string;
}

/** Which record each cache kind holds. */
export interface CacheRecords {
  token: CachedToken;
  decision: Decision;
  failure: Failed;
  credentials: StoredCredentials;
  lookup: StoredLookup<unknown>;
  configuration: StoredConfiguration;
}

export type CacheKind = keyof CacheRecords;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

export function isCachedToken(value: unknown): value is CachedToken {
  return (
    isObject(value) &&
    typeof value['username'] === 'string' &&
    value['username'] !== '' &&
    typeof value['password'] === 'string' &&
    value['password'] !== '' &&
    Number.isFinite(value['expiresAt'])
  );
}

/** A token is served from the cache only while it is further than the threshold from expiring. */
export function isFresh(token: CachedToken, thresholdSeconds: number, now: number): boolean {
  return token.expiresAt - thresholdSeconds * 1000 > now;
}

export function isDecision(value: unknown): value is Decision {
  if (!isObject(value) || typeof value['validUntil'] !== 'number' || !isStringArray(value['notes'])) return false;
  if (value['kind'] === 'not-served') return true;
  return (
    value['kind'] === 'token' &&
    isStringArray(value['tokenKey']) &&
    isStringArray(value['authHosts']) &&
    typeof value['thresholdSeconds'] === 'number'
  );
}

export function isFailed(value: unknown): value is Failed {
  return (
    isObject(value) &&
    (value['exitCode'] === 1 || value['exitCode'] === 2) &&
    typeof value['line'] === 'string' &&
    typeof value['at'] === 'number'
  );
}

export function isStoredCredentials(value: unknown): value is StoredCredentials {
  return (
    isObject(value) &&
    typeof value['accessKeyId'] === 'string' &&
    typeof value['accessKeySecret'] === 'string' &&
    (value['securityToken'] === undefined || typeof value['securityToken'] === 'string') &&
    typeof value['expiresAt'] === 'number' &&
    typeof value['identity'] === 'string'
  );
}

/** A stored look-up whose value `accept` takes. */
export function storedLookupOf<T>(accept: (value: unknown) => value is T) {
  return (value: unknown): value is StoredLookup<T> =>
    isObject(value) && typeof value['expiresAt'] === 'number' && accept(value['value']);
}

export function isStoredConfiguration(value: unknown): value is StoredConfiguration {
  return isObject(value) && typeof value['text'] === 'string';
}
