// Edits of one acr-registry-info entry as `kubectl acr configure` flags ask
// for them: select the entry, change its fields and credentials, or add it;
// AccessKey secrets move into the Secret, never stay in the ConfigMap.
import type { Problem } from '../../provider/common/problem.js';
import type { CredentialSource, RegistryEntry } from '../../provider/configuration/model.js';

/** Which registry entry a command addresses: an Enterprise instance, or the Personal Edition of a region. */
export type RegistrySelector =
  | { edition: 'enterprise'; instanceId: string; regionId: string | undefined }
  | { edition: 'personal'; regionId: string | undefined };

/** `undefined` leaves a field as it is; `''` clears it. */
export interface RegistryFieldEdits {
  domains?: string;
  assumeRoleArn?: string;
  /** Seconds as the user typed them. */
  expireDuration?: string;
  rrsaRoleArn?: string;
  rrsaOidcProviderArn?: string;
  /** `''` returns the entry to the node's own credentials. */
  accessKeyId?: string;
  /** Read from stdin or a file by the command; never from a flag value. */
  accessKeySecret?: string;
}

export type RegistryEdit =
  | { action: 'upsert'; select: RegistrySelector; fields: RegistryFieldEdits }
  | { action: 'remove'; select: RegistrySelector };

/** Secret key for an entry's AccessKey secret: `access-key-<instanceId>` or `access-key-personal[-<region>]`. */
export function accessKeySecretKey(select: RegistrySelector): string {
  if (select.edition === 'enterprise') return `access-key-${select.instanceId}`;
  return select.regionId ? `access-key-personal-${select.regionId}` : 'access-key-personal';
}

export function selectorOf(entry: RegistryEntry): RegistrySelector {
  return entry.edition === 'enterprise'
    ? { edition: 'enterprise', instanceId: entry.instanceId, regionId: entry.regionId }
    : { edition: 'personal', regionId: entry.regionId };
}

/** Enterprise instance IDs are global, so the region does not take part; Personal Edition is one per region. */
export function matches(entry: RegistryEntry, select: RegistrySelector): boolean {
  if (select.edition === 'enterprise') return entry.edition === 'enterprise' && entry.instanceId === select.instanceId;
  return entry.edition === 'personal' && entry.regionId === select.regionId;
}

export function describe(select: RegistrySelector): string {
  const region = select.regionId ? ` in ${select.regionId}` : " in the node's region";
  return select.edition === 'enterprise' ? `instance ${select.instanceId}` : `Personal Edition${region}`;
}

export function usage(message: string, fix: string, key = 'acr-registry-info'): Problem {
  return { severity: 'error', code: 'invalid-flag', key, message, fix };
}

export function emptyToUndefined(value: string): string | undefined {
  return value.trim() === '' ? undefined : value.trim();
}

/** Applies the field edits to one entry; the parser validates the values afterwards. */
export function editEntry(
  entry: RegistryEntry,
  fields: RegistryFieldEdits,
  secrets: Record<string, string>,
  problems: Problem[],
): RegistryEntry {
  const next: RegistryEntry = { ...entry };
  if (fields.domains !== undefined) {
    const domains = fields.domains
      .split(',')
      .map((domain) => domain.trim().toLowerCase())
      .filter((domain) => domain !== '');
    next.domains = domains.length > 0 ? domains : undefined;
  }

  let durationSeconds = entry.assumeRole?.durationSeconds;
  if (fields.expireDuration !== undefined) {
    if (!/^\d+$/.test(fields.expireDuration.trim())) {
      problems.push(
        usage(
          `--expire-duration ${JSON.stringify(fields.expireDuration)} is not a whole number of seconds.`,
          'Give the role session length in seconds, from 900 to 43200, e.g. --expire-duration 3600.',
        ),
      );
    } else {
      durationSeconds = Number(fields.expireDuration.trim());
    }
  }
  const roleArn =
    fields.assumeRoleArn !== undefined ? emptyToUndefined(fields.assumeRoleArn) : entry.assumeRole?.roleArn;
  if (roleArn === undefined) {
    if (fields.expireDuration !== undefined) {
      problems.push(
        usage(
          '--expire-duration sets the session length of the assumed role, but the entry has no assumeRoleARN.',
          'Add --assume-role-arn acs:ram::<account-id>:role/<role-name>.',
        ),
      );
    }
    next.assumeRole = undefined;
  } else {
    next.assumeRole = { roleArn, durationSeconds: durationSeconds ?? 3600 };
  }

  next.credentials = editCredentials(entry, fields, secrets, problems);
  return next;
}

export function editCredentials(
  entry: RegistryEntry,
  fields: RegistryFieldEdits,
  secrets: Record<string, string>,
  problems: Problem[],
): CredentialSource {
  const current = entry.credentials;
  const touchesRrsa = fields.rrsaRoleArn !== undefined || fields.rrsaOidcProviderArn !== undefined;
  if (fields.accessKeySecret !== undefined && (fields.accessKeyId === undefined || fields.accessKeyId.trim() === '')) {
    problems.push(
      usage('An AccessKey secret was given without --access-key-id.', 'Add --access-key-id <AccessKey ID>.'),
    );
    return current;
  }
  if (fields.accessKeyId !== undefined && touchesRrsa) {
    problems.push(
      usage(
        '--access-key-id and --rrsa-* flags were given together; an entry uses one credential source.',
        'Choose either the AccessKey or the RRSA roles.',
      ),
    );
    return current;
  }
  if (fields.accessKeyId !== undefined) {
    const accessKeyId = fields.accessKeyId.trim();
    if (accessKeyId === '') return current.kind === 'access-key' ? { kind: 'node' } : current;
    if (fields.accessKeySecret === undefined) {
      problems.push(
        usage(
          '--access-key-id needs the AccessKey secret.',
          'Pipe it in with --access-key-secret-stdin, or give --access-key-secret-file PATH.',
        ),
      );
      return current;
    }
    if (fields.accessKeySecret.trim() === '') {
      problems.push(
        usage(
          'The AccessKey secret read from stdin or the file is empty.',
          'Provide the AccessKey secret of the RAM user.',
        ),
      );
      return current;
    }
    const key = accessKeySecretKey(selectorOf(entry));
    secrets[key] = fields.accessKeySecret.trim();
    return { kind: 'access-key', accessKeyId, secret: { kind: 'secret-ref', key } };
  }
  if (touchesRrsa) {
    const before = current.kind === 'rrsa' ? current : undefined;
    const roleArn = fields.rrsaRoleArn !== undefined ? emptyToUndefined(fields.rrsaRoleArn) : before?.roleArn;
    const oidcProviderArn =
      fields.rrsaOidcProviderArn !== undefined ? emptyToUndefined(fields.rrsaOidcProviderArn) : before?.oidcProviderArn;
    if (roleArn === undefined && oidcProviderArn === undefined) return { kind: 'node' };
    if (roleArn === undefined || oidcProviderArn === undefined) {
      problems.push(
        usage(
          'RRSA needs both --rrsa-role-arn and --rrsa-oidc-provider-arn.',
          'Give both flags (or clear both with "").',
        ),
      );
      return current;
    }
    return { kind: 'rrsa', roleArn, oidcProviderArn };
  }
  return current;
}

export function newEntry(select: RegistrySelector): RegistryEntry {
  const common = {
    index: 0,
    regionId: select.regionId,
    domains: undefined,
    credentials: { kind: 'node' } as const,
    assumeRole: undefined,
  };
  return select.edition === 'enterprise'
    ? { edition: 'enterprise', instanceId: select.instanceId, ...common }
    : { edition: 'personal', ...common };
}

/** Moves plain-text secrets into `secrets`, leaving references behind. */
export function moveInlineSecrets(entries: RegistryEntry[], secrets: Record<string, string>): RegistryEntry[] {
  return entries.map((entry) => {
    const credentials = entry.credentials;
    if (
      credentials.kind !== 'access-key' ||
      credentials.secret.kind !== 'inline' ||
      credentials.inlineSecret === undefined
    )
      return entry;
    const key = accessKeySecretKey(selectorOf(entry));
    secrets[key] = credentials.inlineSecret;
    return {
      ...entry,
      credentials: { kind: 'access-key', accessKeyId: credentials.accessKeyId, secret: { kind: 'secret-ref', key } },
    };
  });
}

export function hasInlineSecret(entries: RegistryEntry[]): boolean {
  return entries.some((entry) => entry.credentials.kind === 'access-key' && entry.credentials.secret.kind === 'inline');
}
