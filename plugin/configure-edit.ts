// What `kubectl acr configure` decides, without any I/O: the ConfigMap data
// as it is plus what the user asked for → the data to write and the secret
// values to store, or the problems that make the request invalid. Every
// result is validated by the provider's own parser, so configure can never
// write something the provider rejects.

import { parseConfigurationData, parseConfigurationFile } from '../provider/configuration/parse-configuration.js';
import { renderRegistryInfo } from '../provider/configuration/registry-info.js';
import {
  CONFIGURATION_SECRETS_NAME,
  type AcrConfiguration,
  type CredentialSource,
  type RegistryEntry,
  type WebhookConfiguration,
} from '../provider/configuration/model.js';
import type { Problem } from '../provider/common/problem.js';

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

export interface WebhookEdits {
  enabled?: boolean;
  failurePolicy?: string;
  timeoutSeconds?: string;
}

export interface ConfigureRequest {
  registry?: RegistryEdit;
  serviceAccount?: string;
  watchNamespace?: string;
  expiringThreshold?: string;
  rrsa?: boolean;
  webhook?: WebhookEdits;
  /** Move every plain-text customAccessKeySecret into the Secret. */
  moveInlineSecrets?: boolean;
}

export interface ConfigureChange {
  /** The complete ConfigMap data to write. */
  data: Record<string, string>;
  /** Secret key → secret value to store in CONFIGURATION_SECRETS_NAME before the ConfigMap is written. */
  secrets: Record<string, string>;
  /** Warnings the new data still has (none of them new, for flag edits). */
  warnings: Problem[];
  /** What changed beyond the obvious, for the user. */
  notes: string[];
}

export type ConfigureResult = ({ ok: true } & ConfigureChange) | { ok: false; problems: Problem[] };

/** Secret key for an entry's AccessKey secret: `access-key-<instanceId>` or `access-key-personal[-<region>]`. */
export function accessKeySecretKey(select: RegistrySelector): string {
  if (select.edition === 'enterprise') return `access-key-${select.instanceId}`;
  return select.regionId ? `access-key-personal-${select.regionId}` : 'access-key-personal';
}

function selectorOf(entry: RegistryEntry): RegistrySelector {
  return entry.edition === 'enterprise'
    ? { edition: 'enterprise', instanceId: entry.instanceId, regionId: entry.regionId }
    : { edition: 'personal', regionId: entry.regionId };
}

/** Enterprise instance IDs are global, so the region does not take part; Personal Edition is one per region. */
function matches(entry: RegistryEntry, select: RegistrySelector): boolean {
  if (select.edition === 'enterprise') return entry.edition === 'enterprise' && entry.instanceId === select.instanceId;
  return entry.edition === 'personal' && entry.regionId === select.regionId;
}

function describe(select: RegistrySelector): string {
  const region = select.regionId ? ` in ${select.regionId}` : " in the node's region";
  return select.edition === 'enterprise' ? `instance ${select.instanceId}` : `Personal Edition${region}`;
}

function usage(message: string, fix: string, key = 'acr-registry-info'): Problem {
  return { severity: 'error', code: 'invalid-flag', key, message, fix };
}

function emptyToUndefined(value: string): string | undefined {
  return value.trim() === '' ? undefined : value.trim();
}

/** Applies the field edits to one entry; the parser validates the values afterwards. */
function editEntry(
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

function editCredentials(
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

function newEntry(select: RegistrySelector): RegistryEntry {
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
function moveInlineSecrets(entries: RegistryEntry[], secrets: Record<string, string>): RegistryEntry[] {
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

function hasInlineSecret(entries: RegistryEntry[]): boolean {
  return entries.some((entry) => entry.credentials.kind === 'access-key' && entry.credentials.secret.kind === 'inline');
}

function renderFlagMap(fields: Record<string, string | number | boolean>): string {
  return Object.entries(fields)
    .map(([name, value]) => `${name}: ${value}\n`)
    .join('');
}

function renderWebhook(webhook: WebhookConfiguration): string {
  return renderFlagMap({
    enable: webhook.enabled,
    'failure-policy': webhook.failurePolicy,
    'timeout-seconds': webhook.timeoutSeconds,
  });
}

function editWebhook(current: WebhookConfiguration, edits: WebhookEdits, problems: Problem[]): WebhookConfiguration {
  const next = { ...current };
  if (edits.enabled !== undefined) next.enabled = edits.enabled;
  if (edits.failurePolicy !== undefined) {
    const policy = (['Ignore', 'Fail'] as const).find(
      (name) => name.toLowerCase() === edits.failurePolicy?.trim().toLowerCase(),
    );
    if (policy) next.failurePolicy = policy;
    else
      problems.push(
        usage(
          `--webhook-failure-policy ${JSON.stringify(edits.failurePolicy)} is neither Ignore nor Fail.`,
          'Use --webhook-failure-policy Ignore (recommended) or Fail.',
          'webhook-configuration',
        ),
      );
  }
  if (edits.timeoutSeconds !== undefined) {
    const text = edits.timeoutSeconds.trim();
    const seconds = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(seconds >= 1 && seconds <= 30)) {
      problems.push(
        usage(
          `--webhook-timeout-seconds ${JSON.stringify(edits.timeoutSeconds)} is not a whole number from 1 to 30.`,
          'Use e.g. --webhook-timeout-seconds 10.',
          'webhook-configuration',
        ),
      );
    } else {
      next.timeoutSeconds = seconds;
    }
  }
  return next;
}

/** Problems are equal for "is it new?" regardless of where they sit: rendering moves lines. */
function problemIdentity(problem: Problem): string {
  return `${problem.code}\u0000${problem.key ?? ''}\u0000${problem.message}`;
}

function withoutPositions(problem: Problem): Problem {
  const { line: _line, column: _column, ...rest } = problem;
  return rest;
}

/** The parser's verdict on data configure generated: positions would point into text the user never saw. */
function validateGenerated(
  data: Record<string, string>,
  before: Problem[],
): { config: AcrConfiguration; warnings: Problem[] } | { problems: Problem[] } {
  const parsed = parseConfigurationData(data);
  if (!parsed.ok) return { problems: parsed.problems.filter((p) => p.severity === 'error').map(withoutPositions) };
  const known = new Set(before.map(problemIdentity));
  // A flag edit must not make the configuration worse: a warning it introduces
  // (a placeholder ARN, expireDuration without a role) is refused like an error.
  const introduced = parsed.problems.filter((p) => !known.has(problemIdentity(p)));
  if (introduced.length > 0)
    return { problems: introduced.map((p) => ({ ...withoutPositions(p), severity: 'error' })) };
  return { config: parsed.config, warnings: parsed.problems };
}

export function planConfigure(current: Record<string, string>, request: ConfigureRequest): ConfigureResult {
  const parsedCurrent = parseConfigurationData(current);
  if (!parsedCurrent.ok) {
    return {
      ok: false,
      problems: [
        ...parsedCurrent.problems,
        {
          severity: 'error',
          code: 'current-configuration-invalid',
          message: 'The acr-configuration in the cluster has errors, so it cannot be edited with flags.',
          fix: 'Save it with `kubectl get cm -n kube-system acr-configuration -o yaml > acr.yaml`, correct it, and apply it with `kubectl acr configure --from-file acr.yaml`.',
        },
      ],
    };
  }
  const config = parsedCurrent.config;
  const problems: Problem[] = [];
  const secrets: Record<string, string> = {};
  const notes: string[] = [];
  const data: Record<string, string> = { ...current };

  if (request.serviceAccount !== undefined) data['service-account'] = request.serviceAccount.trim();
  if (request.watchNamespace !== undefined) data['watch-namespace'] = request.watchNamespace.trim();
  if (request.expiringThreshold !== undefined) data['expiring-threshold'] = request.expiringThreshold.trim();

  let rrsaEnabled = request.rrsa ?? config.rrsaEnabled;
  let entries = config.registriesDefaulted ? [] : config.registries;
  let registriesEdited = false;
  const edit = request.registry;
  if (edit) {
    registriesEdited = true;
    const index = entries.findIndex((entry) => matches(entry, edit.select));
    if (edit.action === 'remove') {
      if (index < 0)
        problems.push(
          usage(
            `There is no registry entry for ${describe(edit.select)} to remove.`,
            'Run `kubectl acr status` to see the configured registries.',
          ),
        );
      entries = entries.filter((_, i) => i !== index);
    } else {
      const base = index >= 0 ? entries[index]! : newEntry(edit.select);
      const edited = editEntry(
        edit.select.regionId !== undefined ? { ...base, regionId: edit.select.regionId } : base,
        edit.fields,
        secrets,
        problems,
      );
      entries = index >= 0 ? entries.map((entry, i) => (i === index ? edited : entry)) : [...entries, edited];
      if (edited.credentials.kind === 'rrsa' && !rrsaEnabled && request.rrsa === undefined) {
        rrsaEnabled = true;
        notes.push('RRSA enabled (`rrsa: enable: true`) because the entry uses RRSA roles.');
      }
    }
  }
  // Whenever configure writes acr-registry-info, no secret stays in it in plain text.
  if (request.moveInlineSecrets || registriesEdited) {
    if (hasInlineSecret(entries)) {
      registriesEdited = true;
      entries = moveInlineSecrets(entries, secrets);
      notes.push(`Plain-text AccessKey secrets moved into the Secret kube-system/${CONFIGURATION_SECRETS_NAME}.`);
    } else if (request.moveInlineSecrets) {
      notes.push('No plain-text customAccessKeySecret to move.');
    }
  }
  if (registriesEdited)
    data['acr-registry-info'] = renderRegistryInfo(entries.map((entry, index) => ({ ...entry, index })));
  if (request.rrsa !== undefined || rrsaEnabled !== config.rrsaEnabled)
    data.rrsa = renderFlagMap({ enable: rrsaEnabled });
  if (request.webhook && Object.values(request.webhook).some((value) => value !== undefined)) {
    data['webhook-configuration'] = renderWebhook(editWebhook(config.webhook, request.webhook, problems));
  }
  if (problems.length > 0) return { ok: false, problems };

  const verdict = validateGenerated(data, parsedCurrent.problems);
  if ('problems' in verdict) return { ok: false, problems: verdict.problems };
  return { ok: true, data, secrets, warnings: verdict.warnings, notes };
}

/**
 * `--from-file`: the file is the complete data. It is validated with the
 * file's own line numbers; `acr-registry-info` is written back canonical and
 * any plain-text secret in it goes to the Secret instead of the ConfigMap.
 */
export function planFromFile(text: string): ConfigureResult {
  const parsed = parseConfigurationFile(text);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  const config = parsed.config;
  const data = { ...config.data };
  const secrets: Record<string, string> = {};
  const notes: string[] = [];
  const fieldsDropped = parsed.problems.some((p) => p.key === 'acr-registry-info' && p.code === 'unknown-field');
  if (!config.registriesDefaulted && !fieldsDropped) {
    const entries = moveInlineSecrets(config.registries, secrets);
    if (Object.keys(secrets).length > 0)
      notes.push(`Plain-text AccessKey secrets moved into the Secret kube-system/${CONFIGURATION_SECRETS_NAME}.`);
    data['acr-registry-info'] = renderRegistryInfo(entries);
  } else if (fieldsDropped) {
    // Rendering would silently drop the unknown fields: keep the user's text and its warnings.
    notes.push('acr-registry-info was kept as written because it has unknown fields (see the warnings).');
  }
  const check = parseConfigurationData(data);
  if (!check.ok) return { ok: false, problems: check.problems };
  const moved = Object.keys(secrets).length > 0;
  const warnings = parsed.problems.filter((p) => !(moved && p.code === 'plaintext-secret'));
  return { ok: true, data, secrets, warnings, notes };
}
