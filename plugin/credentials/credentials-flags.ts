// The flags of `kubectl acr credentials`: loaded for --help and completion, without the command.
import type { Argv } from 'yargs';
import { outputOption, type OutputFormat } from '../output-flag.js';
import type { GlobalArgs } from '../runtime.js';

export interface CredentialsArgs extends GlobalArgs {
  image: string;
  check?: boolean;
  'show-password'?: boolean;
  region?: string;
  config?: string;
  'rrsa-token-file'?: string;
  vpc?: boolean;
  'allow-imdsv1'?: boolean;
  'service-account'?: string;
  output: OutputFormat;
}

export function credentialsBuilder(yargs: Argv): Argv {
  return yargs
    .positional('image', { type: 'string', describe: 'The image as the pod names it', demandOption: true })
    .option('check', { type: 'boolean', describe: "Log in to the registry's /v2/ with the token to prove it works" })
    .option('show-password', { type: 'boolean', describe: 'Print the registry password (redacted otherwise)' })
    .option('region', { type: 'string', describe: "The node's region, instead of asking the ECS metadata service" })
    .option('config', {
      type: 'string',
      describe: "Use this configuration file (e.g. the node's mirror) instead of the cluster's ConfigMap",
    })
    .option('rrsa-token-file', { type: 'string', describe: 'The OIDC token file for RRSA entries' })
    .option('vpc', { type: 'boolean', describe: 'Use the VPC endpoints of the CR and STS APIs' })
    .option('allow-imdsv1', { type: 'boolean', describe: 'Accept a metadata service without session tokens' })
    .option('service-account', {
      type: 'string',
      describe:
        'Pull as this pod ServiceAccount (namespace/name) in pod-identity mode: its role annotations and a token the API server issues for sts.aliyuncs.com',
    })
    .option('output', outputOption)
    .example(
      '$0 credentials my-registry.cn-hangzhou.cr.aliyuncs.com/team/app --service-account team-a/builder',
      "Walk the chain with that ServiceAccount's own RAM role",
    )
    .example(
      '$0 credentials registry.cn-hangzhou.aliyuncs.com/team/app:1.0',
      'Walk the chain with the node identity of this machine',
    )
    .example(
      '$0 credentials my-registry.cn-hangzhou.cr.aliyuncs.com/team/app --check',
      'Also log in to the registry with the token',
    )
    .example(
      '$0 credentials IMAGE --config /etc/kubernetes/acr/acr-configuration.yaml --region cn-hangzhou',
      "On a node: use the node's mirror of the configuration",
    );
}
