// The configuration as `kubectl acr status` shows it: each registry entry in
// words, the Secret-sync scope, and the plugin's fix for each problem.
// `kubectl acr status` as a pure function: the cluster objects it read →
// what the configuration means, every problem with its fix, which nodes run
// the provider, the state of the Secret sync, and the verdict. No secret
// value ever enters the report.

import { type AcrConfiguration, type NameSelection, type RegistryEntry } from '../../provider/configuration/model.js';
import { formatHumanDuration } from '../../provider/common/go-duration.js';
import type { Problem } from '../../provider/common/problem.js';
import { type ConfigMapObject } from '../configuration-store.js';
import { type ConfigurationSummary, type RegistrySummary } from './status-model.js';
import { describeCredentialSource } from '../../provider/credentials/identity.js';

export function selectionText<W extends string>(selection: NameSelection, allWord: W): string[] | W {
  return selection.all ? allWord : selection.names;
}

export function registrySummary(entry: RegistryEntry): RegistrySummary {
  const region = entry.regionId ?? "node's region";
  const defaultDomains =
    entry.edition === 'enterprise'
      ? "all of the instance's domains"
      : `registry[-vpc].${entry.regionId ?? '<region>'}.aliyuncs.com`;
  return {
    edition: entry.edition,
    ...(entry.edition === 'enterprise' ? { instanceId: entry.instanceId } : {}),
    region,
    domains: entry.domains?.join(',') ?? defaultDomains,
    credentials: describeCredentialSource(entry),
    ...(entry.assumeRole ? { assumeRole: `${entry.assumeRole.roleArn} (${entry.assumeRole.durationSeconds}s)` } : {}),
  };
}

export function summarize(
  configMap: ConfigMapObject | undefined,
  config: AcrConfiguration | undefined,
): ConfigurationSummary {
  if (!config) {
    return {
      present: configMap !== undefined,
      valid: false,
      registries: [],
      watchNamespaces: [],
      serviceAccounts: [],
      expiringThreshold: '',
      rrsa: false,
      webhook: '',
      ignoredKeys: [],
    };
  }
  const webhook = config.webhook.enabled
    ? `on (failure policy ${config.webhook.failurePolicy}, timeout ${config.webhook.timeoutSeconds}s)`
    : 'off';
  return {
    present: configMap !== undefined,
    valid: true,
    registries: config.registries.map(registrySummary),
    watchNamespaces: selectionText(config.watchNamespaces, 'all'),
    serviceAccounts: selectionText(config.serviceAccounts, '*'),
    expiringThreshold: formatHumanDuration(config.expiringThresholdSeconds),
    rrsa: config.rrsaEnabled,
    webhook,
    ignoredKeys: config.ignoredKeys,
  };
}

/** The parser's advice, made specific where kubectl-acr has a command for it. */
export function withPluginFix(problem: Problem): Problem {
  if (problem.code === 'plaintext-secret') {
    return {
      ...problem,
      fix: 'Run `kubectl acr configure --move-inline-secrets`: it moves the secret into the Secret kube-system/acr-configuration-secrets and leaves a customAccessKeySecretRef.',
    };
  }
  return problem;
}
