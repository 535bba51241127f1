// The node's own Alibaba Cloud identity: an AccessKey from the environment on
// nodes outside Alibaba Cloud, the ECS instance's RAM role otherwise.

import type { CloudCredentials } from './cloud-credentials.js';
import { cloudError } from './cloud-error.js';
import { fetchNodeCredentials, type MetadataOptions } from './metadata-client.js';

export const environmentCredentialVariables = {
  accessKeyId: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
  accessKeySecret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  securityToken: 'ALIBABA_CLOUD_SECURITY_TOKEN',
} as const;

function value(env: Record<string, string | undefined>, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/**
 * Credentials from ALIBABA_CLOUD_ACCESS_KEY_*, `undefined` when neither the
 * ID nor the secret is set. Only one of them set is a mistake, reported
 * rather than silently replaced by the RAM role.
 */
export function environmentCredentials(env: Record<string, string | undefined>): CloudCredentials | undefined {
  const accessKeyId = value(env, environmentCredentialVariables.accessKeyId);
  const accessKeySecret = value(env, environmentCredentialVariables.accessKeySecret);
  if (accessKeyId === undefined && accessKeySecret === undefined) return undefined;
  if (accessKeyId === undefined || accessKeySecret === undefined) {
    throw cloudError(
      {
        action: 'EnvironmentCredentials',
        identity: undefined,
        accessKeyId,
        endpoint: undefined,
        resource: undefined,
        region: undefined,
        secrets: accessKeySecret === undefined ? [] : [accessKeySecret],
      },
      {
        code: 'IncompleteEnvironmentCredentials',
        detail: `${accessKeyId === undefined ? environmentCredentialVariables.accessKeyId : environmentCredentialVariables.accessKeySecret} is not set while its pair is`,
      },
    );
  }
  return {
    accessKeyId,
    accessKeySecret,
    securityToken: value(env, environmentCredentialVariables.securityToken),
    expiresAt: undefined,
    identity: `accessKey ${accessKeyId}`,
  };
}

/** The node's identity: the environment's AccessKey if set, else the ECS RAM role from the metadata service. */
export async function nodeIdentity(
  env: Record<string, string | undefined>,
  metadata: MetadataOptions,
): Promise<CloudCredentials> {
  return environmentCredentials(env) ?? (await fetchNodeCredentials(metadata));
}
