// Edits of the small settings (`rrsa`, `webhook-configuration`), rendered
// back as the YAML strings the ConfigMap holds.
import type { Problem } from '../../provider/common/problem.js';
import type { PodIdentityConfiguration, WebhookConfiguration } from '../../provider/configuration/model.js';
import { usage } from './registry-edits.js';

export interface WebhookEdits {
  enabled?: boolean;
  failurePolicy?: string;
  timeoutSeconds?: string;
}

export function renderFlagMap(fields: Record<string, string | number | boolean>): string {
  return Object.entries(fields)
    .map(([name, value]) => `${name}: ${value}\n`)
    .join('');
}

export interface PodIdentityEdits {
  enabled?: boolean;
  oidcProviderArn?: string;
  requireRole?: boolean;
}

/** `pod-identity` with the edits applied; the parser judges the ARN when the result is validated. */
export function renderPodIdentity(current: PodIdentityConfiguration, edits: PodIdentityEdits): string {
  const oidcProviderArn = edits.oidcProviderArn?.trim() ?? current.oidcProviderArn;
  return renderFlagMap({
    enable: edits.enabled ?? current.enabled,
    ...(oidcProviderArn ? { 'oidc-provider-arn': oidcProviderArn } : {}),
    'require-role': edits.requireRole ?? current.requireRole,
  });
}

export function renderWebhook(webhook: WebhookConfiguration): string {
  return renderFlagMap({
    enable: webhook.enabled,
    'failure-policy': webhook.failurePolicy,
    'timeout-seconds': webhook.timeoutSeconds,
  });
}

export function editWebhook(
  current: WebhookConfiguration,
  edits: WebhookEdits,
  problems: Problem[],
): WebhookConfiguration {
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
