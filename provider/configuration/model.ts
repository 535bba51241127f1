// The `acr-configuration` ConfigMap as the project understands it, after
// parsing and validation (provider/acr-configuration.ts). Every consumer — the
// provider, kubectl-acr, node-setup — works from these types, never from the
// raw strings.

/**
 * The one Secret (in kube-system) that holds AccessKey secrets. A registry
 * entry's `customAccessKeySecretRef` names a key of it; the DaemonSet mounts
 * it and node-setup mirrors each key to `<config dir>/secrets/<key>` (0600),
 * so neither the ConfigMap nor any RBAC rule ever exposes the value.
 */
export const CONFIGURATION_SECRETS_NAME = 'acr-configuration-secrets';

/** Where an AccessKey secret lives. */
export type SecretSource =
  | { kind: 'inline' } // plain text in the ConfigMap: works, but reported as a risk
  | { kind: 'secret-ref'; key: string }; // a key of the Secret CONFIGURATION_SECRETS_NAME

/** How a registry entry obtains Alibaba Cloud credentials before any `assumeRoleARN`. */
export type CredentialSource =
  | { kind: 'node' } // the node's RAM role (ECS metadata) or ALIBABA_CLOUD_ACCESS_KEY_* off-cloud
  | { kind: 'access-key'; accessKeyId: string; secret: SecretSource; inlineSecret?: string }
  | { kind: 'rrsa'; roleArn: string; oidcProviderArn: string };

export interface AssumeRole {
  roleArn: string;
  /** STS DurationSeconds, 900–43200; the entry's `expireDuration`, default 3600. */
  durationSeconds: number;
}

interface RegistryEntryCommon {
  /** 0-based position in `acr-registry-info` (for messages). */
  index: number;
  /** `undefined` = the node's region. */
  regionId: string | undefined;
  /** `undefined` = every domain of the instance; lower-case hosts (host[:port]). */
  domains: string[] | undefined;
  credentials: CredentialSource;
  assumeRole: AssumeRole | undefined;
}

/** `instanceId: ""`: the Personal Edition registries of a region. */
export interface PersonalRegistryEntry extends RegistryEntryCommon {
  edition: 'personal';
}

/** `instanceId: cri-…`: one Enterprise Edition instance. */
export interface EnterpriseRegistryEntry extends RegistryEntryCommon {
  edition: 'enterprise';
  instanceId: string;
}

export type RegistryEntry = PersonalRegistryEntry | EnterpriseRegistryEntry;

export type NameSelection = { all: true } | { all: false; names: string[] };

export interface WebhookConfiguration {
  enabled: boolean;
  failurePolicy: 'Ignore' | 'Fail';
  timeoutSeconds: number;
}

/**
 * `pod-identity`: pods pull with their own ServiceAccount's RAM role (the
 * kubelet's ServiceAccount-token mode, RRSA) instead of the node's.
 */
export interface PodIdentityConfiguration {
  /** node-setup adds the kubelet's ServiceAccount-token provider entry; `kubectl acr configure` the nodes' RBAC. */
  enabled: boolean;
  /** The cluster's RRSA OIDC provider; a ServiceAccount's own annotation overrides it. */
  oidcProviderArn: string | undefined;
  /** A pod whose ServiceAccount names no role is refused instead of pulling with the node's identity. */
  requireRole: boolean;
}

export interface AcrConfiguration {
  /** `service-account`: `*` = all. Default `default`. */
  serviceAccounts: NameSelection;
  /** `watch-namespace`: `all` = every namespace. Default `default`. */
  watchNamespaces: NameSelection;
  /** `expiring-threshold` in seconds. Default 900 (15m). */
  expiringThresholdSeconds: number;
  /** Never empty: an empty `acr-registry-info` becomes one Personal Edition entry for the node's region. */
  registries: RegistryEntry[];
  /** True when `acr-registry-info` was empty or absent and `registries` holds the default entry. */
  registriesDefaulted: boolean;
  /** `rrsa: enable: true`. */
  rrsaEnabled: boolean;
  webhook: WebhookConfiguration;
  podIdentity: PodIdentityConfiguration;
  /** Legacy keys present (`acr-api-version`, `notify-email`, `acr-registry`): accepted and ignored. */
  ignoredKeys: string[];
  /** The ConfigMap data as read, key → value; kubectl-acr keeps keys it does not manage. */
  data: Record<string, string>;
}
