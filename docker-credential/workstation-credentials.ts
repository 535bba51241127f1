// The credentials people already have where they run docker, skopeo or
// podman: @alicloud/credentials' default chain (ALIBABA_CLOUD_* variables,
// an RRSA pod's OIDC variables, the aliyun CLI's profile, the shared
// ~/.alibabacloud/credentials file). The ECS RAM role is left to the
// provider's own metadata client (endpoint overrides, IMDSv2, its cache).
import { join } from 'node:path';
import { environmentCredentialVariables } from '../provider/cloud/node-identity.js';

type Env = Record<string, string | undefined>;

/** The variables the chain reads a source from. */
const CHAIN_VARIABLES = [
  environmentCredentialVariables.accessKeyId,
  'ALIBABA_CLOUD_ROLE_ARN',
  'ALIBABA_CLOUD_CREDENTIALS_URI',
  'ALIBABA_CLOUD_CREDENTIALS_FILE',
];

/**
 * Whether any source of the chain is there: its variables, the aliyun CLI's
 * config or the shared credentials file. Loading the library costs a `get`
 * about 50 ms, and on a node, where none of them is, nothing.
 */
export function chainSourcesPresent(env: Env, home: string, exists: (path: string) => boolean): boolean {
  return (
    CHAIN_VARIABLES.some((name) => (env[name] ?? '') !== '') ||
    exists(join(home, '.aliyun', 'config.json')) ||
    exists(join(home, '.alibabacloud', 'credentials'))
  );
}

/**
 * The environment the provider's chain sees: the found credentials as the
 * node's AccessKey variables, so every key and every message names them as
 * the provider names a node's AccessKey. Unchanged when the chain finds none.
 */
export async function withWorkstationCredentials(env: Env): Promise<Env> {
  // The chain reads process.env itself; the metadata service is ours to ask.
  process.env['ALIBABA_CLOUD_ECS_METADATA_DISABLED'] = 'true';
  const { DefaultCredentialsProvider } = await import('@alicloud/credentials');
  let found;
  try {
    found = await DefaultCredentialsProvider.builder().build().getCredentials();
  } catch {
    // Nothing configured here: the node's identity (the ECS RAM role) answers.
    return env;
  }
  return {
    ...env,
    [environmentCredentialVariables.accessKeyId]: found.accessKeyId,
    [environmentCredentialVariables.accessKeySecret]: found.accessKeySecret,
    [environmentCredentialVariables.securityToken]: found.securityToken,
  };
}
