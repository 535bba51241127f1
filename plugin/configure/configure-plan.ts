// What `kubectl acr configure` decides, without any I/O: the ConfigMap data
// as it is plus what the user asked for → the data to write and the secret
// values to store, or the problems that make the request invalid. Every
// result is validated by the provider's own parser, so configure can never
// write something the provider rejects.

import { parseConfigurationData, parseConfigurationFile } from '../../provider/configuration/parse-configuration.js';
import { renderRegistryInfo } from '../../provider/configuration/registry-info.js';
import { CONFIGURATION_SECRETS_NAME, type AcrConfiguration } from '../../provider/configuration/model.js';
import type { Problem } from '../../provider/common/problem.js';
import { describe, editEntry, hasInlineSecret, matches, moveInlineSecrets, newEntry, usage } from './registry-edits.js';
import { editWebhook, renderFlagMap, renderPodIdentity, renderWebhook } from './setting-edits.js';
import { type RegistryEdit } from './registry-edits.js';
import { type PodIdentityEdits, type WebhookEdits } from './setting-edits.js';
import { POD_IDENTITY_KEY } from '../../provider/configuration/settings.js';

export interface ConfigureRequest {
  registry?: RegistryEdit;
  serviceAccount?: string;
  watchNamespace?: string;
  expiringThreshold?: string;
  rrsa?: boolean;
  webhook?: WebhookEdits;
  podIdentity?: PodIdentityEdits;
  /** Move every plain-text customAccessKeySecret into the Secret. */
  moveInlineSecrets?: boolean;
}

export interface ConfigureChange {
  /** The complete ConfigMap data to write. */
  data: Record<string, string>;
  /** What that data means, as the provider reads it. */
  config: AcrConfiguration;
  /** Secret key → secret value to store in CONFIGURATION_SECRETS_NAME before the ConfigMap is written. */
  secrets: Record<string, string>;
  /** Warnings the new data still has (none of them new, for flag edits). */
  warnings: Problem[];
  /** What changed beyond the obvious, for the user. */
  notes: string[];
}

export type ConfigureResult = ({ ok: true } & ConfigureChange) | { ok: false; problems: Problem[] };

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
  if (request.podIdentity && Object.values(request.podIdentity).some((value) => value !== undefined)) {
    data[POD_IDENTITY_KEY] = renderPodIdentity(config.podIdentity, request.podIdentity);
  }
  if (problems.length > 0) return { ok: false, problems };

  const verdict = validateGenerated(data, parsedCurrent.problems);
  if ('problems' in verdict) return { ok: false, problems: verdict.problems };
  return { ok: true, data, config: verdict.config, secrets, warnings: verdict.warnings, notes };
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
  return { ok: true, data, config: check.config, secrets, warnings, notes };
}
