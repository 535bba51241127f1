// Where the parts meet on a node: node setup writes these paths, the provider
// reads them, kubectl-acr names them in its advice.

/** node setup mirrors acr-configuration here. */
export const ACR_DIR = '/etc/kubernetes/acr';
/** The ConfigMap's `data` as a YAML map: the provider's default `--config`. */
export const DEFAULT_CONFIG_PATH = `${ACR_DIR}/acr-configuration.yaml`;
/** Beside the configuration: one file per key of the Secret kube-system/acr-configuration-secrets. */
export const SECRETS_DIR_NAME = 'secrets';
/** Beside the configuration: the projected ServiceAccount token RRSA exchanges. */
export const RRSA_TOKEN_PATH = 'rrsa/token';
/** The provider's on-disk cache: the default `--cache-dir`. */
export const DEFAULT_CACHE_DIR = '/var/lib/acr-credential-provider';
/** Written by node setup once the provider is installed and the configuration current; its readiness probe. */
export const NODE_SETUP_READY_FILE = '/run/acr-node-setup/ready';
/** Where ACK's pod identity (RRSA) projects a pod's OIDC token, unless ALIBABA_CLOUD_OIDC_TOKEN_FILE says otherwise. */
export const ACK_RRSA_TOKEN_FILE = '/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token';
