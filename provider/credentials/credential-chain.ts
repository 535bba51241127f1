// The Alibaba Cloud credentials one `acr-registry-info` entry calls ACR with:
// its own AccessKey, its RRSA role, or the node's identity — then its
// assumeRoleARN on top when set. Loads the cloud clients: import this module
// lazily, only when a token has to be fetched.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CloudCredentials } from '../cloud/cloud-credentials.js';
import { CloudError, cloudError, type CloudAction, type LocalFailureCode } from '../cloud/cloud-error.js';
import type { CloudContext } from '../cloud/openapi-call.js';
import { assumeRole, assumeRoleWithOidc } from '../cloud/sts-client.js';
import type { RegistryEntry } from '../configuration/model.js';
import { describeWorkload, workloadSessionName, workloadStsFix, type WorkloadIdentity } from './workload-identity.js';

export interface CredentialContext {
  cloud: CloudContext;
  /** The region of STS calls for entries without `regionId`: the node's region. */
  defaultRegion: string;
  /** Where node-setup mirrors the Secrets that `secret-ref` entries name (one file per Secret, 0600). */
  secretsDir: string;
  /** The projected ServiceAccount token RRSA exchanges. */
  rrsaTokenFile: string;
  /** The node's identity; the caller fetches it lazily and may cache it across entries. */
  nodeCredentials: () => Promise<CloudCredentials>;
  /** STS RoleSessionName, visible in the ActionTrail of the role's account. */
  roleSessionName?: string;
}

export const defaultRoleSessionName = 'acr-credential-provider';
// RRSA has no duration setting in acr-configuration; one hour matches the ACR token.
const rrsaDurationSeconds = 3600;

/**
 * A pod's own credentials: its ServiceAccount token exchanged for its role.
 * A refusal keeps STS's code and request ID, with the fix an operator of
 * that workload needs (the trust policy condition on its subject).
 */
export async function workloadCredentials(
  identity: WorkloadIdentity,
  region: string,
  ctx: Pick<CredentialContext, 'cloud'>,
): Promise<CloudCredentials> {
  try {
    const credentials = await assumeRoleWithOidc(
      {
        oidcProviderArn: identity.oidcProviderArn,
        roleArn: identity.roleArn,
        oidcToken: identity.token,
        roleSessionName: workloadSessionName(identity.claims),
        durationSeconds: rrsaDurationSeconds,
      },
      region,
      ctx.cloud,
    );
    return { ...credentials, identity: describeWorkload(identity) };
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    const { failure } = error;
    throw new CloudError({ ...failure, fix: workloadStsFix(failure.code, failure.message, identity) });
  }
}

/** Reads a file holding one secret value; a missing or empty file is a {@link CloudError} naming the path and the fix. */
async function readSecretFile(
  path: string,
  action: CloudAction,
  code: LocalFailureCode,
  accessKeyId: string | undefined,
): Promise<string> {
  const fail = (detail: string) =>
    cloudError(
      { action, identity: undefined, accessKeyId, endpoint: undefined, resource: path, region: undefined, secrets: [] },
      { code, detail },
    );
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code ?? 'error'})`);
  }
  const value = content.trim();
  if (value === '') throw fail('the file is empty');
  return value;
}

async function baseCredentials(
  entry: RegistryEntry,
  region: string,
  ctx: CredentialContext,
): Promise<CloudCredentials> {
  const source = entry.credentials;
  switch (source.kind) {
    case 'node':
      return ctx.nodeCredentials();
    case 'access-key': {
      let secret: string;
      if (source.secret.kind === 'secret-ref') {
        secret = await readSecretFile(
          join(ctx.secretsDir, source.secret.key),
          'ReadAccessKeySecret',
          'SecretFileMissing',
          source.accessKeyId,
        );
      } else if (source.inlineSecret !== undefined && source.inlineSecret !== '') {
        secret = source.inlineSecret;
      } else {
        throw cloudError(
          {
            action: 'ReadAccessKeySecret',
            identity: undefined,
            accessKeyId: source.accessKeyId,
            endpoint: undefined,
            resource: `acr-registry-info entry ${entry.index}`,
            region,
            secrets: [],
          },
          {
            code: 'SecretMissing',
            detail: `entry ${entry.index} names customAccessKey ${source.accessKeyId} without a secret`,
          },
        );
      }
      return {
        accessKeyId: source.accessKeyId,
        accessKeySecret: secret,
        securityToken: undefined,
        expiresAt: undefined,
        identity: `accessKey ${source.accessKeyId}`,
      };
    }
    case 'rrsa': {
      const oidcToken = await readSecretFile(ctx.rrsaTokenFile, 'ReadOidcToken', 'OidcTokenFileMissing', undefined);
      return assumeRoleWithOidc(
        {
          oidcProviderArn: source.oidcProviderArn,
          roleArn: source.roleArn,
          oidcToken,
          roleSessionName: ctx.roleSessionName ?? defaultRoleSessionName,
          durationSeconds: rrsaDurationSeconds,
        },
        region,
        ctx.cloud,
      );
    }
  }
}

/** The credentials `entry` starts from, before any `assumeRoleARN`. */
export function entryBaseCredentials(entry: RegistryEntry, ctx: CredentialContext): Promise<CloudCredentials> {
  return baseCredentials(entry, entry.regionId ?? ctx.defaultRegion, ctx);
}

/** `base` with the entry's `assumeRoleARN` assumed on top; `base` itself when the entry sets none. */
export async function assumeEntryRole(
  entry: RegistryEntry,
  base: CloudCredentials,
  ctx: CredentialContext,
): Promise<CloudCredentials> {
  if (entry.assumeRole === undefined) return base;
  return assumeRole(
    base,
    {
      roleArn: entry.assumeRole.roleArn,
      roleSessionName: ctx.roleSessionName ?? defaultRoleSessionName,
      durationSeconds: entry.assumeRole.durationSeconds,
    },
    entry.regionId ?? ctx.defaultRegion,
    ctx.cloud,
  );
}

/** The credentials to call ACR with for `entry`. */
export async function credentialsForEntry(entry: RegistryEntry, ctx: CredentialContext): Promise<CloudCredentials> {
  return assumeEntryRole(entry, await entryBaseCredentials(entry, ctx), ctx);
}
