// The kubelet's own validation of a CredentialProviderConfig
// (pkg/credentialprovider/plugin/config.go, validateCredentialProviderConfig
// and validateServiceAccountAnnotationKeys), restated rule by rule so tests
// can hold what node-setup writes to what the kubelet accepts. The kubelet
// refuses to start when any rule fails.

const API_VERSIONS = [
  'credentialprovider.kubelet.k8s.io/v1',
  'credentialprovider.kubelet.k8s.io/v1beta1',
  'credentialprovider.kubelet.k8s.io/v1alpha1',
];
const CACHE_TYPES = ['ServiceAccount', 'Token'];
// apimachinery IsQualifiedName: optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters.
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

interface Provider {
  name?: string;
  apiVersion?: string;
  matchImages?: string[];
  defaultCacheDuration?: string;
  tokenAttributes?: {
    serviceAccountTokenAudience?: string;
    requireServiceAccount?: boolean;
    cacheType?: string;
    requiredServiceAccountAnnotationKeys?: string[];
    optionalServiceAccountAnnotationKeys?: string[];
  };
}

function annotationKeyErrors(path: string, keys: string[]): string[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    const [prefix, name] = key.includes('/') ? key.split('/', 2) : ['', key];
    if (!QUALIFIED_NAME.test(key.toLowerCase()) || (prefix ?? '').length > 253 || (name ?? '').length > 63)
      errors.push(`${path}: invalid ${key}`);
    if (seen.has(key)) errors.push(`${path}: duplicate ${key}`);
    seen.add(key);
  }
  return errors;
}

/** The kubelet's refusals of `config`, with the ServiceAccount-token feature gate on or off; [] when it accepts it. */
export function kubeletConfigErrors(config: { providers?: Provider[] }, tokenGateEnabled: boolean): string[] {
  const errors: string[] = [];
  const providers = config.providers ?? [];
  if (providers.length === 0) errors.push('providers: at least 1 item in plugins is required');
  const names = new Set<string>();
  for (const p of providers) {
    const name = p.name ?? '';
    if (name.includes('/')) errors.push(`providers.name: ${name} cannot contain '/'`);
    if (name.includes(' ')) errors.push(`providers.name: ${name} cannot contain spaces`);
    if (name === '.' || name === '..') errors.push(`providers.name: cannot be ${name}`);
    if (names.has(name)) errors.push(`providers.name: duplicate ${name}`);
    names.add(name);
    if (!p.apiVersion) errors.push('providers.apiVersion: required');
    else if (!API_VERSIONS.includes(p.apiVersion)) errors.push(`providers.apiVersion: ${p.apiVersion} not supported`);
    if (!p.matchImages || p.matchImages.length === 0) errors.push('providers.matchImages: at least 1 item is required');
    if (p.defaultCacheDuration === undefined) errors.push('providers.defaultCacheDuration: required');
    else if (p.defaultCacheDuration.startsWith('-')) errors.push('providers.defaultCacheDuration: must be >= 0');
    const t = p.tokenAttributes;
    if (!t) continue;
    if (!tokenGateEnabled)
      errors.push(
        'providers.tokenAttributes: tokenAttributes is not supported when KubeletServiceAccountTokenForCredentialProviders feature gate is disabled',
      );
    if (!t.serviceAccountTokenAudience) errors.push('providers.tokenAttributes.serviceAccountTokenAudience: required');
    if (t.requireServiceAccount === undefined) errors.push('providers.tokenAttributes.requireServiceAccount: required');
    if (p.apiVersion !== 'credentialprovider.kubelet.k8s.io/v1')
      errors.push('providers.tokenAttributes: only supported for credentialprovider.kubelet.k8s.io/v1');
    const required = t.requiredServiceAccountAnnotationKeys ?? [];
    const optional = t.optionalServiceAccountAnnotationKeys ?? [];
    if (t.requireServiceAccount === false && required.length > 0)
      errors.push(
        'providers.tokenAttributes.requiredServiceAccountAnnotationKeys: requireServiceAccount cannot be false',
      );
    errors.push(...annotationKeyErrors('requiredServiceAccountAnnotationKeys', required));
    errors.push(...annotationKeyErrors('optionalServiceAccountAnnotationKeys', optional));
    if (required.some((k) => optional.includes(k)))
      errors.push('providers.tokenAttributes: annotation keys cannot be both required and optional');
    if (!t.cacheType) errors.push('providers.tokenAttributes.cacheType: required');
    else if (!CACHE_TYPES.includes(t.cacheType)) errors.push(`providers.tokenAttributes.cacheType: ${t.cacheType}`);
  }
  return errors;
}
