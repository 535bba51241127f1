// The flags of `kubectl acr configure`: one per configuration key and
// registry field, with their help and examples.
// `kubectl acr configure`: flags (or an edited file) → a validated
// acr-configuration written with the resourceVersion it was based on.

import type { Argv } from 'yargs';
import { type GlobalArgs } from '../runtime.js';

export interface ConfigureArgs extends GlobalArgs {
  'instance-id'?: string;
  personal?: boolean;
  region?: string;
  'remove-instance'?: boolean;
  domains?: string;
  'assume-role-arn'?: string;
  'expire-duration'?: string;
  'rrsa-role-arn'?: string;
  'rrsa-oidc-provider-arn'?: string;
  'access-key-id'?: string;
  'access-key-secret-stdin'?: boolean;
  'access-key-secret-file'?: string;
  'service-account'?: string;
  'watch-namespace'?: string;
  'expiring-threshold'?: string;
  rrsa?: boolean;
  webhook?: boolean;
  'webhook-failure-policy'?: string;
  'webhook-timeout-seconds'?: string;
  'move-inline-secrets'?: boolean;
  'pod-identity'?: boolean;
  'oidc-provider-arn'?: string;
  'require-role'?: boolean;
  'from-file'?: string;
  'dry-run'?: string;
  output?: string;
}

export const registryFieldFlags = [
  'domains',
  'assume-role-arn',
  'expire-duration',
  'rrsa-role-arn',
  'rrsa-oidc-provider-arn',
  'access-key-id',
  'access-key-secret-stdin',
  'access-key-secret-file',
] as const;
export const editFlags = [
  'instance-id',
  'personal',
  'region',
  'remove-instance',
  ...registryFieldFlags,
  'service-account',
  'watch-namespace',
  'expiring-threshold',
  'rrsa',
  'webhook',
  'webhook-failure-policy',
  'webhook-timeout-seconds',
  'move-inline-secrets',
  'pod-identity',
  'oidc-provider-arn',
  'require-role',
] as const;

export function configureBuilder(yargs: Argv): Argv {
  return yargs
    .option('instance-id', {
      type: 'string',
      group: 'Registry entry:',
      describe: 'Enterprise Edition instance to add or update (cri-…)',
    })
    .option('personal', {
      type: 'boolean',
      group: 'Registry entry:',
      describe: 'Address the Personal Edition entry of --region instead',
    })
    .option('region', {
      type: 'string',
      group: 'Registry entry:',
      describe: "Region of the entry (default: the node's region)",
    })
    .option('remove-instance', {
      type: 'boolean',
      group: 'Registry entry:',
      describe: 'Remove the entry selected by --instance-id or --personal/--region',
    })
    .option('domains', {
      type: 'string',
      group: 'Registry entry:',
      describe: 'Comma-separated registry domains of the entry ("" = all its domains)',
    })
    .option('assume-role-arn', {
      type: 'string',
      group: 'Registry entry:',
      describe: 'RAM role to assume for the entry ("" removes it)',
    })
    .option('expire-duration', {
      type: 'string',
      group: 'Registry entry:',
      describe: 'Session length of the assumed role, 900-43200 seconds',
    })
    .option('rrsa-role-arn', {
      type: 'string',
      group: 'Registry entry:',
      describe: 'RRSA role ARN (with --rrsa-oidc-provider-arn)',
    })
    .option('rrsa-oidc-provider-arn', { type: 'string', group: 'Registry entry:', describe: 'RRSA OIDC provider ARN' })
    .option('access-key-id', {
      type: 'string',
      group: 'Registry entry:',
      describe: 'AccessKey ID of a RAM user ("" returns to the node\'s credentials)',
    })
    .option('access-key-secret-stdin', {
      type: 'boolean',
      group: 'Registry entry:',
      describe: 'Read the AccessKey secret from stdin (stored in a Secret, never printed)',
    })
    .option('access-key-secret-file', {
      type: 'string',
      group: 'Registry entry:',
      describe: 'Read the AccessKey secret from this file',
    })
    .option('service-account', {
      type: 'string',
      group: 'Secret sync:',
      describe: 'ServiceAccounts to patch, comma-separated; * = all',
    })
    .option('watch-namespace', {
      type: 'string',
      group: 'Secret sync:',
      describe: 'Namespaces to sync, comma-separated; all = every namespace',
    })
    .option('expiring-threshold', {
      type: 'string',
      group: 'Secret sync:',
      describe: 'Refresh this long before a token expires (Go duration, e.g. 15m)',
    })
    .option('rrsa', { type: 'boolean', group: 'Cluster:', describe: 'Enable (--rrsa) or disable (--no-rrsa) RRSA' })
    .option('webhook', {
      type: 'boolean',
      group: 'Cluster:',
      describe: 'Enable (--webhook) or disable (--no-webhook) the ServiceAccount webhook',
    })
    .option('webhook-failure-policy', { type: 'string', group: 'Cluster:', describe: 'Ignore or Fail' })
    .option('webhook-timeout-seconds', { type: 'string', group: 'Cluster:', describe: 'Webhook timeout, 1-30 seconds' })
    .option('move-inline-secrets', {
      type: 'boolean',
      group: 'Cluster:',
      describe: 'Move plain-text customAccessKeySecret values into a Secret',
    })
    .option('pod-identity', {
      type: 'boolean',
      group: 'Pod identity:',
      describe:
        "Pods pull with their own ServiceAccount's RAM role (kubelet ServiceAccount-token mode, RRSA); also grants nodes the sts.aliyuncs.com token audience",
    })
    .option('oidc-provider-arn', {
      type: 'string',
      group: 'Pod identity:',
      describe: "The cluster's RRSA OIDC provider, acs:ram::<account-id>:oidc-provider/ack-rrsa-<cluster-id>",
    })
    .option('require-role', {
      type: 'boolean',
      group: 'Pod identity:',
      describe: "Refuse pods whose ServiceAccount names no role, instead of pulling with the node's identity",
    })
    .option('from-file', {
      type: 'string',
      nargs: 1,
      describe: 'Validate and apply a whole data file or ConfigMap manifest (- = stdin)',
    })
    .option('dry-run', {
      type: 'string',
      describe: 'client: show the result only; server: let the apiserver validate without storing',
      coerce: (value: string) => (value === '' ? 'client' : value),
      choices: ['none', 'client', 'server'],
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      choices: ['json', 'yaml'],
      describe: 'Print the resulting ConfigMap',
    })
    .example(
      '$0 configure --instance-id cri-abc123 --region cn-hangzhou --domains example.com',
      'Add or update an Enterprise Edition instance',
    )
    .example('$0 configure --personal --region cn-beijing', 'Pull from the Personal Edition of cn-beijing too')
    .example('$0 configure --instance-id cri-abc123 --remove-instance', 'Remove an instance')
    .example(
      '$0 configure --instance-id cri-abc123 --assume-role-arn acs:ram::123456789012:role/pull --expire-duration 3600',
      'Pull across accounts by assuming a role',
    )
    .example(
      'printf %s "$SECRET" | $0 configure --personal --access-key-id LTAI… --access-key-secret-stdin',
      'Use a RAM user; the secret goes into a Secret',
    )
    .example(
      '$0 configure --watch-namespace default,apps --service-account default,builder',
      'Choose what the Secret sync covers',
    )
    .example(
      '$0 configure --from-file acr.yaml --dry-run=client -o yaml',
      'Validate an edited file and show the result',
    )
    .example('$0 configure --move-inline-secrets', 'Move plain-text AccessKey secrets out of the ConfigMap')
    .example(
      '$0 configure --pod-identity --oidc-provider-arn acs:ram::123456789012:oidc-provider/ack-rrsa-c0ffee',
      "Let pods pull with their ServiceAccount's role (annotate it acr-credential-provider.io/role-arn=<role ARN>)",
    );
}
