// The kubelet's exec credential provider protocol (credentialprovider.kubelet.k8s.io).
// Knows nothing of Alibaba Cloud: it turns stdin into a typed request and a
// typed response into the exact JSON the kubelet's strict decoder accepts.

export const API_VERSIONS = [
  'credentialprovider.kubelet.k8s.io/v1',
  'credentialprovider.kubelet.k8s.io/v1beta1',
  'credentialprovider.kubelet.k8s.io/v1alpha1',
] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** The only version that carries service-account-token mode fields (Kubernetes 1.33+). */
const SERVICE_ACCOUNT_API_VERSION: ApiVersion = 'credentialprovider.kubelet.k8s.io/v1';

export interface CredentialProviderRequest {
  apiVersion: ApiVersion;
  /** registry host[:port]/path as the kubelet sends it (normally without tag or digest). */
  image: string;
  /** v1 only, service-account-token mode. A secret: never log it. */
  serviceAccountToken?: string;
  /** v1 only, the annotations the provider's tokenAttributes asked for. */
  serviceAccountAnnotations?: Record<string, string>;
}

export type RequestParse = { ok: true; request: CredentialProviderRequest } | { ok: false; message: string };

export interface AuthConfig {
  username: string;
  password: string;
}

export interface CredentialProviderResponse {
  cacheKeyType: 'Image' | 'Registry' | 'Global';
  /** `undefined` omits cacheDuration so the kubelet uses the config's defaultCacheDuration; 0 = do not cache. */
  cacheDurationSeconds?: number;
  /** kubelet match pattern (host[:port][/path], `*` per label) → credentials. */
  auth: Record<string, AuthConfig>;
}

/** Longest Go time.Duration in whole seconds; larger values would overflow the kubelet's int64 nanoseconds. */
const MAX_GO_DURATION_SECONDS = 9_223_372_036;

export function isApiVersion(value: unknown): value is ApiVersion {
  return typeof value === 'string' && (API_VERSIONS as readonly string[]).includes(value);
}

/** Values from the request shown in messages: one line, bounded, and never a field that can hold a secret. */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  // Parsed JSON has no value JSON.stringify leaves out; `typeof` covers the impossible rest.
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function fail(message: string): RequestParse {
  return { ok: false, message };
}

export function parseRequest(stdin: string): RequestParse {
  if (stdin.trim() === '') return fail('the CredentialProviderRequest on stdin is empty');
  let body: unknown;
  try {
    body = JSON.parse(stdin);
  } catch {
    // JSON.parse's own message quotes the input, which may contain the service account token.
    return fail(`the CredentialProviderRequest on stdin is not valid JSON (${stdin.length} bytes)`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail(`the CredentialProviderRequest on stdin is ${typeName(body)}, not a JSON object`);
  }
  const fields = body as Record<string, unknown>;

  const apiVersion = fields['apiVersion'];
  if (!isApiVersion(apiVersion)) {
    return fail(`apiVersion ${describe(apiVersion)} is not supported; expected one of ${API_VERSIONS.join(', ')}`);
  }
  if (fields['kind'] !== 'CredentialProviderRequest') {
    return fail(`kind ${describe(fields['kind'])} is not CredentialProviderRequest`);
  }
  const image = fields['image'];
  if (typeof image !== 'string' || image.trim() === '') {
    return fail(
      `image is ${image === undefined ? 'missing' : typeof image === 'string' ? 'empty' : typeName(image)}; expected the image to pull, e.g. registry.cn-hangzhou.aliyuncs.com/ns/app`,
    );
  }
  const request: CredentialProviderRequest = { apiVersion, image };

  // Go's encoder omits empty strings and maps, so "" and {} mean "not sent".
  const token = fields['serviceAccountToken'];
  if (token !== undefined && token !== null && token !== '') {
    if (typeof token !== 'string') return fail(`serviceAccountToken is ${typeName(token)}; expected a string`);
    if (apiVersion !== SERVICE_ACCOUNT_API_VERSION) {
      return fail(`serviceAccountToken is only defined in ${SERVICE_ACCOUNT_API_VERSION}, not in ${apiVersion}`);
    }
    request.serviceAccountToken = token;
  }
  const annotations = fields['serviceAccountAnnotations'];
  if (annotations !== undefined && annotations !== null) {
    if (typeof annotations !== 'object' || Array.isArray(annotations)) {
      return fail(`serviceAccountAnnotations is ${typeName(annotations)}; expected a map of strings`);
    }
    const entries = Object.entries(annotations as Record<string, unknown>);
    if (entries.length > 0) {
      if (apiVersion !== SERVICE_ACCOUNT_API_VERSION) {
        return fail(
          `serviceAccountAnnotations is only defined in ${SERVICE_ACCOUNT_API_VERSION}, not in ${apiVersion}`,
        );
      }
      const wrong = entries.find(([, value]) => typeof value !== 'string');
      if (wrong)
        return fail(`serviceAccountAnnotations[${describe(wrong[0])}] is ${typeName(wrong[1])}; expected a string`);
      request.serviceAccountAnnotations = Object.fromEntries(entries) as Record<string, string>;
    }
  }
  return { ok: true, request };
}

/** Go duration string in whole seconds: floored, never negative, NaN treated as "do not cache". */
export function formatCacheDuration(seconds: number): string {
  const whole = Number.isNaN(seconds) ? 0 : Math.min(MAX_GO_DURATION_SECONDS, Math.max(0, Math.floor(seconds)));
  return `${whole}s`;
}

/** The kubelet decodes strictly: any field it does not know fails the whole pull, so only known fields are written. */
export function formatResponse(apiVersion: ApiVersion, response: CredentialProviderResponse): string {
  const auth: Record<string, AuthConfig> = {};
  for (const [pattern, config] of Object.entries(response.auth)) {
    auth[pattern] = { username: config.username, password: config.password };
  }
  return JSON.stringify({
    kind: 'CredentialProviderResponse',
    apiVersion,
    cacheKeyType: response.cacheKeyType,
    ...(response.cacheDurationSeconds === undefined
      ? {}
      : { cacheDuration: formatCacheDuration(response.cacheDurationSeconds) }),
    auth,
  });
}
