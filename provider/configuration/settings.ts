// The small settings of acr-configuration, each a YAML string or a list of
// names: `rrsa`, `webhook-configuration` and `pod-identity` (small maps with
// positions for their problems), and `service-account` / `watch-namespace`
// selections.
import { isMap, isNode, isScalar, type Node } from 'yaml';
import type { Problem } from '../common/problem.js';
import type { Position } from './lines.js';
import type { NameSelection, PodIdentityConfiguration, WebhookConfiguration } from './model.js';
import { OIDC_PROVIDER_ARN } from './registry-entry.js';
import { closestName } from './suggest.js';
import { parseYaml, scalarText } from './yaml.js';

export const DEFAULT_WEBHOOK: WebhookConfiguration = { enabled: false, failurePolicy: 'Ignore', timeoutSeconds: 10 };
export const DEFAULT_POD_IDENTITY: PodIdentityConfiguration = {
  enabled: false,
  oidcProviderArn: undefined,
  requireRole: false,
};
export const POD_IDENTITY_KEY = 'pod-identity';

/** A field's value as the user wrote it, for messages: a scalar as text, a nested node as its YAML. */
function fieldText(value: unknown): string {
  if (typeof value === 'string') return value;
  // Numbers and booleans print the same through JSON.
  return isNode(value) ? value.toString() : (JSON.stringify(value) ?? '');
}

export function nameSelection(value: string | undefined, allWord: string): NameSelection {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.includes(allWord)) return { all: true };
  return { all: false, names: names.length > 0 ? [...new Set(names)] : ['default'] };
}

interface FlagField {
  value: unknown;
  at: Position;
}

/** A small YAML map in a string (`rrsa`, `webhook-configuration`): known fields with their positions. */
function parseSmallMap(
  text: string,
  key: string,
  fieldNames: readonly string[],
): { fields: Map<string, FlagField>; problems: Problem[] } {
  const fields = new Map<string, FlagField>();
  if (text.trim() === '') return { fields, problems: [] };
  const parsed = parseYaml(text, { knownKeys: fieldNames, key, skipBlockContent: false });
  const problems = [...parsed.problems];
  const root = parsed.document?.contents as Node | null | undefined;
  if (!parsed.document) return { fields, problems };
  if (!isMap(root)) {
    problems.push({
      severity: 'error',
      code: 'not-a-map',
      key,
      ...(root ? parsed.position(root) : { line: 1, column: 1 }),
      message: `The value of \`${key}\` must be YAML \`field: value\` lines.`,
      fix: `Write e.g. \`${fieldNames[0]}: true\` on its own line under \`${key}: |\`.`,
    });
    return { fields, problems };
  }
  for (const pair of root.items) {
    const name = scalarText(pair.key) ?? '';
    const keyAt = parsed.position(pair.key as Node);
    if (!fieldNames.includes(name)) {
      const guess = closestName(name, fieldNames);
      problems.push({
        severity: 'warning',
        code: 'unknown-field',
        key,
        ...keyAt,
        message: `Unknown field \`${name}\` in \`${key}\`; it is ignored.`,
        fix: guess ? `Did you mean \`${guess}\`?` : `Use only ${fieldNames.map((field) => `\`${field}\``).join(', ')}.`,
      });
      continue;
    }
    const node = pair.value as Node | null;
    fields.set(name, {
      value: isScalar(node) ? node.value : node === null ? null : node,
      at: node ? parsed.position(node) : keyAt,
    });
  }
  return { fields, problems };
}

function booleanField(
  field: FlagField | undefined,
  key: string,
  name: string,
  problems: Problem[],
): boolean | undefined {
  if (!field || field.value === null) return undefined;
  if (typeof field.value === 'boolean') return field.value;
  if (field.value === 'true' || field.value === 'false') return field.value === 'true';
  problems.push({
    severity: 'error',
    code: 'invalid-boolean',
    key,
    ...field.at,
    message: `\`${name}\` in \`${key}\` must be true or false.`,
    fix: `Write \`${name}: true\` or \`${name}: false\`.`,
  });
  return undefined;
}

export function parseFlagMap(
  text: string,
  key: string,
  fieldNames: readonly string[],
): { enabled: boolean; problems: Problem[] } {
  const { fields, problems } = parseSmallMap(text, key, fieldNames);
  return { enabled: booleanField(fields.get('enable'), key, 'enable', problems) ?? false, problems };
}

export function parseWebhook(text: string): { webhook: WebhookConfiguration; problems: Problem[] } {
  const key = 'webhook-configuration';
  const { fields, problems } = parseSmallMap(text, key, ['enable', 'failure-policy', 'timeout-seconds']);
  const enabled = booleanField(fields.get('enable'), key, 'enable', problems) ?? DEFAULT_WEBHOOK.enabled;
  let failurePolicy = DEFAULT_WEBHOOK.failurePolicy;
  const policy = fields.get('failure-policy');
  if (policy && policy.value !== null) {
    const written = fieldText(policy.value);
    const match = (['Ignore', 'Fail'] as const).find((name) => name.toLowerCase() === written.toLowerCase());
    if (!match) {
      problems.push({
        severity: 'error',
        code: 'invalid-failure-policy',
        key,
        ...policy.at,
        message: `failure-policy \`${written}\` is neither Ignore nor Fail.`,
        fix: 'Write `failure-policy: Ignore` (pods are admitted if the webhook fails) or `failure-policy: Fail`.',
      });
    } else {
      if (match !== written)
        problems.push({
          severity: 'warning',
          code: 'value-case',
          key,
          ...policy.at,
          message: `failure-policy \`${written}\` was read as \`${match}\`.`,
          fix: `Write \`failure-policy: ${match}\`.`,
        });
      failurePolicy = match;
    }
  }
  let timeoutSeconds = DEFAULT_WEBHOOK.timeoutSeconds;
  const timeout = fields.get('timeout-seconds');
  if (timeout && timeout.value !== null) {
    const seconds =
      typeof timeout.value === 'number'
        ? timeout.value
        : /^\d+$/.test(fieldText(timeout.value).trim())
          ? Number(fieldText(timeout.value))
          : Number.NaN;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 30) {
      problems.push({
        severity: 'error',
        code: 'invalid-timeout',
        key,
        ...timeout.at,
        message: `timeout-seconds \`${fieldText(timeout.value)}\` is not a whole number from 1 to 30.`,
        fix: 'Write e.g. `timeout-seconds: 10`; the Kubernetes API server allows 1 to 30.',
      });
    } else {
      timeoutSeconds = seconds;
    }
  }
  return { webhook: { enabled, failurePolicy, timeoutSeconds }, problems };
}

export function parsePodIdentity(text: string): { podIdentity: PodIdentityConfiguration; problems: Problem[] } {
  const key = POD_IDENTITY_KEY;
  const { fields, problems } = parseSmallMap(text, key, ['enable', 'oidc-provider-arn', 'require-role']);
  const enabled = booleanField(fields.get('enable'), key, 'enable', problems) ?? false;
  const requireRole = booleanField(fields.get('require-role'), key, 'require-role', problems) ?? false;
  let oidcProviderArn: string | undefined;
  const arn = fields.get('oidc-provider-arn');
  if (arn && arn.value !== null) {
    const written = fieldText(arn.value).trim();
    if (OIDC_PROVIDER_ARN.shape.test(written)) oidcProviderArn = written;
    else
      problems.push({
        severity: 'error',
        code: 'invalid-arn',
        key,
        ...arn.at,
        message: `oidc-provider-arn \`${written}\` is not an ARN of the form \`${OIDC_PROVIDER_ARN.form}\`.`,
        fix: `Copy the cluster's RRSA OIDC provider ARN from the ACK console (cluster information, RRSA); it looks like \`${OIDC_PROVIDER_ARN.form}\`.`,
      });
  }
  if (enabled && !arn) {
    problems.push({
      severity: 'warning',
      code: 'no-oidc-provider',
      key,
      line: 1,
      column: 1,
      message:
        'pod-identity is enabled without `oidc-provider-arn`: every ServiceAccount must name its OIDC provider with an annotation, and `pod-identity.alibabacloud.com/role-name` cannot be used.',
      fix: "Add `oidc-provider-arn: acs:ram::<account-id>:oidc-provider/ack-rrsa-<cluster-id>` (the cluster's RRSA OIDC provider).",
    });
  }
  return { podIdentity: { enabled, oidcProviderArn, requireRole }, problems };
}
