// `kubectl acr configure`: flags (or an edited file) → a validated
// acr-configuration written with the resourceVersion it was based on.

import type { Argv } from 'yargs';
import { formatProblem, type Problem } from '../../provider/common/problem.js';
import { connect } from '../kube-client.js';
import { CONFIGURATION_SECRETS_NAME } from '../../provider/configuration/model.js';
import {
  planConfigure,
  planFromFile,
  type ConfigureRequest,
  type RegistryEdit,
  type RegistrySelector,
} from '../configure-edit.js';
import {
  CONFIGMAP_NAME,
  ConflictError,
  configMapWithData,
  readConfigMap,
  storeSecrets,
  writeConfigMap,
} from '../configuration-store.js';
import { render } from '../output.js';
import { redactingRuntime, secretValuesIn } from '../../provider/common/redaction.js';
import { connectionFlags, type GlobalArgs, type Runtime } from '../runtime.js';
import { EXIT, UsageError, type ExitCode } from '../../provider/common/exit-codes.js';

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
  'from-file'?: string;
  'dry-run'?: string;
  output?: string;
}

const registryFieldFlags = [
  'domains',
  'assume-role-arn',
  'expire-duration',
  'rrsa-role-arn',
  'rrsa-oidc-provider-arn',
  'access-key-id',
  'access-key-secret-stdin',
  'access-key-secret-file',
] as const;
const editFlags = [
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
    .option('from-file', {
      type: 'string',
      nargs: 1,
      describe: 'Validate and apply a whole data file or ConfigMap manifest (- = stdin)',
    })
    .option('dry-run', {
      type: 'string',
      describe: 'client: show the result only; server: let the apiserver validate without storing',
      coerce: (value: string) => (value === '' ? 'client' : value),
    })
    .choices('dry-run', ['none', 'client', 'server'])
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
    .example('$0 configure --move-inline-secrets', 'Move plain-text AccessKey secrets out of the ConfigMap');
}

function selectorFromArgs(args: ConfigureArgs): RegistrySelector | undefined {
  const instanceId = args['instance-id']?.trim();
  const regionId = args.region?.trim() || undefined;
  if (args.personal && instanceId)
    throw new UsageError('--personal and --instance-id address different entries; give one of them.');
  if (args.personal || instanceId === '') return { edition: 'personal', regionId };
  if (instanceId) return { edition: 'enterprise', instanceId, regionId };
  return undefined;
}

async function readAccessKeySecret(args: ConfigureArgs, runtime: Runtime): Promise<string | undefined> {
  const file = args['access-key-secret-file'];
  if (args['access-key-secret-stdin'] && file !== undefined)
    throw new UsageError('Give the AccessKey secret once: --access-key-secret-stdin or --access-key-secret-file.');
  if (args['access-key-secret-stdin']) return (await runtime.readStdin()).trim();
  if (file !== undefined) {
    try {
      return runtime.readFile(file).trim();
    } catch (error) {
      throw new UsageError(
        `Cannot read --access-key-secret-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`,
      );
    }
  }
  return undefined;
}

/** The flags as a request for the pure planner; shape mistakes of the command line are usage errors. */
export async function requestFromArgs(args: ConfigureArgs, runtime: Runtime): Promise<ConfigureRequest> {
  const select = selectorFromArgs(args);
  const registryFlagsGiven = registryFieldFlags.filter((flag) => args[flag] !== undefined);
  let registry: RegistryEdit | undefined;
  if (args['remove-instance']) {
    if (!select) throw new UsageError('--remove-instance needs --instance-id ID (or --personal with --region).');
    if (registryFlagsGiven.length > 0)
      throw new UsageError(`--remove-instance cannot be combined with --${registryFlagsGiven.join(', --')}.`);
    registry = { action: 'remove', select };
  } else if (select) {
    registry = {
      action: 'upsert',
      select,
      fields: {
        domains: args.domains,
        assumeRoleArn: args['assume-role-arn'],
        expireDuration: args['expire-duration'],
        rrsaRoleArn: args['rrsa-role-arn'],
        rrsaOidcProviderArn: args['rrsa-oidc-provider-arn'],
        accessKeyId: args['access-key-id'],
        accessKeySecret: await readAccessKeySecret(args, runtime),
      },
    };
  } else if (registryFlagsGiven.length > 0 || args.region !== undefined) {
    throw new UsageError(
      `--${[...registryFlagsGiven, ...(args.region !== undefined ? ['region'] : [])].join(', --')} belong to a registry entry: add --instance-id ID or --personal.`,
    );
  }
  return {
    registry,
    serviceAccount: args['service-account'],
    watchNamespace: args['watch-namespace'],
    expiringThreshold: args['expiring-threshold'],
    rrsa: args.rrsa,
    webhook: {
      enabled: args.webhook,
      failurePolicy: args['webhook-failure-policy'],
      timeoutSeconds: args['webhook-timeout-seconds'],
    },
    moveInlineSecrets: args['move-inline-secrets'],
  };
}

function printProblems(problems: Problem[], source: string | undefined, runtime: Runtime): void {
  for (const problem of problems) runtime.stderr(`${formatProblem(problem, source)}\n`);
}

function sameData(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const left = a ?? {};
  const keys = new Set([...Object.keys(left), ...Object.keys(b)]);
  return [...keys].every((key) => left[key] === b[key]);
}

export async function runConfigure(args: ConfigureArgs, plainRuntime: Runtime): Promise<ExitCode> {
  // Every secret met on the way: the one given, plain-text ones in the file or the ConfigMap.
  const secrets: string[] = [];
  const runtime = redactingRuntime(plainRuntime, () => secrets);
  const fromFile = args['from-file'];
  if (fromFile !== undefined) {
    const mixed = editFlags.filter((flag) => args[flag] !== undefined);
    if (mixed.length > 0)
      throw new UsageError(
        `--from-file gives the whole configuration; it cannot be combined with --${mixed.join(', --')}.`,
      );
  } else if (!editFlags.some((flag) => args[flag] !== undefined)) {
    throw new UsageError(
      'Nothing to configure: give at least one setting flag or --from-file (see kubectl acr configure --help).',
    );
  }
  const dryRun = args['dry-run'] ?? 'none';

  let fileText: string | undefined;
  if (fromFile !== undefined) {
    try {
      fileText = fromFile === '-' ? await runtime.readStdin() : runtime.readFile(fromFile);
    } catch (error) {
      throw new UsageError(
        `Cannot read --from-file ${fromFile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`,
      );
    }
  }
  if (fileText !== undefined) secrets.push(...secretValuesIn({ file: fileText }));
  const request = fileText === undefined ? await requestFromArgs(args, runtime) : undefined;
  const given = request?.registry?.action === 'upsert' ? request.registry.fields.accessKeySecret : undefined;
  if (given) secrets.push(given.trim());

  const client = connect(connectionFlags(args), runtime.env);
  const current = await readConfigMap(client);
  secrets.push(...secretValuesIn(current?.data ?? {}));
  const plan = fileText !== undefined ? planFromFile(fileText) : planConfigure(current?.data ?? {}, request!);
  const source = fromFile === '-' ? 'stdin' : fromFile;
  if (!plan.ok) {
    printProblems(plan.problems, source, runtime);
    runtime.stderr(`error: ${CONFIGMAP_NAME} was not changed.\n`);
    return EXIT.usage;
  }
  printProblems(plan.warnings, source, runtime);
  for (const note of plan.notes) runtime.stderr(`note: ${note}\n`);
  const removed = Object.keys(current?.data ?? {}).filter((key) => !(key in plan.data));
  if (removed.length > 0)
    runtime.stderr(`note: removes ${removed.map((key) => `\`${key}\``).join(', ')}, which the file does not have.\n`);

  const suffix = dryRun === 'none' ? '' : ` (${dryRun} dry run)`;
  const changed = !sameData(current?.data, plan.data);
  const hasSecrets = Object.keys(plan.secrets).length > 0;
  let result = configMapWithData(current, plan.data);
  try {
    if (dryRun !== 'client') {
      if (hasSecrets) await storeSecrets(client, plan.secrets, dryRun === 'server');
      if (changed) result = await writeConfigMap(client, current, plan.data, dryRun === 'server');
    }
  } catch (error) {
    if (error instanceof ConflictError) {
      runtime.stderr(`error: ${error.message}\n`);
      return EXIT.failure;
    }
    throw error;
  }

  if (args.output === 'json' || args.output === 'yaml') {
    runtime.stdout(render(args.output, result, () => ''));
  } else {
    if (hasSecrets) runtime.stdout(`secret/${CONFIGURATION_SECRETS_NAME} configured${suffix}\n`);
    const verb = !changed ? 'unchanged' : current ? 'configured' : 'created';
    runtime.stdout(`configmap/${CONFIGMAP_NAME} ${verb}${suffix}\n`);
  }
  return EXIT.ok;
}
