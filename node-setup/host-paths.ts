// Where everything lives on the node. Paths are absolute as the kubelet sees
// them; `onHost` maps them under --host-root, which is `/host` in the
// DaemonSet and a temporary directory in the tests.
import { join } from 'node:path';
import { ACR_DIR, RRSA_TOKEN_PATH, SECRETS_DIR_NAME } from '../provider/common/paths.js';

export const DEFAULT_BIN_DIR = '/etc/kubernetes/credential-provider';
/** Our own CredentialProviderConfig when the kubelet has none (kubelet < 1.34: one file). */
export const OWN_PROVIDER_CONFIG_FILE = '/etc/kubernetes/credential-provider-config.yaml';
/** Our own config directory when the kubelet has none and reads directories (1.34+): others can add files beside ours. */
export const OWN_PROVIDER_CONFIG_DIR = '/etc/kubernetes/credential-provider-config.d';
/** The name of our file inside a config directory (the kubelet reads *.yaml, *.yml, *.json in lexical order). */
export const PROVIDER_CONFIG_FILE_IN_DIR = 'acr-credential-provider.yaml';

export const ACR_SECRETS_DIR = join(ACR_DIR, SECRETS_DIR_NAME);
export const ACR_RRSA_TOKEN_FILE = join(ACR_DIR, RRSA_TOKEN_PATH);
/** The journal of every change install and mirror made, with the original bytes (for rollback and uninstall). */
export const STATE_DIR = '/var/lib/acr-node-setup';

export function onHost(hostRoot: string, path: string): string {
  return join(hostRoot, path);
}
