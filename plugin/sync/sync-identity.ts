// Who the Secret sync is to Alibaba Cloud when an entry uses "the node's
// identity": in ACK with pod identity (RRSA) the pod's role, from the
// projected ServiceAccount token; else the environment's AccessKey, else the
// ECS RAM role of the node it runs on.
import { readFile } from 'node:fs/promises';
import type { CloudCredentials } from '../../provider/cloud/cloud-credentials.js';
import type { MetadataOptions } from '../../provider/cloud/metadata-client.js';
import { nodeIdentity } from '../../provider/cloud/node-identity.js';
import type { CloudContext } from '../../provider/cloud/openapi-call.js';
import { assumeRoleWithOidc } from '../../provider/cloud/sts-client.js';

/** ACK's pod-identity webhook sets these three in pods whose ServiceAccount has a RAM role. */
export const POD_IDENTITY_VARIABLES = {
  roleArn: 'ALIBABA_CLOUD_ROLE_ARN',
  oidcProviderArn: 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN',
  tokenFile: 'ALIBABA_CLOUD_OIDC_TOKEN_FILE',
} as const;

export interface PodIdentity {
  roleArn: string;
  oidcProviderArn: string;
  tokenFile: string;
}

export function podIdentity(env: Record<string, string | undefined>): PodIdentity | undefined {
  const roleArn = env[POD_IDENTITY_VARIABLES.roleArn];
  const oidcProviderArn = env[POD_IDENTITY_VARIABLES.oidcProviderArn];
  const tokenFile = env[POD_IDENTITY_VARIABLES.tokenFile];
  return roleArn && oidcProviderArn && tokenFile ? { roleArn, oidcProviderArn, tokenFile } : undefined;
}

export async function syncIdentity(
  env: Record<string, string | undefined>,
  metadata: MetadataOptions,
  cloud: CloudContext,
  region: () => Promise<string>,
): Promise<CloudCredentials> {
  const pod = podIdentity(env);
  if (!pod) return nodeIdentity(env, metadata);
  const oidcToken = (await readFile(pod.tokenFile, 'utf8')).trim();
  return assumeRoleWithOidc(
    {
      roleArn: pod.roleArn,
      oidcProviderArn: pod.oidcProviderArn,
      oidcToken,
      roleSessionName: 'kubectl-acr-sync',
      durationSeconds: 3600,
    },
    await region(),
    cloud,
  );
}
